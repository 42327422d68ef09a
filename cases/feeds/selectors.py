"""What goes in a private calendar feed: the dates a person acts on, nothing else.

A customer's feed: their open cases' expected-by dates, the follow-ups they set in the contact
log, the billing check. An agent's: the follow-ups of the open cases assigned to them. Each
entry names the provider and the case reference, never a phone number, a name or a note.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from cases import access
from cases.models import CalendarFeed, Case, ContactAttempt, Reminder
from cases.reminders.schedule import zone

# Follow-ups older than this drop out of the feed: a calendar shows what is ahead.
PAST_DAYS = 60


class EntryKind:
    EXPECTED_BY = "expected-by"
    FOLLOW_UP = "follow-up"
    BILLING_CHECK = "billing-check"


@dataclass(frozen=True)
class Entry:
    """One all-day date in a feed."""

    uid: str  # stable across fetches, so calendars update an event instead of adding one
    kind: str
    day: dt.date
    provider: str
    reference: str
    case: Case


def feed_by_token(token: str) -> CalendarFeed | None:
    if not token:
        return None
    return CalendarFeed.objects.select_related("user").filter(token=token).first()


def feed_of(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def _local_day(moment: dt.datetime, time_zone: str) -> dt.date:
    return timezone.localtime(moment, zone(time_zone)).date()


def customer_entries(user: User, *, now: dt.datetime | None = None) -> list[Entry]:
    """A customer's dates: expected-by, follow-ups and billing checks of their own cases."""
    now = now or timezone.now()
    since = now.date() - dt.timedelta(days=PAST_DAYS)
    cases = list(Case.objects.filter(access.owned(user)).open().select_related("provider"))
    entries = [
        Entry(
            f"case-{case.reference}-expected-by",
            EntryKind.EXPECTED_BY,
            _local_day(case.expected_by, case.time_zone),
            case.provider_label,
            case.reference,
            case,
        )
        for case in cases
        if case.is_waiting and case.expected_by
    ]
    entries += _follow_ups(ContactAttempt.objects.filter(case__in=cases), since=since)
    checks = (
        Reminder.objects.pending()
        .filter(kind=Reminder.Kind.BILLING_CHECK, case__owner=user)
        .select_related("case", "case__provider")
    )
    entries += [
        Entry(
            f"reminder-{check.pk}-billing-check",
            EntryKind.BILLING_CHECK,
            _local_day(check.due_at, check.case.time_zone),
            check.case.provider_label,
            check.case.reference,
            check.case,
        )
        for check in checks
    ]
    return sorted(entries, key=lambda entry: (entry.day, entry.uid))


def agent_entries(user: User, *, now: dt.datetime | None = None) -> list[Entry]:
    """An agent's dates: the follow-ups of the open cases assigned to them."""
    now = now or timezone.now()
    since = now.date() - dt.timedelta(days=PAST_DAYS)
    contacts = ContactAttempt.objects.filter(case__assigned_agent=user).exclude(
        case__status__in=Case.CLOSED_STATUSES
    )
    return sorted(_follow_ups(contacts, since=since), key=lambda e: (e.day, e.uid))


def _follow_ups(contacts, *, since: dt.date) -> list[Entry]:
    rows = contacts.filter(follow_up_on__gte=since).select_related("case", "case__provider")
    return [
        Entry(
            f"contact-{contact.pk}-follow-up",
            EntryKind.FOLLOW_UP,
            contact.follow_up_on,
            contact.case.provider_label,
            contact.case.reference,
            contact.case,
        )
        for contact in rows.order_by("follow_up_on", "id")
        if contact.follow_up_on is not None
    ]
