"""Shared set-up for the reminder tests: cases that wait on a provider, at a fixed time."""

import datetime as dt

from cases.models import Case, Reminder
from cases.reminders import outbox
from tests import factories

# A Monday in March: London is on GMT, so UTC and the case's local time agree.
T0 = dt.datetime(2031, 3, 3, 10, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def waiting_case(**fields) -> Case:
    """A case that just entered awaiting review, with its first ladder rung scheduled."""
    fields.setdefault("status", Case.Status.AWAITING_REVIEW)
    fields.setdefault("provider_reference", "REF-55501")
    case = factories.CaseFactory(**fields)
    outbox.start_waiting_period(case=case)
    case.save()
    return case


def ladder(case: Case) -> list[Reminder]:
    return list(Reminder.objects.filter(case=case, kind=Reminder.Kind.LADDER).order_by("sequence"))
