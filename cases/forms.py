"""Validation and the user-facing error messages of the customer's journey."""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.forms import time_zone_choices
from accounts.models import validate_time_zone
from cases import identifiers
from cases.evidence.files import NewEvidence, evidence_from_field
from cases.models import Case, Evidence
from cases.transitions import Outcome
from config.forms import ErrorsBesideFields
from providers import countries
from providers.models import ServiceKind

# Free text this long or longer says its limit in its help text.
SHOWN_LIMIT = 100


class JourneyForm(ErrorsBesideFields):
    """The journey's forms: errors beside their fields (ErrorsBesideFields), and text never cut.

    Text is never cut without a word: the browser's maxlength (which trims a paste silently)
    is left out, the limit is in the help text and on a counter (static/js/char-count.js),
    and a longer value is refused beside its field, kept there for editing.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, forms.CharField) or not field.max_length:
                continue
            if field.widget.is_hidden:
                continue
            field.widget.attrs.pop("maxlength", None)
            field.widget.attrs["data-maxlength"] = str(field.max_length)
            field.error_messages["max_length"] = _(
                "This is %(show_value)d characters long; the limit is %(limit_value)d. "
                "Shorten it and send it again."
            )
            if field.max_length >= SHOWN_LIMIT:
                limit = _("Up to %(limit)s characters.") % {"limit": field.max_length}
                field.help_text = (
                    format_lazy("{} {}", field.help_text, limit) if field.help_text else limit
                )


class VersionedForm(JourneyForm):
    """Every state-changing form carries the case version the person saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ServiceKindForm(JourneyForm):
    service_kind = forms.ChoiceField(
        label=_("What do you want to cancel?"),
        choices=ServiceKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you want to cancel.")},
    )


class ChangeKindForm(ServiceKindForm, VersionedForm):
    """The first question again, for a case already started."""


