"""The agents' forms. Each state-changing one carries the case version the agent saw."""

from typing import Any, cast

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cases.forms import JourneyForm, VersionedForm
from cases.models import Case
from cases.once import OnceFormMixin
from cases.reminders.forms import check_snooze_day
from cases.reminders.schedule import snooze_window
from cases.staff import selectors
from providers import countries
from providers.models import ContactChannel, Provider

NOTE_MAX = 4000


class StaffForm(VersionedForm):
    """Several of these share the case page: each form's ids start with its own prefix.
    `case` is the case the form acts on, for the checks whose rule depends on it."""

    id_prefix = "staff"

    def __init__(self, *args, case: Case, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        self.case = case


class AssignsAgent(forms.Form):
    """ "Assign" needs an agent: the one rule of the case page's and the list's assign. After
    cleaning, `agent` is that agent (a User), or None for any other action."""

    needs_agent = _("Choose the agent to assign the case to.")

    def __init__(self, *args, agents: list[tuple[int, str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agent"]).choices = [("", "—"), *(agents or [])]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        chosen = data.get("agent")
        # Still an agent now, not only when the list of names was drawn.
        agent = selectors.agent_by_id(chosen) if chosen else None
        if data.get("action") == "assign" and agent is None and "agent" not in self.errors:
            self.add_error("agent", self.needs_agent)
        data["agent"] = agent if data.get("action") == "assign" else None
        return data


class AssignForm(AssignsAgent, StaffForm):
    id_prefix = "assign"

    action = forms.ChoiceField(
        choices=[("take", _("Take")), ("assign", _("Assign")), ("unassign", _("Unassign"))]
    )
    agent = forms.TypedChoiceField(label=_("Assign to"), coerce=int, required=False)


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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        first_day, last_day = snooze_window(self.case)
        self.fields["until"].widget.attrs.update(
            min=first_day.isoformat(), max=last_day.isoformat()
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("action") != "snooze":
            return data
        until = data.get("until")
        if until is None:
            if "until" not in self.errors:
                self.add_error("until", _("Choose the day the reminders start again."))
            return data
        try:
            check_snooze_day(case=self.case, day=until)
        except forms.ValidationError as refused:
            self.add_error("until", refused)
        return data


class BulkForm(AssignsAgent, JourneyForm):
    needs_agent = _("Choose the agent to assign the cases to.")
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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Whatever was ticked: each token is checked against the case it names.
        tokens = self.data.getlist("cases") if hasattr(self.data, "getlist") else []
        cast(forms.ChoiceField, self.fields["cases"]).choices = [(token, token) for token in tokens]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
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


class AddProviderForm(forms.ModelForm):
    """A suggested provider added to the directory by an agent, with one official channel.

    The channel is optional (a provider whose official pages show none goes in without one,
    with the generic steps); given, it needs the page it was seen on and the date it was
    checked, as every official channel does.
    """

    country = forms.ChoiceField(label=_("Country"))
    slug = forms.SlugField(
        label=_("Slug"),
        max_length=80,
        required=False,
        help_text=_("Its address in the directory; made from the name when left empty."),
    )
    channel_kind = forms.ChoiceField(
        label=_("Channel kind"), choices=ContactChannel.Kind.choices, required=False
    )
    channel_value = forms.CharField(
        label=_("Number, address or page"),
        max_length=300,
        required=False,
        help_text=_("Only a channel from the provider's own pages."),
    )
    channel_hours = forms.CharField(label=_("Hours"), max_length=200, required=False)
    channel_source_url = forms.URLField(
        label=_("Seen on (the provider's page)"), max_length=500, required=False,
        assume_scheme="https",
    )  # fmt: skip
    channel_verified_on = forms.DateField(
        label=_("Checked on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Provider
        fields = [
            "name",
            "local_name",
            "slug",
            "country",
            "offers_virtual",
            "offers_esim",
            "offers_physical_sim",
            "website",
            "cancellation_url",
        ]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "add_%s")
        super().__init__(*args, **kwargs)
        country = cast(forms.ChoiceField, self.fields["country"])
        country.choices = [("", "—"), *countries.country_choices()]

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.data.get("name", ""))[:80]
        if not slug:
            raise forms.ValidationError(_("Give the provider a slug (letters, digits, hyphens)."))
        if Provider.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("Another provider already has this slug."))
        return slug

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("channel_value"):
            if not data.get("channel_kind"):
                self.add_error("channel_kind", _("Choose the channel's kind."))
            if not data.get("channel_source_url"):
                self.add_error(
                    "channel_source_url", _("An official channel needs the source it was seen at.")
                )
            if not data.get("channel_verified_on"):
                self.add_error("channel_verified_on", _("Give the day it was checked."))
        if not any(data.get(f"offers_{kind}") for kind in ("virtual", "esim", "physical_sim")):
            self.add_error("offers_virtual", _("Tick at least one kind of line it offers."))
        return data

    def channels(self) -> list[ContactChannel]:
        data = self.cleaned_data
        if not data.get("channel_value"):
            return []
        return [
            ContactChannel(
                kind=data["channel_kind"],
                value=data["channel_value"].strip(),
                hours=data.get("channel_hours", ""),
                source_url=data["channel_source_url"],
                verified_on=data["channel_verified_on"],
            )
        ]


class LinkProviderForm(forms.Form):
    """The suggestion is a provider already in the directory (added in the admin, say)."""

    provider = forms.ModelChoiceField(
        label=_("Provider in the directory"),
        queryset=Provider.objects.none(),
        empty_label="—",
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "link_%s")
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["provider"])
        field.queryset = Provider.objects.active().by_name()
