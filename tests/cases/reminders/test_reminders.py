"""The reminder sweep, the send service and the customer's stop and snooze (unit level)."""

import datetime as dt
import smtplib
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from kombu import Connection, Producer
from kombu.exceptions import OperationalError

from cases import services, tasks
from cases.models import Case, CaseEvent, Reminder
from cases.reminders import controls, schedule, send
from cases.reminders import sweep as reminder_sweep
from cases.transitions import CaseChanged
from config.celery import app as celery_app
from tests import factories
from tests.cases.reminders.helpers import DAY, T0, ladder, waiting_case

pytestmark = pytest.mark.django_db

LEASE = dt.timedelta(seconds=settings.REMINDER_LEASE_SECONDS)


class FailingMailer:
    """A mail backend whose server refuses every message."""

    def __init__(self, **kwargs) -> None:
        pass

    def send_messages(self, messages) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class WorkerKilled(BaseException):
    """What a SIGKILL does to a send, in-process: nothing after it runs, no handler sees it."""


class DyingMailer:
    """A mail backend whose worker dies in the middle of the SMTP conversation."""

    def __init__(self, **kwargs) -> None:
        pass

    def send_messages(self, messages) -> int:
        raise WorkerKilled


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(T0, tick=False)


@pytest.fixture
def queued(monkeypatch):
    """The send tasks the sweep queued, as (reminder id, lease) pairs; nothing reaches a broker."""
    calls = []

    def publisher(producer):
        return lambda reminder_id, lease: calls.append((reminder_id, lease))

    monkeypatch.setattr(tasks, "_batch_publisher", publisher)
    return calls


