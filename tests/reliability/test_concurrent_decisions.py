"""A reviewer's decision and the applicant's withdrawal at the same moment, 100 times (issue 10, point 4).

Each trial submits an application, then two threads (each with its own PostgreSQL connection) call
``application_approve`` (or ``application_deny``) and ``application_withdraw`` on the same pending row,
released together by a barrier. The services lock the row (``select_for_update``) and refuse to act on a
status the caller did not see, so exactly one wins: the row ends in the winner's state, with exactly one
transition out of "submitted" in the state log, and the decision or withdrawal fields of that one only.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django_fsm_log.models import StateLog

from applications import services
from applications.models import Application
from tests.factories import (
    ApplicationWindowFactory,
    clinician_with_access,
    complete_individual_pi_draft,
    reviewer_user,
    valid_npi,
)

from .conftest import services_leg_only

pytestmark = [services_leg_only, pytest.mark.django_db(transaction=True)]

TRIALS = 100


def _race(application_id: int, reviewer, applicant, decision: str) -> dict[str, object]:
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def run(name: str, action) -> None:
        try:
            row = Application.objects.get(pk=application_id)  # each side saw "submitted"
            barrier.wait(timeout=10)
            action(row)
            outcome[name] = "won"
        except services.ApplicationError as refused:
            outcome[name] = f"refused: {type(refused).__name__}"
        except Exception as error:  # noqa: BLE001 - anything else is a failure reported below
            outcome[name] = f"error: {type(error).__name__}: {error}"
        finally:
            connections.close_all()

    if decision == "approve":
        decide = lambda row: services.application_approve(application=row, actor=reviewer)  # noqa: E731
    else:
        decide = lambda row: services.application_deny(  # noqa: E731
            application=row, actor=reviewer, reason="Not eligible", explanation=""
        )
    threads = [
        threading.Thread(target=run, args=("decision", decide)),
        threading.Thread(
            target=run,
            args=("withdrawal", lambda row: services.application_withdraw(application=row, actor=applicant)),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcome


def test_decision_and_withdrawal_never_both_win(celery_eager):
    ApplicationWindowFactory(performance_year=2026)
    reviewer = reviewer_user()
    winners = {"decision": 0, "withdrawal": 0}
    for trial in range(TRIALS):
        # A clinician per trial: an approved application blocks a second one for the same participant.
        npi = valid_npi(f"{200000000 + trial:09d}")
        applicant, _, _ = clinician_with_access(npi=npi)
        application = complete_individual_pi_draft(user=applicant, npi=npi)
        services.application_submit(application=application, actor=applicant, certified=True)
        decision = "approve" if trial % 2 == 0 else "deny"
        outcome = _race(application.pk, reviewer, applicant, decision)

        assert set(outcome) == {"decision", "withdrawal"}, outcome
        assert sorted(v == "won" for v in outcome.values()) == [False, True], f"trial {trial}: {outcome}"
        assert all(v == "won" or v.startswith("refused") for v in outcome.values()), outcome
        row = Application.objects.get(pk=application.pk)
        transitions = list(
            StateLog.objects.for_(row).filter(source_state="submitted").values_list("state", flat=True)
        )
        assert len(transitions) == 1, f"trial {trial}: {transitions}"
        if outcome["decision"] == "won":
            winners["decision"] += 1
            expected = "approved" if decision == "approve" else "denied"
            assert row.status == expected and transitions == [expected]
            assert row.decided_at is not None and row.decided_by_id == reviewer.pk
            assert row.withdrawn_at is None
        else:
            winners["withdrawal"] += 1
            assert row.status == "withdrawn" and transitions == ["withdrawn"]
            assert row.withdrawn_at is not None
            assert row.decided_at is None and row.decided_by_id is None
    assert sum(winners.values()) == TRIALS
    print(
        f"concurrent trials: {TRIALS}; decision won {winners['decision']}, "
        f"withdrawal won {winners['withdrawal']}"
    )
