"""Base settings: production-safe defaults, everything overridable from the environment.

Embedded defaults let the portal run with nothing external (SQLite under ``var/``, Celery tasks
in-process, email to the console); ``DATABASE_URL``, ``CELERY_BROKER_URL`` and ``EMAIL_URL`` switch
to the real services. See docs/decisions/0001-stack.md.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env file is optional; real deployments set the environment directly.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -----------------------------------------------------------------------------------
# DEBUG is off unless asked for (DJANGO_DEBUG=true).
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The environment's name prefixes email subjects outside production (notifications issue).
ENVIRONMENT_NAME = env.str("QPP_ENVIRONMENT", default="production")
SITE_URL = env.str("QPP_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Third party
    "crispy_forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "django_fsm_log",
    "simple_history",
    "csp",
    # Project
    "qpp_exceptions",
    "accounts",
    "eligibility",
    "applications",
    "scoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content Security Policy header on every response (issue 10; ADR 0080).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Field history records who made a change made through a request (issue 7, ADR 0062).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Idle (30 min) and absolute (12 h) session limits, and MFA before staff reach the admin (ADR 0021).
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.StaffMFARequiredMiddleware",
    # A database that went away mid-request answers a clean 503 page (or JSON under /api/), not a 500
    # (issue 10, point 4; ADR 0082).
    "qpp_exceptions.middleware.DatabaseUnavailableMiddleware",
    # django-axes wants to be last: it turns a lockout flagged during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qpp_exceptions.urls"
WSGI_APPLICATION = "qpp_exceptions.wsgi.application"
ASGI_APPLICATION = "qpp_exceptions.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qpp_exceptions.context_processors.portal",
                "accounts.context_processors.session_timeout",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast instead of hanging a request when PostgreSQL is unreachable.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# Rate limits (allauth) and lockouts need a cache shared by every process in production: set
# CACHE_URL=redis://… there. The per-process default is only for a single local process.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://qpp-exceptions")}
if "redis" in CACHES["default"]["BACKEND"].lower():
    # Pages read the cache on many requests (eligibility answers, ADR 0074): a Redis that hangs must cost
    # a second, not a request's whole life (issue 10, point 4).
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", 1)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 1)
# Participation-status answers (eligibility.cache): forgotten on every import, admin edit and approval;
# this bounds their life whatever happens (0 turns the cache off).
ELIGIBILITY_CACHE_SECONDS = env.int("ELIGIBILITY_CACHE_SECONDS", default=600)

# --- Users and passwords ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out account/address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- django-allauth (sign-in with email; details in the accounts issue) -----------------------
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[QPP Exceptions] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="https")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "QPP Exception Applications"
# Every sign-in and sign-up asks for the statement of truth (seed 003_452340df50752410.txt, Step 1).
ACCOUNT_FORMS = {
    "login": "accounts.forms.StatementOfTruthLoginForm",
    "signup": "accounts.forms.StatementOfTruthSignupForm",
}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# django-axes owns the per-account lockout (5 failures, 15 minutes); allauth's own failed-sign-in limit is
# kept as a looser per-address brake so it never answers before axes does (ADR 0020).
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip,10/5m/key"}

# --- django-axes (lockout after failed sign-ins; ADR 0020) -------------------------------------
from datetime import timedelta  # noqa: E402

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Keyed by account and address together: a stranger cannot lock a clinician out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# allauth signs in by email: without this axes records an empty username (field notes).
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
AXES_USERNAME_FORM_FIELD = "login"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ADMIN = True
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "code"]
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0) or None  # reverse proxies in front

# --- Sessions (ASVS 3.3.2 level 2; ADR 0021) ---------------------------------------------------
# Idle: the cookie and the server-side session expire 30 minutes after the last stored activity.
SESSION_IDLE_TIMEOUT_SECONDS = 30 * 60
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_SECONDS
# The idle clock (last activity) is written at most once a minute, not on every request: a session row
# UPDATE and commit per page view was a large share of each request's cost under load (issue 9, ADR 0075).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ACTIVITY_WRITE_SECONDS = 60
# Absolute: at most 12 hours after signing in, whatever the activity (accounts.middleware).
SESSION_ABSOLUTE_TIMEOUT_SECONDS = 12 * 60 * 60
# The page warns this long before the idle sign-out (static/js/session-timeout.js).
SESSION_WARNING_SECONDS = 2 * 60
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation and time ------------------------------------------------------------
# Stored in UTC, shown in Eastern Time: CMS deadlines are Eastern Time (seed 002_…: "through
# December 31, 2024, at 8:00 PM ET").
LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
# Where collectstatic writes (the image: /app/staticfiles); the suite points it at a temporary directory.
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Forms ------------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ("uswds",)
CRISPY_TEMPLATE_PACK = "uswds"
CRISPY_FAIL_SILENTLY = not DEBUG

# --- Email ------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="QPP Exceptions <no-reply@qpp-exceptions.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Celery -----------------------------------------------------------------------------------
# Without a broker, tasks run in-process (eagerly) so nothing external is needed.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
# Publishing must never hang a request while Redis is down (field notes: delay() can hang).
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": 3,
    "socket_connect_timeout": 3,
    "max_retries": 1,
    # kombu waits interval_start (2 s by default) before its one reconnect: publish at once instead, so a
    # refused broker costs a request milliseconds (the outbox sweeper re-queues what was not published).
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_PUBLISH_RETRY = False
# Celery beat: the notifications sweeper re-queues outbox rows whose enqueue was lost (ADR 0051).
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {
        "task": "applications.tasks.sweep_notifications",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}

# --- Notifications (issue 6; ADRs 0050-0052) ----------------------------------------------------
# Retries: exponential backoff with jitter, capped well below the broker's visibility timeout (3,600 s
# above), so a retry never waits long enough for Redis to hand the same message to a second worker.
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=6)
NOTIFICATIONS_RETRY_BASE_SECONDS = env.int("NOTIFICATIONS_RETRY_BASE_SECONDS", default=15)
NOTIFICATIONS_RETRY_MAX_SECONDS = env.int("NOTIFICATIONS_RETRY_MAX_SECONDS", default=300)
# The sweeper re-queues pending rows overdue by this long, and releases rows left "sending" longer than the
# lease (longer than CELERY_TASK_TIME_LIMIT, so a live worker is never overtaken).
NOTIFICATIONS_SWEEP_AFTER_SECONDS = env.int("NOTIFICATIONS_SWEEP_AFTER_SECONDS", default=120)
NOTIFICATIONS_SENDING_LEASE_SECONDS = env.int("NOTIFICATIONS_SENDING_LEASE_SECONDS", default=600)
# Outside production only these recipient domains (and their subdomains) receive mail; the rest are marked
# skipped. The defaults are the reserved example domains (RFC 2606) the demo and test data use (ADR 0052).
NOTIFICATIONS_ALLOWED_DOMAINS = env.list(
    "NOTIFICATIONS_ALLOWED_DOMAINS", default=["example.com", "example.org", "example.net"]
)

# --- Security ---------------------------------------------------------------------------------
# Safe by default; local and test settings relax what plain HTTP on 127.0.0.1 needs.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Content Security Policy (issue 10, point 3; ADR 0080): everything from this origin only, no inline script
# or style (no 'unsafe-inline' anywhere), no framing, forms post only here. USWDS's CSS uses data: images.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Logging ----------------------------------------------------------------------------------
# Two streams: the ordinary application log (plain text), and the security audit log, JSON lines with UTC
# timestamps and the actor, written by qpp_exceptions.security_log (issue 10, point 5; ADR 0083). The
# security log goes to its own file when SECURITY_LOG_FILE is set (ship it to the SIEM), else to stderr.
# Every record of both passes the redaction filter: no full TIN, password or token reaches a log line.
SECURITY_LOG_FILE = env.str("SECURITY_LOG_FILE", default="")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "qpp_exceptions.security_log.RedactingFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "security_json": {"()": "qpp_exceptions.security_log.JsonLinesFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
        "security": (
            {
                "class": "logging.handlers.WatchedFileHandler",
                "filename": SECURITY_LOG_FILE,
                "formatter": "security_json",
                "filters": ["redact"],
            }
            if SECURITY_LOG_FILE
            else {"class": "logging.StreamHandler", "formatter": "security_json", "filters": ["redact"]}
        ),
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs a start-up banner at INFO on every process start, which would put a second line
        # on the stderr of management commands whose errors must be one line (scoring CLI, issue 8).
        "axes.apps": {"level": "WARNING"},
        "qpp.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
        # gunicorn's access log (Dockerfile: --access-logfile -) holds every URL, and the Eligibility API's
        # path carries a TIN: route it through the redacting console handler (replaces gunicorn's own
        # handler in each worker when Django configures logging).
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}


def require_secret_key(secret_key: str, debug: bool) -> None:
    """Refuse to start without a real secret key unless DEBUG was asked for."""
    if not debug and not secret_key:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DEBUG is off (set DJANGO_DEBUG=true for development)."
        )


if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-only-key-do-not-use-in-production"
require_secret_key(SECRET_KEY, DEBUG)

# Field history (issue 7, ADR 0062): corrections are recorded, never reverted from the history page.
SIMPLE_HISTORY_REVERT_DISABLED = True