def sweep(now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return reminder_sweep.sweep(send_queue=tasks.send_queue, now=now)


def claim(case, now, capture) -> tuple[Reminder, dt.datetime]:
    result = sweep(now, capture)
    assert len(result.queued) == 1
    return Reminder.objects.get(pk=result.queued[0]), now


class TestSchedule:
    def test_first_rung_at_the_providers_typical_time(self):
        case = waiting_case(provider=factories.ProviderFactory(typical_review_days=5))
        [first] = ladder(case)
        assert first.due_at == T0 + 5 * DAY
        assert case.stall_at == T0 + 10 * DAY

    def test_intervals_grow_and_are_capped(self, settings):
        settings.REMINDER_INTERVAL_CAP_DAYS = 10
        case = waiting_case()
        days = [schedule.ladder_interval(case=case, sequence=n).days for n in range(4)]
        assert days == [3, 6, 10, 10]

    def test_mail_hours_move_a_late_evening_to_the_next_morning(self):
        evening = dt.datetime(2031, 3, 3, 21, 30, tzinfo=dt.UTC)
        morning = schedule.within_customer_hours(evening, time_zone="Asia/Shanghai")
        # 21:30 UTC is 05:30 in Shanghai: that morning's opening, 08:00 local = 00:00 UTC.
        assert morning == dt.datetime(2031, 3, 4, 0, 0, tzinfo=dt.UTC)


class TestSweep:
    def test_due_reminder_is_claimed_and_queued_once(
        self, queued, django_capture_on_commit_callbacks
    ):
        case = waiting_case()
        [first] = ladder(case)
        now = first.due_at + dt.timedelta(minutes=1)

        sweep(now, django_capture_on_commit_callbacks)
        sweep(now, django_capture_on_commit_callbacks)

        first.refresh_from_db()
        assert queued == [(first.pk, now)]
        assert first.state == Reminder.State.SENDING
        assert first.sending_since == now

    def test_nothing_before_it_is_due(self, queued, django_capture_on_commit_callbacks):
        [first] = ladder(waiting_case())
        sweep(first.due_at - dt.timedelta(seconds=1), django_capture_on_commit_callbacks)
        assert queued == []

    def test_expired_lease_is_reclaimed_with_a_new_lease(
        self, queued, django_capture_on_commit_callbacks
    ):
        [first] = ladder(waiting_case())
        claimed_at = first.due_at
        sweep(claimed_at, django_capture_on_commit_callbacks)
        sweep(claimed_at + LEASE - dt.timedelta(seconds=1), django_capture_on_commit_callbacks)
        later = claimed_at + LEASE + dt.timedelta(seconds=1)
        sweep(later, django_capture_on_commit_callbacks)
        assert queued == [(first.pk, claimed_at), (first.pk, later)]

    def test_batches_cover_every_due_row(
        self, queued, settings, django_capture_on_commit_callbacks
    ):
        settings.REMINDER_SWEEP_BATCH = 2
        cases = [waiting_case() for _ in range(5)]
        result = sweep(T0 + 4 * DAY, django_capture_on_commit_callbacks)
        assert sorted(result.queued) == sorted(ladder(case)[0].pk for case in cases)

    @pytest.mark.redis
    def test_each_batch_reaches_the_broker_over_one_producer(
        self, settings, monkeypatch, django_capture_on_commit_callbacks
    ):
        settings.REMINDER_SWEEP_BATCH = 20
        rungs = [ladder(waiting_case())[0] for _ in range(30)]
        acquired = []
        acquire = celery_app.producer_or_acquire

        def counting(producer=None):
            acquired.append(producer)
            return acquire(producer)

        monkeypatch.setattr(celery_app, "producer_or_acquire", counting)
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(queue)
            result = sweep(T0 + 4 * DAY, django_capture_on_commit_callbacks)
            messages = [conn.default_channel.basic_get(queue, no_ack=True) for _ in range(31)]

        assert sorted(result.queued) == sorted(rung.pk for rung in rungs)
        # One producer from the pool per batch of 20; every send of the batch reuses it.
        assert acquired.count(None) == 2
        assert messages[-1] is None
        sent = [(m.headers["task"], m.decode()[1]["reminder_id"]) for m in messages[:-1]]
        assert sorted(sent) == sorted(("cases.tasks.send_reminder", pk) for pk in result.queued)

    def test_a_batch_publishes_the_message_apply_async_would(self):
        lease = T0 + 4 * DAY
        published = []
        with Connection("memory://") as conn:
            producer = Producer(conn)
            producer.publish = lambda body, **options: published.append((body, options))
            tasks._queue_send(7, lease, producer=producer)  # through send_reminder.apply_async
            tasks._batch_publisher(producer)(7, lease)
        [(body, options), (batch_body, batch_options)] = published
        assert batch_body == body
        ids = {options["correlation_id"]: batch_options["correlation_id"]}
        for key in ("id", "root_id"):  # each message has its own id
            assert ids[options["headers"][key]] == batch_options["headers"][key]
            batch_options["headers"][key] = options["headers"][key]
        batch_options["correlation_id"] = options["correlation_id"]
        assert batch_options == options
        assert options["headers"]["task"] == "cases.tasks.send_reminder"

    def test_broker_down_leaves_rows_scheduled_for_the_next_sweep(
        self, monkeypatch, django_capture_on_commit_callbacks
    ):
        [first] = ladder(waiting_case())
        refused = mock.Mock(side_effect=OperationalError("Connection refused"))
        monkeypatch.setattr(tasks, "_batch_publisher", lambda producer: refused)

        result = sweep(first.due_at, django_capture_on_commit_callbacks)

        first.refresh_from_db()
        assert result.queue_failed
        assert result.queued == []
        assert (first.state, first.sending_since) == (Reminder.State.SCHEDULED, None)
        assert refused.call_count == 1

    def test_outside_mail_hours_waits_for_the_morning(
        self, queued, django_capture_on_commit_callbacks
    ):
        case = waiting_case(time_zone="Asia/Shanghai")
        [first] = ladder(case)
        night = dt.datetime(2031, 3, 6, 15, 0, tzinfo=dt.UTC)  # 23:00 in Shanghai
        sweep(night, django_capture_on_commit_callbacks)
        first.refresh_from_db()
        assert queued == []
        assert first.state == Reminder.State.SCHEDULED
        assert first.due_at == dt.datetime(2031, 3, 7, 0, 0, tzinfo=dt.UTC)  # 08:00 local

    def test_rows_held_for_mail_hours_are_moved_in_one_statement(
        self, queued, django_capture_on_commit_callbacks
    ):
        shanghai = [ladder(waiting_case(time_zone="Asia/Shanghai"))[0] for _ in range(5)]
        tokyo = [ladder(waiting_case(time_zone="Asia/Tokyo"))[0] for _ in range(5)]
        night = dt.datetime(2031, 3, 6, 15, 30, tzinfo=dt.UTC)  # 23:30 and 00:30 local
        with CaptureQueriesContext(connection) as queries:
            result = sweep(night, django_capture_on_commit_callbacks)
        updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "cases_reminder"')]
        assert (result.rescheduled, len(updates)) == (10, 1)
        # 08:00 the next morning: 00:00 UTC in Shanghai, 23:00 UTC the evening before in Tokyo.
        mornings = (
            (shanghai, dt.datetime(2031, 3, 7, 0, 0, tzinfo=dt.UTC)),
            (tokyo, dt.datetime(2031, 3, 6, 23, 0, tzinfo=dt.UTC)),
        )
        morning = {rung.pk: due for rungs, due in mornings for rung in rungs}
        assert dict(Reminder.objects.values_list("pk", "due_at")) == morning

    def test_a_batch_of_every_verdict_costs_the_same_queries_as_one_row(
        self, queued, django_capture_on_commit_callbacks
    ):
        """The sweep loads only what verdict() reads: a field it reads but the claim left out
        would cost one query per row, which a bigger batch would show here."""

        def queries_for(rows: int) -> int:
            for _ in range(rows):
                waiting_case()  # sent
                waiting_case(time_zone="Asia/Shanghai")  # held for mail hours
                stopped = waiting_case()
                stopped.reminders_stopped_at = T0
                stopped.save(update_fields=["reminders_stopped_at"])  # cancelled
                snoozed = waiting_case()
                snoozed.snoozed_until = T0 + 30 * DAY
                snoozed.save(update_fields=["snoozed_until"])  # held for the snooze
            with CaptureQueriesContext(connection) as captured:
                sweep(
                    dt.datetime(2031, 3, 6, 12, 0, tzinfo=dt.UTC),
                    django_capture_on_commit_callbacks,
                )
            Reminder.objects.all().delete()
            return len(captured)

        assert queries_for(1) == queries_for(6)

    def test_status_change_cancels_pending_rows(self, queued, django_capture_on_commit_callbacks):
        case = waiting_case()
        services.move_case(
            case=case, to=Case.Status.NEEDS_ACTION, by=None, version=case.version, note="ID photo"
        )
        assert [r.state for r in ladder(case)] == [Reminder.State.CANCELLED]
        sweep(T0 + 30 * DAY, django_capture_on_commit_callbacks)
        assert queued == []

    def test_stopped_case_is_cancelled_not_sent(self, queued, django_capture_on_commit_callbacks):
        case = waiting_case()
        Case.objects.filter(pk=case.pk).update(reminders_stopped_at=T0)
        sweep(T0 + 4 * DAY, django_capture_on_commit_callbacks)
        assert queued == []
        assert [r.state for r in ladder(case)] == [Reminder.State.CANCELLED]

    def test_stall_is_flagged_once_for_agents(self, queued, django_capture_on_commit_callbacks):
        case = waiting_case()
        sweep(case.stall_at - dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
        assert not Case.objects.get(pk=case.pk).is_stalled
        sweep(case.stall_at, django_capture_on_commit_callbacks)
        sweep(case.stall_at + DAY, django_capture_on_commit_callbacks)
        case.refresh_from_db()
        [event] = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STALLED)
        assert case.is_stalled
        assert event.visibility == CaseEvent.Visibility.INTERNAL


class TestSend:
    def test_sends_once_marks_sent_and_schedules_the_next_rung_from_now(
        self, queued, mailoutbox, django_capture_on_commit_callbacks
    ):
        case = waiting_case()
        # Fell ten days behind: one email now, the next rung one interval after now.
        first, lease = claim(case, T0 + 13 * DAY, django_capture_on_commit_callbacks)

        outcome = send.send_reminder(reminder_id=first.pk, lease=lease)

        first.refresh_from_db()
        assert outcome is send.Sent.SENT
        assert len(mailoutbox) == 1
        assert first.state == Reminder.State.SENT
        assert (first.sent_at, first.attempts) == (lease, 1)
        assert first.message_id == f"<reminder-{first.pk}@127.0.0.1>"
        _, second = ladder(case)
        assert (second.sequence, second.state) == (1, Reminder.State.SCHEDULED)
        assert second.due_at == lease + 3 * DAY
        assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.REMINDER).count() == 1

    def test_a_second_delivery_of_the_task_sends_nothing(
        self, queued, mailoutbox, django_capture_on_commit_callbacks
    ):
        first, lease = claim(waiting_case(), T0 + 3 * DAY, django_capture_on_commit_callbacks)
        send.send_reminder(reminder_id=first.pk, lease=lease)
        again = send.send_reminder(reminder_id=first.pk, lease=lease)
        assert again is send.Sent.SKIPPED
        assert len(mailoutbox) == 1

    def test_a_task_from_a_reclaimed_lease_sends_nothing(
        self, queued, mailoutbox, django_capture_on_commit_callbacks
    ):
        first, old = claim(waiting_case(), T0 + 3 * DAY, django_capture_on_commit_callbacks)
        sweep(old + LEASE + dt.timedelta(seconds=1), django_capture_on_commit_callbacks)
        assert send.send_reminder(reminder_id=first.pk, lease=old) is send.Sent.SKIPPED
        assert mailoutbox == []

    def test_a_cancel_after_the_claim_wins(
        self, queued, mailoutbox, django_capture_on_commit_callbacks
    ):
        case = waiting_case()
        first, lease = claim(case, T0 + 3 * DAY, django_capture_on_commit_callbacks)
        services.move_case(case=case, to=Case.Status.WITHDRAWN, by=case.owner, version=1)
        assert send.send_reminder(reminder_id=first.pk, lease=lease) is send.Sent.SKIPPED
        assert mailoutbox == []

    def test_mail_error_is_recorded_and_raised_then_fails_on_the_last_attempt(
        self, queued, mailoutbox, settings, django_capture_on_commit_callbacks
    ):
        settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingMailer"}}
        settings.REMINDER_MAX_ATTEMPTS = 2
        first, lease = claim(waiting_case(), T0 + 3 * DAY, django_capture_on_commit_callbacks)

        with pytest.raises(smtplib.SMTPServerDisconnected):
            send.send_reminder(reminder_id=first.pk, lease=lease)
        first.refresh_from_db()
        assert (first.state, first.attempts) == (Reminder.State.SENDING, 1)
        assert "SMTPServerDisconnected" in first.last_error

        outcome = send.send_reminder(reminder_id=first.pk, lease=lease)
        first.refresh_from_db()
        assert outcome is send.Sent.FAILED
        assert (first.state, first.attempts, first.sending_since) == (
            Reminder.State.FAILED,
            2,
            None,
        )
        assert ladder(first.case)[1:] == []

    def test_a_send_cut_off_mid_way_marks_the_next_one_a_possible_duplicate(
        self, queued, mailoutbox, settings, django_capture_on_commit_callbacks
    ):
        mailers = settings.MAILERS
        settings.MAILERS = {"default": {"BACKEND": f"{__name__}.DyingMailer"}}
        first, lease = claim(waiting_case(), T0 + 3 * DAY, django_capture_on_commit_callbacks)
        with pytest.raises(WorkerKilled):
            send.send_reminder(reminder_id=first.pk, lease=lease)
        settings.MAILERS = mailers
        reclaimed = lease + LEASE + dt.timedelta(minutes=1)
        assert sweep(reclaimed, django_capture_on_commit_callbacks).queued == [first.pk]

        assert send.send_reminder(reminder_id=first.pk, lease=reclaimed) is send.Sent.SENT

        first.refresh_from_db()
        assert (first.state, first.attempts, first.is_possible_duplicate) == (
            Reminder.State.SENT,
            2,
            True,
        )
        assert first.attempt_started_at is None
        assert len(mailoutbox) == 1  # here; the killed attempt's email may also have left

    def test_a_retry_after_a_mail_error_is_not_a_possible_duplicate(
        self, queued, mailoutbox, settings, django_capture_on_commit_callbacks
    ):
        mailers = settings.MAILERS
        settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingMailer"}}
        first, lease = claim(waiting_case(), T0 + 3 * DAY, django_capture_on_commit_callbacks)
        with pytest.raises(smtplib.SMTPServerDisconnected):
            send.send_reminder(reminder_id=first.pk, lease=lease)
        settings.MAILERS = mailers

        assert send.send_reminder(reminder_id=first.pk, lease=lease) is send.Sent.SENT

        first.refresh_from_db()
        assert (first.attempts, first.is_possible_duplicate) == (2, False)
        assert len(mailoutbox) == 1

    def test_snoozed_after_the_claim_goes_back_to_the_schedule(
        self, queued, mailoutbox, django_capture_on_commit_callbacks
    ):
        case = waiting_case()
        first, lease = claim(case, T0 + 3 * DAY, django_capture_on_commit_callbacks)
        Case.objects.filter(pk=case.pk).update(snoozed_until=T0 + 10 * DAY)
        outcome = send.send_reminder(reminder_id=first.pk, lease=lease)
        first.refresh_from_db()
        assert outcome is send.Sent.RESCHEDULED
        assert (first.state, first.due_at) == (Reminder.State.SCHEDULED, T0 + 10 * DAY)
        assert mailoutbox == []

    def test_task_policy_keeps_retries_inside_the_visibility_timeout(self):
        task = tasks.send_reminder
        visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
        assert task.acks_late
        assert task.reject_on_worker_lost
        assert task.max_retries == settings.REMINDER_MAX_ATTEMPTS - 1
        assert task.retry_backoff_max < visibility
        longest = min(
            settings.REMINDER_RETRY_BACKOFF_SECONDS * 2 ** (task.max_retries - 1),
            task.retry_backoff_max,
        )
        assert longest < visibility

    def test_beat_runs_the_sweep(self):
        entry = settings.CELERY_BEAT_SCHEDULE["sweep-reminders"]
        assert entry["task"] == tasks.sweep_reminders.name
        assert entry["schedule"] == settings.REMINDER_SWEEP_SECONDS


