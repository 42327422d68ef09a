"""The customer's (and agents') reminder controls: stop, resume, snooze; and the admin's
cancel / retry of outbox rows. Each change to a case checks the version the person saw under
the lock and bumps it."""

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
def stop_reminders(*, case: Case, by: User | None, version: int | None) -> bool:
    """Stop every reminder email for `case`, or CaseChanged if `version` is stale.

    `by` and `version` are None only for the email's one-click link: whatever the case became
    since that email, its reader asked for the emails to stop.
    """
    case = locking.lock(case, version, by=by)
    if case.reminders_stopped_at is not None:
        return False
    outbox.cancel_all(case=case)
    if by is None:
        text = gettext_noop("Reminder emails stopped from the link in a reminder email.")
    else:
        text = gettext_noop("Reminder emails stopped.")
    _record(case=case, by=by, text=text)
    locking.update(case, reminders_stopped_at=timezone.now())
    return True


@transaction.atomic
def resume_reminders(*, case: Case, by: User, version: int) -> bool:
    """Undo a stop: a waiting case gets its next reminder at the usual interval from now."""
    case = locking.lock(case, version, by=by)
    if case.reminders_stopped_at is None:
        return False
    outbox.resume_ladder(case=case, now=timezone.now())
    _record(case=case, by=by, text=gettext_noop("Reminder emails resumed."))
    locking.update(case, reminders_stopped_at=None)
    return True


@transaction.atomic
def snooze_reminders(*, case: Case, until: dt.datetime, by: User, version: int) -> int:
    """Hold reminders until `until`; pending ones due before then move to it. Returns count."""
    case = locking.lock(case, version, by=by)
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
    locking.update(case, snoozed_until=until)
    return moved


def _record_admin_change(*, case_ids: Iterable[int], by: User | None, text: str) -> None:
    for case in Case.objects.filter(pk__in=sorted(set(case_ids))):
        events.record_event(
            case=case,
            kind=CaseEvent.Kind.REMINDER,
            by=by,
            text=text,
            visibility=CaseEvent.Visibility.INTERNAL,
        )


@transaction.atomic
def cancel_scheduled(*, reminder_ids: Iterable[int], by: User | None) -> int:
    """Cancel outbox rows that have not been claimed yet (the admin's action), with an internal
    event on each case they belong to. Returns the count."""
    rows = dict(
        Reminder.objects.select_for_update()
        .filter(pk__in=list(reminder_ids), state=Reminder.State.SCHEDULED)
        .values_list("pk", "case_id")
    )
    count = Reminder.objects.filter(pk__in=list(rows)).update(state=Reminder.State.CANCELLED)
    _record_admin_change(
        case_ids=rows.values(),
        by=by,
        text=gettext_noop("Scheduled reminders cancelled in the admin."),
    )
    return count


@transaction.atomic
def retry_failed(*, reminder_ids: Iterable[int], by: User | None) -> int:
    """Put failed rows back in the outbox, due now: the next sweep claims and sends them. Each
    case they belong to gets an internal event. Returns the count."""
    rows = dict(
        Reminder.objects.select_for_update()
        .filter(pk__in=list(reminder_ids), state=Reminder.State.FAILED)
        .values_list("pk", "case_id")
    )
    count = Reminder.objects.filter(pk__in=list(rows)).update(
        state=Reminder.State.SCHEDULED, due_at=timezone.now(), sending_since=None, attempts=0
    )
    _record_admin_change(
        case_ids=rows.values(),
        by=by,
        text=gettext_noop("Failed reminders sent again from the admin."),
    )
    return count
