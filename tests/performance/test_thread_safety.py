"""Found by the benchmark (issue 9): under gunicorn's gthread workers, concurrent saves of drafts answered
500 "Direct status modification is not allowed". django-fsm-2's FSMModelMixin.refresh_from_db switches the
status field's class-wide ``protected`` flag off and on, so one thread's refresh re-protects the field in the
middle of another thread's. The services must bring their instance up to date without that method."""

from __future__ import annotations

import pytest
from django_fsm import FSMModelMixin

from applications import services
from applications.models import Application
from tests.factories import clinician_with_access, complete_individual_pi_draft
from tests.performance.conftest import YEAR

pytestmark = pytest.mark.django_db


def test_saving_a_step_never_uses_the_thread_unsafe_refresh(window, monkeypatch):
    user, clinician, practice = clinician_with_access()
    application = complete_individual_pi_draft(user=user, npi=clinician.npi, tin=practice.tin)

    def refuse(self, *args, **kwargs):
        raise AssertionError("FSMModelMixin.refresh_from_db is not thread-safe under gthread workers")

    monkeypatch.setattr(FSMModelMixin, "refresh_from_db", refuse)
    services.application_save_step(
        application=application, actor=user, changes={"contact_email": "new@example.com"}
    )
    assert application.contact_email == "new@example.com"
    assert application.status == "draft"
    assert Application._meta.get_field("status").protected is True
    stored = Application.objects.get(pk=application.pk)
    assert stored.contact_email == "new@example.com" and stored.performance_year == YEAR
