"""The send: one email per claim, at most once per lease (DESIGN.md "Reminders")."""

import datetime as dt
import enum
import logging
from collections.abc import Iterable
from typing import TypeIs

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from cases import events
from cases.models import CaseEvent, Reminder
from cases.reminders import emails, outbox
from cases.reminders.schedule import Verdict, verdict

log = logging.getLogger(__name__)


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
    started = _begin_attempt(reminder_id=reminder_id, lease=lease)
    if started is None:
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
            # Cancelled, snoozed or reclaimed since the attempt began: nothing was sent.
            Reminder.objects.filter(pk=reminder_id, attempt_started_at=started).update(
                attempt_started_at=None
            )
            return Sent.SKIPPED
        # The later of this clock and the claim: a worker clock behind the sweep's must not put
        # the next rung in the past (a burst on the next sweep).
        now = max(timezone.now(), lease)
        action, due_at = verdict(reminder, now=now)
        if action is Verdict.CANCEL:
            _finish(reminder, state=Reminder.State.CANCELLED)
            return Sent.CANCELLED
        if action is Verdict.LATER:
            assert due_at is not None  # LATER always says until when
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
            reminder.attempt_started_at = None
            reminder.save(update_fields=["last_error", "attempt_started_at"])
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


def _begin_attempt(*, reminder_id: int, lease: dt.datetime) -> dt.datetime | None:
    """Count the attempt in its own transaction, so even a worker killed mid-send counts.

    Returns when the attempt began, or None if this delivery is not to send. An earlier attempt
    that never finished marks the row a possible duplicate: the email may have left before its
    worker died (DESIGN.md accepts that rare duplicate; agents see it counted).
    """
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
        if not _holds_lease(reminder, lease):
            return None
        if reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS:
            reminder.last_error = reminder.last_error or gettext("Gave up after repeated attempts.")
            _finish(reminder, state=Reminder.State.FAILED, fields=["last_error"])
            return None
        if reminder.attempt_started_at is not None:
            reminder.is_possible_duplicate = True
            log.warning(
                "Reminder %s: the attempt begun at %s was cut off; sending again may duplicate it",
                reminder.pk,
                reminder.attempt_started_at.isoformat(),
            )
        reminder.attempts += 1
        reminder.attempt_started_at = timezone.now()
        reminder.save(update_fields=["attempts", "attempt_started_at", "is_possible_duplicate"])
        return reminder.attempt_started_at


def _holds_lease(reminder: Reminder | None, lease: dt.datetime) -> TypeIs[Reminder]:
    # The sweep stamps each claim with its own time: a task from an earlier claim (a duplicate
    # delivery, or one whose lease was reclaimed) no longer matches and sends nothing.
    return (
        reminder is not None
        and reminder.state == Reminder.State.SENDING
        and reminder.sending_since == lease
    )


def _finish(reminder: Reminder, *, state: str, fields: Iterable[str] = ()) -> None:
    reminder.state, reminder.sending_since, reminder.attempt_started_at = state, None, None
    reminder.save(update_fields=["state", "sending_since", "attempt_started_at", *fields])


def _after_sent(reminder: Reminder, *, now: dt.datetime) -> None:
    if reminder.kind == Reminder.Kind.LADDER:
        outbox.schedule_next_rung(sent=reminder, now=now)
    if reminder.kind == Reminder.Kind.AGENT_MESSAGE:
        # The customer's timeline already shows the message itself; agents see it went out.
        events.record_event(
            case=reminder.case,
            kind=CaseEvent.Kind.REMINDER,
            by=None,
            text=CaseEvent.SUPPORT_MESSAGE_SENT,
            visibility=CaseEvent.Visibility.INTERNAL,
        )
        return
    events.record_event(
        case=reminder.case,
        kind=CaseEvent.Kind.REMINDER,
        by=None,
        text=gettext_noop("Reminder email sent."),
    )
