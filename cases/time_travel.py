"""Development only: move one case through time, so a demo or a developer sees reminders,
stalls and escalation without waiting days (manage.py advance_case; refused with DEBUG off).

Moving a case's clock shifts every time it holds back by the same amount — its own dates,
its steps, evidence, contacts, timeline and reminders — as if it had all happened that much
earlier; the next sweep then acts on whatever fell due. The timeline says it was done.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from cases import events, locking
from cases.models import Case, CaseEvent, CaseStep, ContactAttempt, Evidence, Reminder


class NotInDevelopment(Exception):
    """Moving a case's clock rewrites its history: never on a production site."""


@dataclass(frozen=True)
class Moved:
    case: Case
    reminders_due: int


def _time_fields(model: type[models.Model]) -> tuple[list[str], list[str]]:
    """(date-time fields, date fields) of `model`, whatever their names."""
    moments, days = [], []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.DateTimeField):
            moments.append(field.name)
        elif isinstance(field, models.DateField):
            days.append(field.name)
    return moments, days


def _shift(row: models.Model, delta: dt.timedelta) -> list[str]:
    """Move `row`'s times back by `delta` (its dates by the whole days); the fields changed."""
    moments, days = _time_fields(type(row))
    changed = []
    for name in moments:
        if (value := getattr(row, name)) is not None:
            setattr(row, name, value - delta)
            changed.append(name)
    for name in days:
        if (value := getattr(row, name)) is not None and delta.days:
            setattr(row, name, value - dt.timedelta(days=delta.days))
            changed.append(name)
    return changed


def _shift_all(queryset: models.QuerySet, delta: dt.timedelta) -> None:
    rows = list(queryset)
    moments, days = _time_fields(queryset.model)
    for row in rows:
        _shift(row, delta)
    if rows and (moments or days):
        queryset.model.objects.bulk_update(rows, [*moments, *days], batch_size=500)


def _check_development() -> None:
    if not settings.DEBUG:
        raise NotInDevelopment("Moving a case's clock is refused with DEBUG off.")


@transaction.atomic
def advance_case(*, case: Case, days: float) -> Moved:
    """Make `days` pass for `case`: every time it holds moves that much into the past."""
    _check_development()
    delta = dt.timedelta(days=days)
    case = locking.lock(case, None, by=None)
    _shift(case, delta)
    for model in (CaseStep, Evidence, ContactAttempt, CaseEvent, Reminder):
        _shift_all(model.objects.filter(case=case), delta)
    # A new version, but the last activity moves back with everything else.
    locking.update(case, last_activity_at=case.last_activity_at)
    events.record_event(
        case=case,
        kind=CaseEvent.Kind.NOTE,
        by=None,
        text=gettext_noop("Clock moved %(days)s days on (development only)."),
        params={"days": f"{days:g}"},
        visibility=CaseEvent.Visibility.INTERNAL,
    )
    return Moved(case=case, reminders_due=_due(case))


@transaction.atomic
def make_reminders_due(*, case: Case) -> Moved:
    """Bring every pending reminder of `case` due now (mail hours and snoozes still apply)."""
    _check_development()
    case = locking.lock(case, None, by=None)
    now = timezone.now()
    Reminder.objects.filter(case=case).pending().filter(due_at__gt=now).update(due_at=now)
    events.record_event(
        case=case,
        kind=CaseEvent.Kind.NOTE,
        by=None,
        text=gettext_noop("Pending reminders made due now (development only)."),
        visibility=CaseEvent.Visibility.INTERNAL,
    )
    locking.update(case)
    return Moved(case=case, reminders_due=_due(case))


def _due(case: Case) -> int:
    return Reminder.objects.filter(case=case).pending().filter(due_at__lte=timezone.now()).count()
