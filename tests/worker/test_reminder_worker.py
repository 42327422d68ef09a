"""Reminders end to end: PostgreSQL, Redis and a real Celery worker process.

The sweep runs in this process with the clock moved by time-machine; the worker only sends, and
its mail lands as .eml files in the test's own folder.
"""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection

from cases import services, tasks
from cases.models import Case, Reminder, WorkerHeartbeat
from cases.reminders import sweep as reminder_sweep
from tests import factories
from tests.cases.reminders.helpers import DAY, T0, ladder, waiting_case
from tests.worker.conftest import free_port, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

LEASE = dt.timedelta(seconds=settings.REMINDER_LEASE_SECONDS)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _clock(time_machine):
    # Ticking: kombu and redis-py read the clock for their own timeouts.
    time_machine.move_to(T0, tick=True)


def recipients(messages) -> Counter:
    return Counter(message["To"] for message in messages)


def canary(now: dt.datetime) -> Reminder:
    """A reminder due at `now`: once its email arrives, everything queued before it was handled
    (one solo worker, prefetch 1, one queue, in order)."""
    case = waiting_case(owner=factories.UserFactory(email="canary@example.com"))
    [rung] = ladder(case)
    Reminder.objects.filter(pk=rung.pk).update(due_at=now)
    return rung


def test_due_case_gets_exactly_one_email(worker_env):
    worker_env.start()
    case = waiting_case(provider_reference="REF-777")
    [first] = ladder(case)
    now = first.due_at + MINUTE

    reminder_sweep.sweep(send_queue=tasks.send_queue, now=now)
    [message] = worker_env.wait_for_emails(1)
    reminder_sweep.sweep(send_queue=tasks.send_queue, now=now + MINUTE)

    first.refresh_from_db()
    assert message["To"] == case.owner.email
    assert message["Message-ID"] == f"<reminder-{first.pk}@closeout.example>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "REF-777" in message.get_body(("plain",)).get_content()
    assert first.state == Reminder.State.SENT
    assert first.attempts == 1
    [_, second] = ladder(case)
    assert second.state == Reminder.State.SCHEDULED
    assert second.due_at > now
    beacon = canary(now + 2 * MINUTE)
    reminder_sweep.sweep(send_queue=tasks.send_queue, now=now + 2 * MINUTE)
    messages = worker_env.wait_for_emails(2)
    assert recipients(messages) == {case.owner.email: 1, "canary@example.com": 1}
    beacon.refresh_from_db()
    assert beacon.state == Reminder.State.SENT


