"""The contact log's form, and the scam guard's confirm step for free-text notes."""

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import punctuation
from cases.contacts import scam_guard, selectors
from cases.contacts.services import ContactEntry
from cases.forms import VersionedForm
from cases.models import Case, ContactAttempt
from cases.once import OnceFormMixin
from providers.models import ContactChannel, localized

OTHER = "other"
# A contact logged a little ahead of the server's clock is still "now".
CLOCK_SLACK = dt.timedelta(minutes=10)


def channel_label(channel: ContactChannel) -> str:
    label = localized(channel, "label")
    kind = channel.get_kind_display()
    return punctuation.labelled(label or kind, channel.value)


class ChannelChoiceForm(VersionedForm):
    """A choice of the provider's official channels or "another way", which then needs its
    text typed. Declares `channel` and `channel_text`; subclasses give the two messages."""

    other_label = _("Another way")
    needs_text = _("Type the number, address or account you used.")

    def set_channels(self, channels: list[ContactChannel]) -> None:
        self.channels = {str(channel.pk): channel for channel in channels}
        cast(forms.ChoiceField, self.fields["channel"]).choices = [
            *((pk, channel_label(channel)) for pk, channel in self.channels.items()),
            (OTHER, self.other_label),
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        typed = (data.get("channel_text") or "").strip()
        if data.get("channel") == OTHER and not typed:
            self.add_error("channel_text", self.needs_text)
        # An official channel is the channel: text typed beside it is dropped.
        data["channel_text"] = "" if self.chosen_channel() else typed
        return data

    def chosen_channel(self) -> ContactChannel | None:
        return self.channels.get(self.cleaned_data.get("channel") or "")


class ContactForm(OnceFormMixin, ChannelChoiceForm):
    """One call, chat, email, visit or letter; `verdict` holds the scam guard's findings."""

    other_label = _("Another way (type it below)")

    channel = forms.ChoiceField(label=_("How did you contact them?"), widget=forms.RadioSelect)
    channel_text = forms.CharField(
        label=_("The number, address or account you used"),
        max_length=300,
        required=False,
        help_text=_("Only if it is not one of the official channels above."),
    )
    direction = forms.ChoiceField(
        label=_("Who got in touch?"),
        choices=ContactAttempt.Direction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who got in touch.")},
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": _("Enter when it happened.")},
    )
    spoke_to = forms.CharField(
        label=_("Who you spoke to (optional)"), max_length=120, required=False
    )
    provider_reference = forms.CharField(
        label=_("Reference they gave you (optional)"), max_length=100, required=False
    )
    summary = forms.CharField(
        label=_("What was said (optional)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Never write down passwords or verification codes."),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=ContactAttempt.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome.")},
    )
    follow_up_on = forms.DateField(
        label=_("Follow up on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("We email you a reminder at 09:00 that day."),
    )

    def __init__(self, *args, case: Case, channels: list[ContactChannel], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.set_channels(channels)
        self.fields["channel"].error_messages["required"] = _("Choose how you got in touch.")
        self.verdict = scam_guard.Verdict()

    def clean_occurred_at(self) -> dt.datetime:
        when = self.cleaned_data["occurred_at"]
        if when > timezone.now() + CLOCK_SLACK:
            raise forms.ValidationError(_("This is in the future: enter when it happened."))
        return when

    def clean_follow_up_on(self) -> dt.date | None:
        day = self.cleaned_data["follow_up_on"]
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."))
        return day

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        provider = self.case.provider if self.case.provider_id else None
        self.verdict = selectors.check_entry(
            provider=provider,
            channels=list(self.channels.values()),
            contact=data["channel_text"],
            notes=data.get("summary") or "",
        )
        return data

    def entry(self) -> ContactEntry:
        data = self.cleaned_data
        return ContactEntry(
            occurred_at=data["occurred_at"],
            direction=data["direction"],
            outcome=data["outcome"],
            channel=self.chosen_channel(),
            channel_text=data["channel_text"],
            spoke_to=data["spoke_to"].strip(),
            provider_reference=data["provider_reference"].strip(),
            summary=data["summary"].strip(),
            follow_up_on=data["follow_up_on"],
        )

    @staticmethod
    def initial_for(contact: ContactAttempt | None) -> dict:
        if contact is None:
            now = timezone.localtime().replace(second=0, microsecond=0)
            return {"occurred_at": now, "direction": ContactAttempt.Direction.OUTBOUND}
        return {
            "channel": str(contact.channel_id) if contact.channel_id else OTHER,
            "channel_text": contact.channel_text,
            "direction": contact.direction,
            "occurred_at": timezone.localtime(contact.occurred_at),
            "spoke_to": contact.spoke_to,
            "provider_reference": contact.provider_reference,
            "summary": contact.summary,
            "outcome": contact.outcome,
            "follow_up_on": contact.follow_up_on,
        }
