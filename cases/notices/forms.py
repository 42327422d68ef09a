"""The cancellation notice's forms: who signs it, and how it was sent."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.contacts.forms import ChannelChoiceForm
from cases.forms import VersionedForm
from cases.once import OnceFormMixin
from providers.models import ContactChannel


class NoticeDetailsForm(VersionedForm):
    name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        help_text=_("As the provider knows you: the name on the contract."),
        error_messages={"required": _("Enter your full name.")},
    )
    address = forms.CharField(
        label=_("Your postal address"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
        help_text=_("The address the provider has for you. Kept on this case only."),
        error_messages={"required": _("Enter your postal address.")},
    )
    effective_on = forms.DateField(
        label=_("End the contract on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty to end it at the earliest possible date."),
    )

    def __init__(self, *args, today: dt.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["name"].widget.attrs["autocomplete"] = "name"

    def clean_effective_on(self) -> dt.date | None:
        day = self.cleaned_data["effective_on"]
        if day is not None and day < self.today:
            raise forms.ValidationError(_("Choose today or a later date."))
        return day


class NoticeSentForm(OnceFormMixin, ChannelChoiceForm):
    needs_text = _("Say how you sent it: the address or web form.")

    channel = forms.ChoiceField(
        label=_("How did you send it?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you sent the notice.")},
    )
    channel_text = forms.CharField(
        label=_("The address or form you used"),
        max_length=300,
        required=False,
        help_text=_("Only if it is not one of the official addresses above."),
    )
    sent_on = forms.DateField(
        label=_("Sent on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Enter the day you sent it.")},
    )

    def __init__(self, *args, channels: list[ContactChannel], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.set_channels(channels)
        self.fields["sent_on"].initial = timezone.localdate()

    def clean_sent_on(self) -> dt.date:
        day = self.cleaned_data["sent_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The day you sent it cannot be in the future."))
        return day
