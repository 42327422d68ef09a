"""Reminders (DESIGN.md "Reminders"): which rows a waiting period, a completion or a follow-up
puts in the outbox (written in the caller's transaction); the sweep that claims due rows and
queues their sends; the send itself, once per claim; the customer's stop and snooze."""

import datetime as dt
import enum
import logging
import zoneinfo
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.models import User
from cases import emails
from cases.models import Case, CaseEvent, Reminder


def typical_days(case: Case) -> int:
    operator = case.is_operator_journey
    if case.provider_id:
        return case.provider.typical_days(waiting_for_operator=operator)
    return settings.TYPICAL_OPERATOR_DAYS if operator else settings.TYPICAL_REVIEW_DAYS


def ladder_interval(*, case: Case, sequence: int) -> dt.timedelta:
    """The wait before rung `sequence` + 1: the typical time, growing each rung, capped."""
    days = typical_days(case) * settings.REMINDER_INTERVAL_GROWTH ** max(sequence, 0)
    return dt.timedelta(days=min(days, settings.REMINDER_INTERVAL_CAP_DAYS))


def within_customer_hours(moment: dt.datetime, *, time_zone: str) -> dt.datetime:
    """`moment`, or the next start of the customer's mail hours if it falls outside them."""
    start_hour, end_hour = settings.CUSTOMER_MAIL_HOURS
    local = moment.astimezone(zone(time_zone))
    if start_hour <= local.hour < end_hour:
        return moment
    day = local.date() if local.hour < start_hour else local.date() + dt.timedelta(days=1)
    opening = dt.datetime.combine(day, dt.time(start_hour), tzinfo=local.tzinfo)
    return opening.astimezone(dt.UTC)


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def start_waiting_period(*, case: Case) -> None:
    """Stamp the wait's clock on `case` (caller saves it) and schedule the ladder's first rung."""
    if case.is_waiting:
        now = timezone.now()
        days = typical_days(case)
        case.waiting_since = now
        case.expected_by = now + dt.timedelta(days=days)
        case.stall_at = now + dt.timedelta(days=2 * days)
        case.is_stalled = False
        schedule_ladder_rung(case=case, sequence=0, due_at=case.expected_by)
    elif case.status == Case.Status.COMPLETED:
        completed_at = case.completed_at or timezone.now()
        due = completed_at + dt.timedelta(days=settings.BILLING_CYCLE_DAYS)
        Reminder.objects.create(
            case=case,
            kind=Reminder.Kind.BILLING_CHECK,
            period_started_at=completed_at,
            due_at=within_customer_hours(due, time_zone=case.time_zone),
        )


def end_waiting_period(*, case: Case) -> int:
    """Cancel what the period `case` is leaving had scheduled; clear its clock. Returns count."""
    pending = Reminder.objects.pending().filter(case=case)
    if case.status == Case.Status.COMPLETED:
        pending = pending.filter(kind=Reminder.Kind.BILLING_CHECK)
    else:
        pending = pending.filter(kind=Reminder.Kind.LADDER)
    cancelled = pending.update(state=Reminder.State.CANCELLED, sending_since=None)
    case.waiting_since = case.stall_at = None
    case.is_stalled = False
    return cancelled


def cancel_all(*, case: Case) -> int:
    """Cancel every pending reminder of `case` (withdrawn, or reminders stopped)."""
    return (
        Reminder.objects.pending()
        .filter(case=case)
        .exclude(kind=Reminder.Kind.AGENT_MESSAGE)
        .update(state=Reminder.State.CANCELLED, sending_since=None)
    )


def schedule_ladder_rung(*, case: Case, sequence: int, due_at: dt.datetime) -> Reminder:
    return Reminder.objects.create(
        case=case,
        kind=Reminder.Kind.LADDER,
        period_started_at=case.waiting_since,
        sequence=sequence,
        due_at=within_customer_hours(due_at, time_zone=case.time_zone),
    )


# --- The sweep: claim what is due, queue one send each (DESIGN.md "Reminders") ---------------

log = logging.getLogger(__name__)


class Verdict(enum.Enum):
    SEND = "send"
    CANCEL = "cancel"
    LATER = "later"


