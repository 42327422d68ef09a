"""The customer's (and agents') reminder controls: stop, resume, snooze; and the admin's
cancel / retry of outbox rows. Each change to a case locks it and bumps its version."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import User
from cases import events, locking
from cases.models import Case, CaseEvent, Reminder
from cases.reminders import outbox
from cases.reminders.schedule import within_customer_hours, zone


def _record(*, case: Case, by: User | None, text: str, params: dict | None = None) -> None:
    events.record_event(case=case, kind=CaseEvent.Kind.REMINDER, by=by, text=text, params=params)


@transaction.atomic
def stop_reminders(*, case: Case, by: User | None) -> bool:
    """Stop every reminder email for `case`. `by` is None for the email's one-click link."""
    case = locking.lock(case, by=by)
    if case.reminders_stopped_at is not None:
        return False
    case.reminders_stopped_at = timezone.now()
    outbox.cancel_all(case=case)
    if by is None:
        text = gettext_noop("Reminder emails stopped from the link in a reminder email.")
    else:
        text = gettext_noop("Reminder emails stopped.")
    _record(case=case, by=by, text=text)
    locking.bump(case, "reminders_stopped_at")
    return True


@transaction.atomic
def resume_reminders(*, case: Case, by: User) -> bool:
    """Undo a stop: a waiting case gets its next reminder at the usual interval from now."""
    case = locking.lock(case, by=by)
    if case.reminders_stopped_at is None:
        return False
    case.reminders_stopped_at = None
    outbox.resume_ladder(case=case, now=timezone.now())
    _record(case=case, by=by, text=gettext_noop("Reminder emails resumed."))
    locking.bump(case, "reminders_stopped_at")
    return True


@transaction.atomic
def snooze_reminders(*, case: Case, until: dt.datetime, by: User) -> int:
    """Hold reminders until `until`; pending ones due before then move to it. Returns count."""
    case = locking.lock(case, by=by)
    case.snoozed_until = until
    moved = outbox.hold_until(
        case=case, due_at=within_customer_hours(until, time_zone=case.time_zone)
    )
    local = timezone.localtime(until, zone(case.time_zone))
    _record(
        case=case,
        by=by,
        text=gettext_noop("Reminder emails snoozed until %(date)s."),
        params={"date": local.date().isoformat()},
    )
    locking.bump(case, "snoozed_until")
    return moved


def cancel_scheduled(*, reminder_ids: Iterable[int]) -> int:
    """Cancel outbox rows that have not been claimed yet (the admin's action). Returns count."""
    return Reminder.objects.filter(
        pk__in=list(reminder_ids), state=Reminder.State.SCHEDULED
    ).update(state=Reminder.State.CANCELLED)


def retry_failed(*, reminder_ids: Iterable[int]) -> int:
    """Put failed rows back in the outbox, due now: the next sweep claims and sends them."""
    return Reminder.objects.filter(pk__in=list(reminder_ids), state=Reminder.State.FAILED).update(
        state=Reminder.State.SCHEDULED, due_at=timezone.now(), sending_since=None, attempts=0
    )
