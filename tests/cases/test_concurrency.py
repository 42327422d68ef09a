"""Two people moving one case at the same moment: one wins, the other is told (PostgreSQL)."""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from cases import services
from cases.models import Case, CaseEvent, Reminder
from cases.transitions import CaseChanged, TransitionNotAllowed
from tests import factories

S = Case.Status
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TIMEOUT_SECONDS = 20


class Movers:
    """Jobs run each in its own thread, hence its own database connection."""

    def __init__(self, *jobs: Callable[[], Case]) -> None:
        self.results: list[Case | Exception | None] = [None] * len(jobs)
        self.threads = [
            threading.Thread(target=self._run, args=(i, job)) for i, job in enumerate(jobs)
        ]
        for thread in self.threads:
            thread.start()

    def _run(self, index: int, job: Callable[[], Case]) -> None:
        try:
            self.results[index] = job()
        except Exception as error:
            self.results[index] = error  # handed back to the test to assert on
        finally:
            # Django's connections are per thread; an open one would block the test DB flush.
            connections.close_all()

    def finish(self) -> list[Case | Exception | None]:
        for thread in self.threads:
            thread.join(TIMEOUT_SECONDS)
            assert not thread.is_alive(), "a move hung: the row lock was never released"
        return self.results


def assert_one_winner(case: Case, results: list, *, version: int) -> Case:
    winners = [result for result in results if isinstance(result, Case)]
    losers = [result for result in results if isinstance(result, Exception)]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    assert isinstance(losers[0], CaseChanged | TransitionNotAllowed), repr(losers[0])
    if isinstance(losers[0], CaseChanged):
        # The loser is handed the winner's version to show.
        assert losers[0].case.version == version + 1
        assert losers[0].case.status == winners[0].status

    case.refresh_from_db()
    assert case.version == version + 1
    assert case.status == winners[0].status
    [event] = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS)
    assert event.status_to == case.status
    return case


def case_about_to_wait() -> Case:
    return factories.CaseFactory(status=S.IN_PROGRESS, service_kind="virtual")


@pytest.mark.parametrize("round_", range(5))
def test_two_connections_moving_at_once_end_with_one_winner(round_):
    agent = factories.AgentFactory()
    case = case_about_to_wait()
    version = case.version
    barrier = threading.Barrier(2, timeout=TIMEOUT_SECONDS)

    def move_as(by, to: str) -> Callable[[], Case]:
        def job() -> Case:
            seen = Case.objects.get(pk=case.pk)  # each read the case at the same version
            assert seen.version == version
            barrier.wait()
            return services.move_case(case=seen, to=to, by=by, version=seen.version)

        return job

    results = Movers(move_as(case.owner, S.AWAITING_REVIEW), move_as(agent, S.WITHDRAWN)).finish()

    case = assert_one_winner(case, results, version=version)
    # Whoever won, the reminders match the status the case ended in.
    ladder = Reminder.objects.pending().filter(case=case, kind=Reminder.Kind.LADDER)
    assert ladder.count() == (1 if case.status == S.AWAITING_REVIEW else 0)


def test_second_mover_waits_for_the_lock_then_is_told_the_case_changed():
    """Both moves queue on the row lock; the one that gets it second sees the new version."""
    agent = factories.AgentFactory()
    case = case_about_to_wait()
    version = case.version
    started = threading.Barrier(3, timeout=TIMEOUT_SECONDS)

    def move_as(by, to: str) -> Callable[[], Case]:
        def job() -> Case:
            started.wait()
            return services.move_case(case=case, to=to, by=by, version=version)

        return job

    # A third connection holds the row lock so that both moves are sure to queue behind it.
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT id FROM cases_case WHERE id = %s FOR UPDATE", [case.pk])
            movers = Movers(move_as(case.owner, S.AWAITING_REVIEW), move_as(agent, S.WITHDRAWN))
            started.wait()
            wait_until_blocked_on_locks(count=2)
            cursor.execute("COMMIT")
        results = movers.finish()
    finally:
        holder.close()

    case = assert_one_winner(case, results, version=version)
    assert any(isinstance(result, CaseChanged) for result in results)


def wait_until_blocked_on_locks(*, count: int) -> None:
    """Poll PostgreSQL until `count` other backends wait on a lock (both moves queued)."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.01)  # a poll interval, not waiting for time to pass
    pytest.fail(f"the moves never queued on the row lock ({count} expected)")