def verdict(reminder: Reminder, *, now: dt.datetime) -> tuple[Verdict, dt.datetime | None]:
    """Whether `reminder` may go out at `now`: send, cancel it, or move it to a later time."""
    case = reminder.case
    kind = reminder.kind
    if kind != Reminder.Kind.AGENT_MESSAGE and case.reminders_stopped_at is not None:
        return Verdict.CANCEL, None
    if case.owner_id is None:
        return Verdict.CANCEL, None
    if kind == Reminder.Kind.LADDER and not (
        case.is_waiting and case.waiting_since == reminder.period_started_at
    ):
        return Verdict.CANCEL, None
    if kind == Reminder.Kind.BILLING_CHECK and (
        case.status != Case.Status.COMPLETED or case.billing_verified_at is not None
    ):
        return Verdict.CANCEL, None
    if kind == Reminder.Kind.FOLLOW_UP and not case.is_open:
        return Verdict.CANCEL, None
    if kind != Reminder.Kind.AGENT_MESSAGE and case.snoozed_until and case.snoozed_until > now:
        return Verdict.LATER, within_customer_hours(case.snoozed_until, time_zone=case.time_zone)
    opening = within_customer_hours(now, time_zone=case.time_zone)
    if opening != now:
        return Verdict.LATER, opening
    return Verdict.SEND, None


def claimable(now: dt.datetime):
    """Due scheduled rows and sending rows whose lease ran out, oldest first.

    `state IN (scheduled, sending) AND due_at <= now` is the partial index's own predicate, so
    PostgreSQL walks reminder_pending_due_idx up to `now` and reads nothing that is not due.
    """
    lease = dt.timedelta(seconds=settings.REMINDER_LEASE_SECONDS)
    return (
        Reminder.objects.pending()
        .filter(due_at__lte=now)
        .filter(Q(state=Reminder.State.SCHEDULED) | Q(sending_since__lt=now - lease))
        .order_by("due_at")
    )


@dataclass
class SweepResult:
    queued: list[int] = field(default_factory=list)
    rescheduled: int = 0
    cancelled: int = 0
    stalled: int = 0
    queue_failed: bool = False


def sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Flag stalled cases, then claim due reminders batch by batch and queue one send each."""
    now = now or timezone.now()
    result = SweepResult()
    result.stalled = flag_stalled(now=now)
    while not result.queue_failed:
        with transaction.atomic():
            batch = list(
                claimable(now)
                .select_related("case", "case__provider")
                .select_for_update(skip_locked=True, of=("self",))[: settings.REMINDER_SWEEP_BATCH]
            )
            claimed = _settle_batch(batch, now=now, result=result)
            if claimed:
                # A row is marked sending in this transaction and queued only once it commits, so
                # a worker never sees a row it cannot read yet.
                transaction.on_commit(
                    partial(_queue_sends, claimed, lease=now, result=result), robust=True
                )
        if len(batch) < settings.REMINDER_SWEEP_BATCH:
            break
    return result


def _settle_batch(batch: list[Reminder], *, now: dt.datetime, result: SweepResult) -> list[int]:
    """Decide each row of a locked batch; mark the sendable ones sending. Returns their ids."""
    claimed, cancelled, later = [], [], []
    for reminder in batch:
        action, due_at = verdict(reminder, now=now)
        if action is Verdict.SEND:
            claimed.append(reminder.pk)
        elif action is Verdict.CANCEL:
            cancelled.append(reminder.pk)
        else:
            reminder.state, reminder.due_at, reminder.sending_since = (
                Reminder.State.SCHEDULED,
                due_at,
                None,
            )
            later.append(reminder)
    Reminder.objects.filter(pk__in=claimed).update(state=Reminder.State.SENDING, sending_since=now)
    Reminder.objects.filter(pk__in=cancelled).update(
        state=Reminder.State.CANCELLED, sending_since=None
    )
    Reminder.objects.bulk_update(later, ["state", "due_at", "sending_since"])
    result.cancelled += len(cancelled)
    result.rescheduled += len(later)
    return claimed


def _queue_sends(ids: list[int], *, lease: dt.datetime, result: SweepResult) -> None:
    """Queue a send task per claimed row; if the broker is down, hand the rest back at once."""
    # cases.tasks imports this module.
    from cases import tasks

    for position, reminder_id in enumerate(ids):
        try:
            tasks.send_reminder.apply_async(
                kwargs={"reminder_id": reminder_id, "lease": lease.isoformat()},
                retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
            )
        except Exception:
            # Back to scheduled (if still ours), so the next sweep queues them without waiting
            # out the lease; should this update fail too, the lease's expiry still brings them back.
            log.warning("Could not queue reminder sends; the next sweep retries", exc_info=True)
            Reminder.objects.filter(
                pk__in=ids[position:], state=Reminder.State.SENDING, sending_since=lease
            ).update(state=Reminder.State.SCHEDULED, sending_since=None)
            result.queue_failed = True
            return
        result.queued.append(reminder_id)


def flag_stalled(*, now: dt.datetime) -> int:
    """Flag cases that waited twice the typical time, once each, for the agents' queue."""
    flagged = 0
    while True:
        with transaction.atomic():
            cases = list(
                Case.objects.due_to_stall(now)
                .order_by("stall_at")
                .select_for_update(skip_locked=True)[: settings.REMINDER_SWEEP_BATCH]
                .values_list("pk", flat=True)
            )
            Case.objects.filter(pk__in=cases).update(is_stalled=True)
            CaseEvent.objects.bulk_create(
                CaseEvent(
                    case_id=pk,
                    kind=CaseEvent.Kind.STALLED,
                    actor_role=CaseEvent.Actor.SYSTEM,
                    visibility=CaseEvent.Visibility.INTERNAL,
                    text=gettext_noop("Waited twice the provider's typical time."),
                )
                for pk in cases
            )
        flagged += len(cases)
        if len(cases) < settings.REMINDER_SWEEP_BATCH:
            return flagged