class KeepNumberForm(VersionedForm):
    keep_number = forms.ChoiceField(
        label=_("Do you want to keep the phone number?"),
        choices=[
            ("no", _("No, the number can go")),
            ("yes", _("Yes, I want to keep the number")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you want to keep the number.")},
    )


class ProviderChoiceForm(VersionedForm):
    """A provider picked from the directory (its id), or one the directory lacks, named with its
    country and website: that one goes on with the generic steps and to the agents' queue of
    suggested providers (its kind is the case's, from the first question)."""

    provider = forms.IntegerField(required=False, widget=forms.HiddenInput)
    provider_name = forms.CharField(
        label=_("Provider's name"),
        max_length=120,
        required=False,
        help_text=_("As it appears on your bill or in the app."),
    )
    country = forms.ChoiceField(
        label=_("Country of the provider"),
        required=False,
        help_text=_("Where the line is from."),
    )
    website = forms.URLField(
        label=_("Its website (optional)"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_("For example www.example.com. It helps us find its official channels."),
        error_messages={"invalid": _("Enter a website address, such as www.example.com.")},
        widget=forms.URLInput(attrs={"autocomplete": "url", "inputmode": "url"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = cast(forms.ChoiceField, self.fields["country"])
        choices.choices = [("", _("Choose a country")), *countries.country_choices()]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("provider") is not None:
            return data
        if not (data.get("provider_name") or "").strip():
            self.add_error(
                "provider_name", _("Choose your provider from the list or type its name.")
            )
        elif not data.get("country") and "country" not in self.errors:
            self.add_error("country", _("Choose the provider's country."))
        website = data.get("website") or ""
        if website and not website.lower().startswith(("https://", "http://")):
            self.add_error("website", _("Enter a website address, such as www.example.com."))
        return data


class DetailsForm(VersionedForm):
    phone_number = forms.CharField(
        label=_("Phone number of the line"),
        max_length=40,
        help_text=_("With the country code if it is not from the provider's country."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("Enter the phone number of the line.")},
    )
    # Required unless the device is lost or stolen (clean()): that person cannot dial *#06#.
    device_model = forms.CharField(
        label=_("Device model"),
        max_length=100,
        required=False,
        help_text=_("For example iPhone 15 or Galaxy S24."),
    )
    imei = forms.CharField(
        label=_("IMEI"),
        max_length=40,
        required=False,
        help_text=_(
            "15 digits. Dial *#06# on the phone to see it. Lost the phone? The IMEI is also on "
            "its box, on the receipt and on the operator's account page."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    eid = forms.CharField(
        label=_("EID (optional)"),
        max_length=60,
        required=False,
        help_text=_("32 digits, in the phone's settings under About. Only if the operator asks."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    iccid = forms.CharField(
        label=_("ICCID (optional)"),
        max_length=40,
        required=False,
        help_text=_("18 to 22 digits starting with 89. Only if the operator asks."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reason = forms.ChoiceField(
        label=_("Why are you cancelling?"),
        choices=Case.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the reason that fits best.")},
    )
    reason_detail = forms.CharField(
        label=_("Anything to add? (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        if not case.is_operator_journey:
            for name in ("device_model", "imei", "eid", "iccid"):
                del self.fields[name]
        elif case.service_kind != ServiceKind.ESIM:
            # A SIM card has no EID, and ending its line does not need the phone: the device
            # details stay optional, for an operator that asks.
            del self.fields["eid"]
            self.fields["device_model"].label = _("Device model (optional)")
            self.fields["imei"].label = _("IMEI (optional)")
            self.fields["iccid"].help_text = _(
                "18 to 22 digits starting with 89, printed on the SIM card. "
                "Only if the operator asks."
            )
        else:
            self.fields["iccid"].help_text = _(
                "18 to 22 digits starting with 89, in the phone's settings under About. "
                "Only if the operator asks."
            )

    @property
    def is_esim(self) -> bool:
        return self.case.service_kind == ServiceKind.ESIM

    def clean_phone_number(self) -> str:
        region = self.case.provider.country if self.case.provider else ""
        return identifiers.parse_phone_number(self.cleaned_data["phone_number"], region=region)

    def clean_imei(self) -> str:
        value = self.cleaned_data["imei"]
        return identifiers.parse_imei(value) if value.strip() else ""

    def clean_eid(self) -> str:
        value = self.cleaned_data["eid"]
        return identifiers.parse_eid(value) if value.strip() else ""

    def clean_iccid(self) -> str:
        value = self.cleaned_data["iccid"]
        return identifiers.parse_iccid(value, esim=self.is_esim) if value.strip() else ""

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "imei" not in self.fields or not self.is_esim:
            return data
        if data.get("reason") == Case.Reason.DEVICE_LOST:
            return data
        if not data.get("device_model", "").strip() and "device_model" not in self.errors:
            message = _("Enter the model of the phone that holds the eSIM.")
            self.add_error("device_model", forms.ValidationError(message, code="required"))
        if not data.get("imei") and "imei" not in self.errors:
            self.add_error(
                "imei",
                forms.ValidationError(
                    _("Enter the phone's IMEI. Dial *#06# to see it."), code="required"
                ),
            )
        return data


class SaveForm(VersionedForm):
    """Saving the draft confirms the time zone that reminder hours and dates follow."""

    # Not required: a save posted without it (an older page) keeps the account's zone.
    time_zone = forms.CharField(
        label=_("Your time zone"),
        required=False,
        validators=[validate_time_zone],
        widget=forms.Select,
    )

    def __init__(self, *args, proposed: str, suggest_browser: bool = False, **kwargs) -> None:
        kwargs.setdefault("initial", {"time_zone": proposed})
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        typed = str(self.data.get("time_zone", "")) if self.is_bound else ""
        current = typed or proposed
        cast(forms.Select, field.widget).choices = time_zone_choices(current)
        if suggest_browser:
            # static/js/time-zone.js picks the browser's zone (Intl) when nothing better is known.
            field.widget.attrs["data-suggest-browser-zone"] = "true"
        start, end = settings.CUSTOMER_MAIL_HOURS
        field.help_text = _(
            "Reminder emails go out between %(start)02d:00 and %(end)02d:00 in this time "
            "zone, and dates show in it. You can change it later in Preferences."
        ) % {"start": start, "end": end}


class PrecautionForm(VersionedForm):
    step = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(
        choices=[("done", _("Done")), ("skip", _("Skip")), ("undo", _("Undo"))]
    )
    acknowledge = forms.BooleanField(
        label=_("I understand the risk of skipping this"), required=False
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("action") == "skip" and not data.get("acknowledge"):
            self.add_error(
                "acknowledge", _("To skip this precaution, confirm that you understand the risk.")
            )
        return data


class StepForm(VersionedForm):
    reference = forms.CharField(
        label=_("Reference number (if you got one)"),
        max_length=100,
        required=False,
        help_text=_("The request, ticket or order number the provider showed or sent."),
    )
    verification_done = forms.BooleanField(
        label=_("The provider checked my identity"), required=False
    )
    note = forms.CharField(
        label=_("What happened (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who you spoke to, what they said. Never write down passwords or codes."),
    )


class OutcomeForm(VersionedForm):
    """What the customer heard from the provider; the choices depend on the case's status."""

    LABELS = {
        Outcome.CONFIRMED: _("They confirmed the cancellation"),
        Outcome.NEEDS_MORE: _("They need more from me"),
        Outcome.REFUSED: _("They refused"),
        Outcome.SENT_MORE: _("I sent what they asked for"),
        Outcome.GAVE_UP: _("I gave up or changed my mind"),
        Outcome.REOPEN: _("Reopen the case"),
    }
    # After a refusal there is nothing they asked for: trying again is asking once more.
    REFUSED_LABELS = {Outcome.SENT_MORE: _("I asked them again")}
    BY_STATUS = {
        Case.Status.AWAITING_REVIEW: [
            Outcome.CONFIRMED,
            Outcome.NEEDS_MORE,
            Outcome.REFUSED,
            Outcome.GAVE_UP,
        ],
        Case.Status.AWAITING_OPERATOR: [
            Outcome.CONFIRMED,
            Outcome.NEEDS_MORE,
            Outcome.REFUSED,
            Outcome.GAVE_UP,
        ],
        Case.Status.NEEDS_ACTION: [Outcome.SENT_MORE, Outcome.GAVE_UP],
        Case.Status.PREPARING: [Outcome.GAVE_UP],
        Case.Status.IN_PROGRESS: [Outcome.GAVE_UP],
        Case.Status.WITHDRAWN: [Outcome.REOPEN],
    }

    outcome = forms.ChoiceField(
        label=_("What happened?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened.")},
    )
    reference = forms.CharField(
        label=_("Their confirmation or reference number"),
        max_length=100,
        required=False,
        help_text=_("Needed when they confirmed: it is your proof."),
    )
    note = forms.CharField(
        label=_("Details"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What they asked for, why they refused, or anything to remember."),
    )

    confirmation_file = forms.FileField(
        label=_("Or add their confirmation"),
        required=False,
        help_text=_("The email (.eml or PDF), a screenshot or photo of the SMS or letter."),
    )
    confirmation_text = forms.CharField(
        label=_("Or paste their message"),
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        outcomes = self.BY_STATUS.get(Case.Status(case.status), [])
        field = cast(forms.ChoiceField, self.fields["outcome"])
        labels = {**self.LABELS, **(self.REFUSED_LABELS if case.is_refused else {})}
        field.choices = [(value, labels[value]) for value in outcomes]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        outcome = data.get("outcome")
        proof = self._confirmation_evidence(data) if outcome == Outcome.CONFIRMED else []
        data["confirmation_evidence"] = proof
        has_proof = bool(proof) or "confirmation_file" in self.errors
        if outcome == Outcome.CONFIRMED and not data.get("reference", "").strip() and not has_proof:
            self.add_error(
                "reference",
                _(
                    "Type the confirmation or reference number they gave you, or add their "
                    "confirmation message."
                ),
            )
        if outcome in (Outcome.NEEDS_MORE, Outcome.REFUSED) and not data.get("note", "").strip():
            self.add_error("note", _("Say what they asked for or why they refused."))
        return data

    def _confirmation_evidence(self, data: dict[str, Any]) -> list[NewEvidence]:
        """The confirmation file and the pasted message, checked, as evidence to keep."""
        found = (
            evidence_from_field(self, name, kind=Evidence.Kind.CONFIRMATION)
            for name in ("confirmation_file", "confirmation_text")
        )
        return [item for item in found if item is not None]


class BillingCheckForm(VersionedForm):
    still_charged = forms.ChoiceField(
        label=_("Did your latest bill still charge this line?"),
        choices=[("no", _("No, the charges stopped")), ("yes", _("Yes, I was still charged"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )
    note = forms.CharField(
        label=_("Details (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EsimFactForm(VersionedForm):
    """ "I deleted the eSIM profile" (asked to confirm first) and its undo.

    The contract's end is no button of its own: it is the operator's confirmation, recorded
    with the outcome.
    """

    fact = forms.ChoiceField(
        choices=[("profile_deleted", _("Profile deleted")), ("profile_undo", _("Undo"))]
    )
    confirm = forms.BooleanField(required=False)


class EscalateForm(VersionedForm):
    """Take the complaint to an ombudsman, ADR scheme or regulator (one of those offered)."""

    route = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": _("Choose where you are taking it.")}
    )
    note = forms.CharField(
        label=_("Their reference, or a note (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
