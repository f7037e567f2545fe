"""Signals other apps consume. No business logic lives in receivers.

`application_status_changed` is sent by applications.services from `transaction.on_commit`, so a rolled-back
transition sends nothing. Keyword arguments: application_id (int), from_status (str), to_status (str),
actor_id (int | None). The notifications issue turns it into emails.
"""

from django.dispatch import Signal

application_status_changed = Signal()
