"""Reading and locking application rows: answers and window specs for the policy, the reference number, the
row lock and copying the locked row back into the caller's instance, the open-duplicate check."""

from __future__ import annotations

from .. import policy
from ..models import OPEN_STATUSES, Application, ApplicationWindow, ExceptionType


def answers_of(application: Application) -> policy.ApplicationAnswers:
    return policy.ApplicationAnswers(**{name: getattr(application, name) for name in policy.ANSWER_FIELDS})


def window_spec(performance_year: int) -> policy.WindowSpec | None:
    window = ApplicationWindow.objects.filter(performance_year=performance_year).first()
    if window is None:
        return None
    return policy.WindowSpec(
        performance_year=window.performance_year,
        opens_at=window.opens_at,
        closes_at=window.closes_at,
        reopenings=tuple(
            policy.ReopeningSpec(
                opens_at=r.opens_at,
                closes_at=r.closes_at,
                event_type=r.event_type,
                change_healthcare_cyberattack_only=r.change_healthcare_cyberattack_only,
                note=r.note,
            )
            for r in window.reopenings.all()
        ),
    )


def _reference(application: Application) -> str:
    prefix = "PI" if application.exception_type == ExceptionType.PI_HARDSHIP else "EUC"
    return f"{prefix}-{application.performance_year}-{application.pk:06d}"


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _sync(target: Application, source: Application) -> None:
    """Copy the saved, locked row back into the caller's instance, into ``__dict__`` as Django's own loading
    does (as accounts.services._sync). Not refresh_from_db: django-fsm-2's FSMModelMixin.refresh_from_db
    flips the status field's class-wide ``protected`` flag off and on, which races between the threads of a
    gthread worker ("Direct status modification is not allowed" 500s under load; issue 9, ADR 0072)."""
    if target is source:
        return
    for model_field in type(source)._meta.concrete_fields:
        target.__dict__[model_field.attname] = getattr(source, model_field.attname)
    # As refresh_from_db: forget cached related objects and prefetches, they may be stale now.
    target._state.fields_cache = {}
    target.__dict__.pop("_prefetched_objects_cache", None)


def _open_duplicate_exists(application: Application) -> bool:
    return (
        Application.objects.filter(
            participant_key=application.participant_key,
            exception_type=application.exception_type,
            performance_year=application.performance_year,
            status__in=OPEN_STATUSES,
        )
        .exclude(pk=application.pk)
        .exists()
    )
