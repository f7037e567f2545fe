from django.apps import AppConfig


class QppExceptionsConfig(AppConfig):
    name = "qpp_exceptions"
    verbose_name = "QPP Exception Applications"

    def ready(self) -> None:
        # The security audit log listens to sign-in, lockout, MFA and application signals (ADR 0083).
        from .security_log import connect_signals

        connect_signals()
