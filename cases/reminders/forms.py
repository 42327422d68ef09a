"""The snooze form of the case page's reminder controls, and the snooze day's one check."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cases.forms import VersionedForm
from cases.models import Case
from cases.reminders.schedule import snooze_window


def check_snooze_day(*, case: Case, day: dt.date) -> dt.date:
    """`day`, or a ValidationError if a snooze of `case` may not run until then."""
    first_day, last_day = snooze_window(case)
    if day < first_day:
        raise forms.ValidationError(_("Choose a day after today."), code="past")
    if day > last_day:
        days = settings.REMINDER_SNOOZE_MAX_DAYS
        message = _("Choose a day within %(days)s days.") % {"days": days}
        raise forms.ValidationError(message, code="too_far")
    return day


class SnoozeForm(VersionedForm):
    until = forms.DateField(
        label=_("Snooze reminders until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": _("Enter a date, for example 2030-05-31."),
            "required": _("Choose the day until which to snooze reminders."),
        },
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        kwargs.setdefault("initial", {"version": case.version})
        super().__init__(*args, **kwargs)
        self.case = case
        self.first_day, self.last_day = snooze_window(case)
        self.fields["until"].widget.attrs.update(
            min=self.first_day.isoformat(), max=self.last_day.isoformat()
        )

    def clean_until(self) -> dt.date:
        return check_snooze_day(case=self.case, day=self.cleaned_data["until"])


class ReminderControlForm(VersionedForm):
    """Stop or resume: only the version the customer saw."""
