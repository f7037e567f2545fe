"""Celery tasks of the scoring app. Ids only in messages; every task is idempotent (it recomputes from the
current facts), so a redelivery after Redis's visibility timeout is harmless (field notes)."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from . import services


@shared_task(
    bind=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,  # 5 s, 10 s, 20 s … capped below: never long ETAs with Redis (field notes)
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
)
def recompute_reweighting_for_application(self, application_id: int) -> int:
    """Recompute the participants one application affects; returns how many rows were written."""
    result = services.reweighting_recompute_for_application(application_id=application_id)
    return result.participants
