"""The agents' forms. Each state-changing one carries the case version the agent saw."""

import datetime as dt
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms import JourneyForm, VersionedForm
from cases.models import Case
from cases.once import OnceFormMixin
from providers.models import ContactChannel

NOTE_MAX = 4000


class StaffForm(VersionedForm):
    """Several of these share the case page: each form's ids start with its own prefix."""

    id_prefix = "staff"

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class AssignForm(StaffForm):
    id_prefix = "assign"

    action = forms.ChoiceField(
        choices=[("take", _("Take")), ("assign", _("Assign")), ("unassign", _("Unassign"))]
    )
    agent = forms.TypedChoiceField(label=_("Assign to"), coerce=int, required=False)

    def __init__(self, *args, agents: list[tuple[int, str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agent"]).choices = [("", "—"), *(agents or [])]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("action") == "assign" and not data.get("agent"):
            self.add_error("agent", _("Choose the agent to assign the case to."))
        return data


class NoteForm(OnceFormMixin, StaffForm):
    id_prefix = "note"

    note = forms.CharField(
        label=_("Internal note"),
        help_text=_("Only agents see it: never the customer, on no page and in no email."),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the note first.")},
    )


class MessageForm(OnceFormMixin, StaffForm):
    id_prefix = "message"

    message = forms.CharField(
        label=_("Message to the customer"),
        help_text=_("Shown on their timeline and emailed to them in the case's language."),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the message first.")},
    )


class MoveForm(StaffForm):
    id_prefix = "move"

    to = forms.ChoiceField(choices=Case.Status.choices)
    note = forms.CharField(
        label=_("Reason or note"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    provider_reference = forms.CharField(
        label=_("Provider's reference"), max_length=100, required=False
    )


class RemindersForm(StaffForm):
    id_prefix = "reminders"

    action = forms.ChoiceField(
        choices=[
            ("send_now", _("Send a reminder now")),
            ("stop", _("Stop reminders")),
            ("resume", _("Resume reminders")),
            ("snooze", _("Snooze")),
        ]
    )
    until = forms.DateField(
        label=_("Snooze until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("action") != "snooze":
            return data
        until = data.get("until")
        today = timezone.localdate()
        if until is None:
            self.add_error("until", _("Choose the day the reminders start again."))
        elif until <= today:
            self.add_error("until", _("Choose a day after today."))
        elif until > today + dt.timedelta(days=(days := settings.REMINDER_SNOOZE_MAX_DAYS)):
            self.add_error("until", _("Choose a day within %(days)s days.") % {"days": days})
        return data


class BulkForm(JourneyForm):
    ACTIONS = [
        ("take", _("Assign to me")),
        ("assign", _("Assign to an agent")),
        ("unassign", _("Unassign")),
        ("remind", _("Send a reminder now")),
        ("note", _("Add an internal note")),
    ]

    cases = forms.MultipleChoiceField(
        label=_("Cases"), error_messages={"required": _("Select at least one case.")}
    )
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    agent = forms.TypedChoiceField(label=_("Agent"), coerce=int, required=False)
    note = forms.CharField(
        label=_("Internal note"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, agents: list[tuple[int, str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agent"]).choices = [("", "—"), *(agents or [])]
        # Whatever was ticked: each token is checked against the case it names.
        tokens = self.data.getlist("cases") if hasattr(self.data, "getlist") else []
        cast(forms.ChoiceField, self.fields["cases"]).choices = [(token, token) for token in tokens]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("action") == "assign" and not data.get("agent"):
            self.add_error("agent", _("Choose the agent to assign the cases to."))
        if data.get("action") == "note" and not (data.get("note") or "").strip():
            self.add_error("note", _("Write the note first."))
        return data

    def selected(self) -> list[tuple[str, int]]:
        """(reference, version seen) of each ticked row; malformed tokens are dropped."""
        pairs = []
        for token in self.cleaned_data["cases"][:200]:
            ref, _sep, version = token.partition(":")
            if version.isdigit():
                pairs.append((ref.upper(), int(version)))
        return pairs


class ChannelForm(forms.ModelForm):
    """An agent's edit of a directory channel. `seen` is what the agent was shown."""

    seen = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = ContactChannel
        fields = ["value", "hours", "is_official", "verified_on", "source_url"]
        widgets = {"verified_on": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "is_official": _("Only official channels are shown to customers as trustworthy."),
            "source_url": _("Where this was seen: required for an official channel."),
            "verified_on": _("The day someone checked it against the source."),
        }

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "channel_%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("is_official") and not data.get("source_url"):
            self.add_error("source_url", _("An official channel needs the source it was seen at."))
        return data
