"""Issue 7 point 4: two reviewers deciding the same application at the same moment, and a reviewer deciding
while the applicant withdraws. Exactly one wins; the other is refused with a message naming who decided what
and when.

These are real concurrent transactions: two threads, each with its own database connection, synchronized
with a barrier so both have loaded the row (the page each person was looking at) before either writes. Only
PostgreSQL takes the row locks (`select_for_update`) the services rely on; SQLite serializes whole-database
writes and ignores FOR UPDATE, so the race is not meaningful there and the tests skip with that reason.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django_fsm_log.models import StateLog

from applications import services
from applications.models import Application, Status
from applications.services import transitions
from tests.review.conftest import submitted

pytestmark = pytest.mark.django_db(transaction=True)

BARRIER_TIMEOUT = 20  # seconds; a deadlock would otherwise hang the run


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "The concurrent-decision race needs PostgreSQL row locks (SELECT ... FOR UPDATE); this run uses "
            f"{connection.vendor}. Run with DATABASE_URL=postgres://… to exercise it."
        )


def _race(*actions: Callable[[Application], Any], pk: int, hold_lock: float = 0.0) -> list[Any]:
    """Run each action in its own thread on its own stale copy of the row; return, per action, its result
    or the exception it raised.

    Each thread loads the application, then waits at the barrier, so both have seen "submitted" before
    either writes. With `hold_lock`, the first thread to lock the row keeps its transaction open that long
    after the transition, so the other thread's `select_for_update` really has to wait on it.
    """
    barrier = threading.Barrier(len(actions), timeout=BARRIER_TIMEOUT)
    results: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[Application], Any]) -> None:
        try:
            seen = Application.objects.get(pk=pk)  # the page the reviewer or applicant was looking at
            assert seen.status == Status.SUBMITTED
            barrier.wait()
            results[index] = action(seen)
        except BaseException as exc:  # noqa: BLE001 (reported to the test thread, which asserts on it)
            results[index] = exc
        finally:
            connections.close_all()  # this thread's own connection

    original_run_transition = transitions._run_transition

    def slow_run_transition(*args: Any, **kwargs: Any) -> None:
        original_run_transition(*args, **kwargs)
        time.sleep(hold_lock)  # still inside the locked transaction

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    if hold_lock:
        transitions._run_transition = slow_run_transition
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(BARRIER_TIMEOUT * 2)
    finally:
        transitions._run_transition = original_run_transition
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting (deadlock?)"
    return results


def _split(results: list[Any]) -> tuple[list[Any], list[BaseException]]:
    wins = [r for r in results if not isinstance(r, BaseException)]
    losses = [r for r in results if isinstance(r, BaseException)]
    return wins, losses


def _decisions(application: Application) -> list[StateLog]:
    return list(StateLog.objects.for_(application).exclude(transition="submit").order_by("pk"))


@pytest.mark.parametrize("hold_lock", [0.0, 0.3], ids=["simultaneous", "winner-holds-lock"])
def test_two_reviewers_deciding_at_once_exactly_one_wins(reviewer, second_reviewer, hold_lock):
    application, _ = submitted()
    results = _race(
        lambda a: services.application_approve(application=a, actor=reviewer, note="Clean"),
        lambda a: services.application_deny(
            application=a, actor=second_reviewer, reason="Other", explanation="Not enough detail."
        ),
        pk=application.pk,
        hold_lock=hold_lock,
    )
    wins, losses = _split(results)
    assert len(wins) == 1 and len(losses) == 1, results
    refusal = losses[0]
    assert isinstance(refusal, services.TransitionNotAllowed), repr(refusal)

    stored = Application.objects.get(pk=application.pk)
    assert stored.status in (Status.APPROVED, Status.DENIED)
    decisions = _decisions(stored)
    assert len(decisions) == 1  # never decided twice
    if stored.status == Status.APPROVED:
        winner, verb, refused_action = reviewer, "approved", "deny"
        assert stored.decided_by == reviewer and stored.denial_reason == ""
    else:
        winner, verb, refused_action = second_reviewer, "denied", "approve"
        assert stored.decided_by == second_reviewer and stored.denial_reason == "Other"
    assert decisions[0].by == winner
    # The loser is told the current status, who decided it and when (Eastern Time).
    assert f"You can't {refused_action} an application whose status is {stored.get_status_display()}." in (
        refusal.reviewer_message
    )
    assert f"It was {verb} by {winner.get_full_name()} ({winner.email}) on " in refusal.reviewer_message
    assert refusal.reviewer_message.endswith(" ET.")


@pytest.mark.parametrize("hold_lock", [0.0, 0.3], ids=["simultaneous", "winner-holds-lock"])
def test_reviewer_deciding_while_the_applicant_withdraws_exactly_one_wins(reviewer, hold_lock):
    application, applicant = submitted()
    results = _race(
        lambda a: services.application_approve(application=a, actor=reviewer),
        lambda a: services.application_withdraw(application=a, actor=applicant),
        pk=application.pk,
        hold_lock=hold_lock,
    )
    wins, losses = _split(results)
    assert len(wins) == 1 and len(losses) == 1, results
    refusal = losses[0]
    assert isinstance(refusal, services.TransitionNotAllowed), repr(refusal)

    stored = Application.objects.get(pk=application.pk)
    decisions = _decisions(stored)
    assert len(decisions) == 1
    if stored.status == Status.WITHDRAWN:
        # The reviewer lost: told the applicant withdrew it, by name, and when.
        assert decisions[0].by == applicant and stored.decided_by is None
        assert "You can't approve an application whose status is Withdrawn." in refusal.reviewer_message
        assert f"It was withdrawn by {applicant.get_full_name()} ({applicant.email}) on " in (
            refusal.reviewer_message
        )
    else:
        # The applicant lost: told CMS approved it (never the reviewer's name) and when.
        assert stored.status == Status.APPROVED and decisions[0].by == reviewer
        assert "You can't withdraw an application whose status is Approved." in refusal.message
        assert "It was approved by CMS on " in refusal.message
        assert reviewer.email not in refusal.message
    assert refusal.message.endswith(" ET.")


def test_many_reviewers_racing_on_one_application_decide_it_once(reviewer, second_reviewer, administrator):
    """Four deciders at once (a surge): one decision is stored, three are refused."""
    application, _ = submitted()
    actors = [reviewer, second_reviewer, administrator, reviewer]
    results = _race(
        *[
            (lambda a, actor=actor: services.application_approve(application=a, actor=actor))
            for actor in actors
        ],
        pk=application.pk,
    )
    wins, losses = _split(results)
    assert len(wins) == 1 and len(losses) == 3, results
    assert all(isinstance(loss, services.TransitionNotAllowed) for loss in losses), losses
    stored = Application.objects.get(pk=application.pk)
    assert stored.status == Status.APPROVED
    assert len(_decisions(stored)) == 1