def test_two_sweeps_at_once_send_one_email_per_case(worker_env, settings):
    settings.REMINDER_SWEEP_BATCH = 3
    cases = [waiting_case() for _ in range(12)]
    now = T0 + 3 * DAY + MINUTE
    start = threading.Barrier(2)
    results = []

    def sweep() -> None:
        try:
            start.wait()
            results.append(reminder_sweep.sweep(send_queue=tasks.send_queue, now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    worker_env.start()

    first, second = (set(result.queued) for result in results)
    assert first.isdisjoint(second)
    assert first | second == {ladder(case)[0].pk for case in cases}
    messages = worker_env.wait_for_emails(12)
    beacon = canary(now + MINUTE)
    reminder_sweep.sweep(send_queue=tasks.send_queue, now=now + MINUTE)
    messages = worker_env.wait_for_emails(13)
    counts = recipients(messages)
    assert all(counts[case.owner.email] == 1 for case in cases)
    assert len(messages) == 13
    beacon.refresh_from_db()
    assert beacon.state == Reminder.State.SENT


def test_a_duplicated_task_sends_one_email(worker_env):
    case = waiting_case()
    [first] = ladder(case)
    now = first.due_at + MINUTE
    reminder_sweep.sweep(send_queue=tasks.send_queue, now=now)
    # The broker delivers the same task again (a redelivery after a lost acknowledgement).
    tasks.send_reminder.apply_async(kwargs={"reminder_id": first.pk, "lease": now.isoformat()})
    worker_env.start()
    canary(now + MINUTE)
    reminder_sweep.sweep(send_queue=tasks.send_queue, now=now + MINUTE)

    messages = worker_env.wait_for_emails(2)

    assert recipients(messages) == {case.owner.email: 1, "canary@example.com": 1}
    first.refresh_from_db()
    assert first.state == Reminder.State.SENT
    assert first.attempts == 1


def test_a_status_change_cancels_pending_and_claimed_rows(worker_env):
    waiting, claimed = waiting_case(), waiting_case()
    now = T0 + 3 * DAY + MINUTE
    services.move_case(
        case=waiting, to=Case.Status.NEEDS_ACTION, by=None, version=1, note="Send the ID again"
    )
    # Claimed and queued, then withdrawn before the worker gets to it.
    result = reminder_sweep.sweep(send_queue=tasks.send_queue, now=now)
    assert result.queued == [ladder(claimed)[0].pk]
    services.move_case(case=claimed, to=Case.Status.WITHDRAWN, by=claimed.owner, version=1)
    worker_env.start()
    canary(now + MINUTE)
    reminder_sweep.sweep(send_queue=tasks.send_queue, now=now + MINUTE)

    messages = worker_env.wait_for_emails(1)

    assert recipients(messages) == {"canary@example.com": 1}
    assert [r.state for r in ladder(waiting)] == [Reminder.State.CANCELLED]
    assert [r.state for r in ladder(claimed)] == [Reminder.State.CANCELLED]


def test_mail_errors_retry_then_mark_the_row_failed(worker_env):
    closed_port = free_port()
    worker = worker_env.start(
        SMTP_URL=f"smtp://127.0.0.1:{closed_port}",
        SMTP_TIMEOUT="2",
        REMINDER_MAX_ATTEMPTS="3",
        REMINDER_RETRY_BACKOFF_SECONDS="1",
        REMINDER_RETRY_BACKOFF_MAX_SECONDS="2",
    )
    [first] = ladder(waiting_case())
    reminder_sweep.sweep(send_queue=tasks.send_queue, now=first.due_at + MINUTE)

    def settled() -> bool:
        first.refresh_from_db()
        return first.state == Reminder.State.FAILED

    wait_for(settled, timeout=60, what="the reminder to fail")

    assert first.attempts == 3
    assert "ConnectionRefusedError" in first.last_error
    assert first.sending_since is None
    assert worker.log.count("Retry in") == 2
    assert worker_env.emails() == []
    assert ladder(first.case)[1:] == []  # no next rung after a failure


def test_broker_down_loses_nothing_and_catch_up_sends_one_email_per_case(
    worker_env, private_redis, time_machine
):
    worker_env.use_broker(private_redis.url)
    early = waiting_case()
    time_machine.move_to(T0 + 5 * MINUTE, tick=True)
    late = waiting_case()
    [early_rung], [late_rung] = ladder(early), ladder(late)

    # Claimed and queued, then the broker dies with the message in it (no persistence).
    assert reminder_sweep.sweep(
        send_queue=tasks.send_queue, now=early_rung.due_at + MINUTE
    ).queued == [early_rung.pk]
    private_redis.stop()
    worker = worker_env.start(wait=False)
    # Due while the broker is down: queuing fails, the row stays in the schedule.
    outage = reminder_sweep.sweep(send_queue=tasks.send_queue, now=late_rung.due_at + MINUTE)
    assert outage.queue_failed
    assert outage.queued == []
    early_rung.refresh_from_db()
    late_rung.refresh_from_db()
    assert early_rung.state == Reminder.State.SENDING
    assert (late_rung.state, late_rung.sending_since) == (Reminder.State.SCHEDULED, None)
    assert worker_env.emails() == []

    private_redis.start()
    worker.wait_ready(timeout=90)
    # Four weeks later: several rungs were missed, yet each case gets one email.
    catch_up = T0 + 30 * DAY
    assert sorted(reminder_sweep.sweep(send_queue=tasks.send_queue, now=catch_up).queued) == sorted(
        [early_rung.pk, late_rung.pk]
    )
    messages = worker_env.wait_for_emails(2, timeout=90)
    beacon = canary(catch_up + MINUTE)
    assert reminder_sweep.sweep(send_queue=tasks.send_queue, now=catch_up + MINUTE).queued == [
        beacon.pk
    ]
    messages = worker_env.wait_for_emails(3)

    assert recipients(messages) == {
        early.owner.email: 1,
        late.owner.email: 1,
        "canary@example.com": 1,
    }
    for case in (early, late):
        sent, following = ladder(case)
        assert sent.state == Reminder.State.SENT
        assert following.state == Reminder.State.SCHEDULED
        assert following.due_at > catch_up


def test_a_worker_killed_mid_send_leaves_a_lease_the_next_sweep_reclaims(worker_env, silent_smtp):
    hanging = worker_env.start(SMTP_URL=f"smtp://127.0.0.1:{silent_smtp.port}", SMTP_TIMEOUT="300")
    case = waiting_case()
    [first] = ladder(case)
    claimed_at = first.due_at + MINUTE
    reminder_sweep.sweep(send_queue=tasks.send_queue, now=claimed_at)
    assert silent_smtp.connected.wait(timeout=60), hanging.log

    hanging.kill()

    first.refresh_from_db()
    assert (first.state, first.sending_since, first.attempts) == (
        Reminder.State.SENDING,
        claimed_at,
        1,
    )
    worker_env.start()
    # The lease still runs: nothing is reclaimed yet.
    assert (
        reminder_sweep.sweep(send_queue=tasks.send_queue, now=claimed_at + LEASE - MINUTE).queued
        == []
    )
    reclaimed_at = claimed_at + LEASE + MINUTE
    assert reminder_sweep.sweep(send_queue=tasks.send_queue, now=reclaimed_at).queued == [first.pk]
    [message] = worker_env.wait_for_emails(1)
    # Should the broker ever redeliver the killed worker's task, its lease is gone.
    tasks.send_reminder.apply_async(
        kwargs={"reminder_id": first.pk, "lease": claimed_at.isoformat()}
    )
    canary(reclaimed_at + MINUTE)
    reminder_sweep.sweep(send_queue=tasks.send_queue, now=reclaimed_at + MINUTE)
    messages = worker_env.wait_for_emails(2)

    assert recipients(messages) == {case.owner.email: 1, "canary@example.com": 1}
    first.refresh_from_db()
    assert (first.state, first.attempts) == (Reminder.State.SENT, 2)
    # The killed attempt may have delivered its email before it died: agents see it counted.
    assert first.is_possible_duplicate
    assert message["Message-ID"] == f"<reminder-{first.pk}@closeout.example>"


def test_a_connected_worker_leaves_a_heartbeat_for_the_dashboard(worker_env):
    beat_file = worker_env.tmp_path / "worker-heartbeat"
    worker_env.start(WORKER_HEARTBEAT_SECONDS="1", WORKER_HEARTBEAT_FILE=str(beat_file))

    def beats() -> list[WorkerHeartbeat]:
        return list(WorkerHeartbeat.objects.exclude(name=WorkerHeartbeat.SWEEP))

    [row] = wait_for(beats, timeout=20, what="the worker's heartbeat row")
    assert row.name.startswith(f"{worker_env.queue}-1@")
    assert beat_file.exists()
    first_seen = row.seen_at
    wait_for(
        lambda: WorkerHeartbeat.objects.get(pk=row.pk).seen_at > first_seen,
        timeout=20,
        what="a second beat",
    )
