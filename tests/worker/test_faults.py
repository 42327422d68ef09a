"""Reminders under faults, with a real worker as bin/run runs it: Redis killed under load, and a
backlog of sends that must not hold up the sweep (issue 14, "Done when")."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings

from cases import tasks
from cases.models import Reminder, WorkerHeartbeat
from cases.reminders import sweep as reminder_sweep
from tests.cases.reminders.helpers import DAY, T0, waiting_case
from tests.worker.conftest import wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

LEASE = dt.timedelta(seconds=settings.REMINDER_LEASE_SECONDS)
MINUTE = dt.timedelta(minutes=1)
KILLS = 10
PER_ROUND = 12
BACK_WITHIN_SECONDS = 30


@pytest.fixture(autouse=True)
def _clock(time_machine):
    # Ticking: kombu and redis-py read the clock for their own timeouts.
    time_machine.move_to(T0, tick=True)


def real_now() -> dt.datetime:
    """The wall clock, which the worker process reads (time-machine moves only this one)."""
    return time_machine.escape_hatch.datetime.datetime.now(tz=dt.UTC)


def sweep_until_queued(now: dt.datetime) -> reminder_sweep.SweepResult:
    """A sweep, repeated as beat would if the broker refused it (just restarted)."""
    result = wait_for(
        lambda: (
            (found := reminder_sweep.sweep(send_queue=tasks.send_queue, now=now))
            and not found.queue_failed
            and found
        ),
        timeout=30,
        what="a sweep that could queue its sends",
    )
    assert isinstance(result, reminder_sweep.SweepResult)
    return result


def test_a_backlog_of_500_sends_does_not_hold_up_the_sweep(worker_env):
    worker_env.start()  # one solo worker: a send ahead of the sweep is a send it waits for
    cases = [waiting_case() for _ in range(50)]
    Reminder.objects.update(due_at=T0 + 100 * DAY)  # their ladders: not part of it
    Reminder.objects.bulk_create(
        Reminder(
            case=case,
            kind=Reminder.Kind.FOLLOW_UP,
            period_started_at=T0,
            sequence=n,
            due_at=T0 + 4 * DAY,
        )
        for case in cases
        for n in range(1, 11)
    )
    assert len(sweep_until_queued(T0 + 4 * DAY).queued) == 500

    # As beat queues it: expiring after one interval (here 20 s of the worker's clock).
    tasks.sweep_reminders.apply_async(expires=real_now() + dt.timedelta(seconds=20))
    wait_for(
        lambda: WorkerHeartbeat.objects.filter(name=WorkerHeartbeat.SWEEP).exists(),
        timeout=20,
        what="the sweep to run ahead of the backlog",
    )

    # It ran while the backlog was still there, not after it.
    assert len(worker_env.emails()) < 100