# --- The send: exactly once per lease -----------------------------------------------------------


class Sent(enum.Enum):
    SENT = "sent"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    FAILED = "failed"


def send_reminder(*, reminder_id: int, lease: dt.datetime, final_attempt: bool = False) -> Sent:
    """Send the reminder the sweep claimed at `lease`, at most once, and schedule the next rung.

    A mail error is recorded and raised so the task retries; on the last attempt the row fails.
    """
    if not _begin_attempt(reminder_id=reminder_id, lease=lease):
        return Sent.SKIPPED
    error = None
    with transaction.atomic():
        # The lock is held through the SMTP conversation: a duplicate task, a cancel or a snooze
        # waits for it instead of racing it.
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("case", "case__provider", "case__owner")
            .filter(pk=reminder_id)
            .first()
        )
        if not _holds_lease(reminder, lease):
            return Sent.SKIPPED
        # The later of this clock and the claim: a worker clock behind the sweep's must not put
        # the next rung in the past (a burst on the next sweep).
        now = max(timezone.now(), lease)
        action, due_at = verdict(reminder, now=now)
        if action is Verdict.CANCEL:
            _finish(reminder, state=Reminder.State.CANCELLED)
            return Sent.CANCELLED
        if action is Verdict.LATER:
            reminder.due_at = due_at
            _finish(reminder, state=Reminder.State.SCHEDULED, fields=["due_at"])
            return Sent.RESCHEDULED
        message = emails.reminder_message(reminder=reminder, now=now)
        try:
            message.send()
        except OSError as exc:  # smtplib.SMTPException, refused and timed-out connections
            error = exc
            reminder.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if final_attempt or reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS:
                _finish(reminder, state=Reminder.State.FAILED, fields=["last_error"])
                log.error("Reminder %s failed: %s", reminder.pk, reminder.last_error)
                return Sent.FAILED
            reminder.save(update_fields=["last_error"])
        else:
            reminder.sent_at = now
            reminder.message_id = message.extra_headers["Message-ID"]
            reminder.last_error = ""
            _finish(
                reminder,
                state=Reminder.State.SENT,
                fields=["sent_at", "message_id", "last_error"],
            )
            _after_sent(reminder, now=now)
            return Sent.SENT
    raise error


def _begin_attempt(*, reminder_id: int, lease: dt.datetime) -> bool:
    """Count the attempt in its own transaction, so even a worker killed mid-send counts."""
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
        if not _holds_lease(reminder, lease):
            return False
        if reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS:
            reminder.last_error = reminder.last_error or gettext("Gave up after repeated attempts.")
            _finish(reminder, state=Reminder.State.FAILED, fields=["last_error"])
            return False
        reminder.attempts += 1
        reminder.save(update_fields=["attempts"])
        return True


def _holds_lease(reminder: Reminder | None, lease: dt.datetime) -> bool:
    # The sweep stamps each claim with its own time: a task from an earlier claim (a duplicate
    # delivery, or one whose lease was reclaimed) no longer matches and sends nothing.
    return (
        reminder is not None
        and reminder.state == Reminder.State.SENDING
        and reminder.sending_since == lease
    )