class TestStopAndSnooze:
    @pytest.mark.parametrize("control", ["stop", "resume", "snooze"])
    def test_a_stale_version_is_refused_and_nothing_changes(self, customer, control):
        case = waiting_case(owner=customer)
        Case.objects.filter(pk=case.pk).update(version=case.version + 1)
        calls = {
            "stop": lambda: controls.stop_reminders(case=case, by=customer, version=case.version),
            "resume": lambda: controls.resume_reminders(
                case=case, by=customer, version=case.version
            ),
            "snooze": lambda: controls.snooze_reminders(
                case=case, until=T0 + 3 * DAY, by=customer, version=case.version
            ),
        }
        with pytest.raises(CaseChanged) as refused:
            calls[control]()
        assert refused.value.case.version == case.version + 1
        assert not case.events.filter(kind=CaseEvent.Kind.REMINDER).exists()
        assert [r.state for r in ladder(case)] == [Reminder.State.SCHEDULED]

    def test_stop_cancels_this_case_only_and_records_it(self, customer):
        case, other = waiting_case(owner=customer), waiting_case(owner=customer)
        assert controls.stop_reminders(case=case, by=customer, version=case.version)
        assert not controls.stop_reminders(case=case, by=customer, version=case.version + 1)
        case.refresh_from_db()
        assert case.reminders_stopped_at == T0
        assert [r.state for r in ladder(case)] == [Reminder.State.CANCELLED]
        assert [r.state for r in ladder(other)] == [Reminder.State.SCHEDULED]
        assert case.events.filter(kind=CaseEvent.Kind.REMINDER).count() == 1

    def test_resume_schedules_the_next_rung(self, customer):
        case = waiting_case(owner=customer)
        controls.stop_reminders(case=case, by=customer, version=case.version)
        assert controls.resume_reminders(case=case, by=customer, version=case.version + 1)
        case.refresh_from_db()
        assert case.reminders_stopped_at is None
        assert [r.state for r in ladder(case)] == [
            Reminder.State.CANCELLED,
            Reminder.State.SCHEDULED,
        ]

    def test_snooze_moves_pending_rows_after_it(self, customer):
        case = waiting_case(owner=customer)
        until = schedule.snooze_end(case=case, day=dt.date(2031, 3, 20))
        assert (
            controls.snooze_reminders(case=case, until=until, by=customer, version=case.version)
            == 1
        )
        [first] = ladder(case)
        assert until == dt.datetime(2031, 3, 20, 8, 0, tzinfo=dt.UTC)
        assert (first.state, first.due_at) == (Reminder.State.SCHEDULED, until)


