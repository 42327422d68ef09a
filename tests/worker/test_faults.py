"""Reminders under faults, with a real worker as bin/run runs it: Redis killed under load, and a
backlog of sends that must not hold up the sweep."""

import datetime as dt
import signal
import time

import pytest
import time_machine
from django.conf import settings

from cases import tasks
from cases.models import Reminder, WorkerHeartbeat
from cases.reminders import sweep as reminder_sweep
from tests.cases.reminders.helpers import DAY, T0, ladder, waiting_case
from tests.worker.conftest import wait_for
from tests.worker.test_reminder_worker import recipients

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


# solo: one prefetch slot, so a single lost acknowledgement used to stop the worker for good;
# threads: bin/run's pool.
@pytest.mark.parametrize("pool", ["solo", "threads"])
def test_redis_killed_ten_times_under_load_a_worker_is_back_and_each_email_goes_once(
    worker_env, private_redis, pool
):
    worker_env.use_broker(private_redis.url)
    worker = worker_env.start(
        pool=pool,
        concurrency=4,
        supervised=True,
        WORKER_HEARTBEAT_SECONDS="1",
    )
    rungs = [ladder(waiting_case())[0] for _ in range((KILLS + 1) * PER_ROUND)]
    Reminder.objects.update(due_at=T0 + 100 * DAY)  # each falls due in its own round
    back_after: list[float] = []
    restarted_at: float | None = None
    clock = T0 + 4 * DAY

    # One round per kill and one after the last: each round's sends are queued on the broker as
    # it is now, and the first of them to reach a customer shows that a worker is consuming again.
    for round_ in range(KILLS + 1):
        clock += LEASE + MINUTE  # so this sweep also reclaims what the last kill lost
        due = rungs[round_ * PER_ROUND : (round_ + 1) * PER_ROUND]
        Reminder.objects.filter(pk__in=[rung.pk for rung in due]).update(due_at=clock)
        owners = {rung.case.owner.email for rung in due}
        sweep_until_queued(clock)
        wait_for(
            lambda owners=owners: owners & set(recipients(worker_env.emails())),
            timeout=BACK_WITHIN_SECONDS,
            what=lambda round_=round_: (
                f"a send of round {round_ + 1} (after {round_} kills):\n{worker.log[-4000:]}"
            ),
        )
        if restarted_at is not None:
            back_after.append(time.monotonic() - restarted_at)
        if round_ == KILLS:
            break
        # Under load: the worker is sending this round's batch when Redis dies.
        private_redis.process.send_signal(signal.SIGKILL)
        private_redis.process.wait()
        private_redis.start()
        restarted_at = time.monotonic()

    # Redis kept nothing (no persistence): the sends it lost are reclaimed once their lease
    # ran out, as the next sweeps would.
    clock += LEASE + MINUTE
    sweep_until_queued(clock)
    wait_for(
        lambda: (
            not Reminder.objects.filter(pk__in=[r.pk for r in rungs])
            .exclude(state=Reminder.State.SENT)
            .exists()
        ),
        timeout=90,
        what="every due reminder sent",
    )

    assert max(back_after) <= BACK_WITHIN_SECONDS
    emails = recipients(worker_env.emails())
    for rung in Reminder.objects.filter(pk__in=[r.pk for r in rungs]).select_related("case__owner"):
        count = emails[rung.case.owner.email]
        # Twice only where a send was cut off mid-way, and then it is marked for agents.
        assert count == 1 or (count == 2 and rung.is_possible_duplicate), (rung.pk, count)


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