def _finish(reminder: Reminder, *, state: str, fields: list[str] = ()) -> None:
    reminder.state, reminder.sending_since = state, None
    reminder.save(update_fields=["state", "sending_since", *fields])


def _after_sent(reminder: Reminder, *, now: dt.datetime) -> None:
    case = reminder.case
    if reminder.kind == Reminder.Kind.LADDER:
        # From now, not from the missed due time: a case that fell behind gets one email.
        due_at = now + ladder_interval(case=case, sequence=reminder.sequence)
        Reminder.objects.get_or_create(
            case=case,
            kind=Reminder.Kind.LADDER,
            period_started_at=reminder.period_started_at,
            sequence=reminder.sequence + 1,
            defaults={"due_at": within_customer_hours(due_at, time_zone=case.time_zone)},
        )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.REMINDER,
        actor_role=CaseEvent.Actor.SYSTEM,
        visibility=CaseEvent.Visibility.CUSTOMER,
        text=gettext_noop("Reminder email sent."),
    )


# --- The customer's controls: stop and snooze ---------------------------------------------------


@transaction.atomic
def stop_reminders(*, case: Case, by: User | None) -> bool:
    """Stop every reminder email for `case`. `by` is None for the email's one-click link."""
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if case.reminders_stopped_at is not None:
        return False
    now = timezone.now()
    case.reminders_stopped_at = case.last_activity_at = now
    cancel_all(case=case)
    if by is None:
        text = gettext_noop("Reminder emails stopped from the link in a reminder email.")
    else:
        text = gettext_noop("Reminder emails stopped.")
    _record(case=case, by=by, text=text)
    case.save(update_fields=["reminders_stopped_at", "last_activity_at"])
    return True


@transaction.atomic
def resume_reminders(*, case: Case, by: User) -> bool:
    """Undo a stop: a waiting case gets its next reminder at the usual interval from now."""
    case = Case.objects.select_for_update(of=("self",)).select_related("provider").get(pk=case.pk)
    if case.reminders_stopped_at is None:
        return False
    now = timezone.now()
    case.reminders_stopped_at = None
    case.last_activity_at = now
    if case.is_waiting and case.waiting_since:
        last = (
            Reminder.objects.filter(
                case=case, kind=Reminder.Kind.LADDER, period_started_at=case.waiting_since
            )
            .order_by("-sequence")
            .first()
        )
        if last is None:
            sequence, due_at = 0, max(case.expected_by or now, now)
        else:
            sequence = last.sequence + 1
            due_at = now + ladder_interval(case=case, sequence=last.sequence)
        schedule_ladder_rung(case=case, sequence=sequence, due_at=due_at)
    _record(case=case, by=by, text=gettext_noop("Reminder emails resumed."))
    case.save(update_fields=["reminders_stopped_at", "last_activity_at"])
    return True


@transaction.atomic
def snooze_reminders(*, case: Case, until: dt.datetime, by: User) -> int:
    """Hold reminders until `until`; pending ones due before then move to it. Returns count."""
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    case.snoozed_until = until
    case.last_activity_at = timezone.now()
    due_at = within_customer_hours(until, time_zone=case.time_zone)
    # A row already claimed goes back to scheduled: its queued task then finds no lease and
    # sends nothing.
    moved = (
        Reminder.objects.pending()
        .filter(case=case, due_at__lt=due_at)
        .exclude(kind=Reminder.Kind.AGENT_MESSAGE)
        .update(state=Reminder.State.SCHEDULED, sending_since=None, due_at=due_at)
    )
    local = timezone.localtime(until, zone(case.time_zone))
    _record(
        case=case,
        by=by,
        text=gettext_noop("Reminder emails snoozed until %(date)s."),
        params={"date": local.date().isoformat()},
    )
    case.save(update_fields=["snoozed_until", "last_activity_at"])
    return moved


def snooze_end(*, case: Case, day: dt.date) -> dt.datetime:
    """When a snooze "until `day`" ends: the start of mail hours that day, the case's time."""
    start_hour, _ = settings.CUSTOMER_MAIL_HOURS
    local = dt.datetime.combine(day, dt.time(start_hour), tzinfo=zone(case.time_zone))
    return local.astimezone(dt.UTC)


def _record(*, case: Case, by: User | None, text: str, params: dict | None = None) -> None:
    # cases.services imports this module.
    from cases.services import record_event

    record_event(case=case, kind=CaseEvent.Kind.REMINDER, by=by, text=text, params=params)