def claim_plan(claimable) -> str:
    with transaction.atomic():
        return (
            claimable.select_related("case")
            .select_for_update(skip_locked=True, of=("self",))[: settings.REMINDER_SWEEP_BATCH]
            .explain()
        )


@pytest.mark.postgres
def test_the_sweep_reads_only_due_rows_through_the_partial_indexes():
    case = waiting_case()
    past, future = T0 - 400 * DAY, T0 + 30 * DAY
    states = [Reminder.State.SCHEDULED, Reminder.State.SENDING] + [Reminder.State.SENT] * 8
    rows = [
        Reminder(
            case=case,
            kind=Reminder.Kind.FOLLOW_UP,
            period_started_at=T0,
            sequence=n,
            due_at=future if n % 10 == 0 else past,
            state=states[n % 10],
            sending_since=T0 if n % 10 == 1 else None,
        )
        for n in range(1, 20_001)
    ]
    Reminder.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_reminder")
    # An Index Scan or a Bitmap Index Scan, depending on the statistics; either reads the
    # partial index up to `now`, never the sent and cancelled history, and the due rows' scan
    # never steps over rows claimed (sending) a batch earlier.
    for claimable, index in (
        (Reminder.objects.due(T0), "reminder_scheduled_due_idx"),
        (Reminder.objects.lease_expired(T0 + 30 * DAY), "reminder_sending_lease_idx"),
    ):
        plan = claim_plan(claimable)
        assert f"Index Scan using {index}" in plan or f"Bitmap Index Scan on {index}" in plan, plan
        assert "Seq Scan on cases_reminder" not in plan, plan
