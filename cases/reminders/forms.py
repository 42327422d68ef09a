"""The snooze form of the case page's reminder controls."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from cases.reminders.schedule import zone


class SnoozeForm(forms.Form):
    until = forms.DateField(
        label=_("Snooze reminders until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "invalid": _("Enter a date, for example 2030-05-31."),
            "required": _("Choose the day until which to snooze reminders."),
        },
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        today = timezone.localtime(timezone.now(), zone(case.time_zone)).date()
        self.first_day = today + dt.timedelta(days=1)
        self.last_day = today + dt.timedelta(days=settings.REMINDER_SNOOZE_MAX_DAYS)
        self.fields["until"].widget.attrs.update(
            min=self.first_day.isoformat(), max=self.last_day.isoformat()
        )

    def clean_until(self) -> dt.date:
        day = self.cleaned_data["until"]
        if day < self.first_day:
            raise forms.ValidationError(_("Choose a day after today."), code="past")
        if day > self.last_day:
            days = settings.REMINDER_SNOOZE_MAX_DAYS
            message = _("Choose a day within %(days)s days.") % {"days": days}
            raise forms.ValidationError(message, code="too_far")
        return day
