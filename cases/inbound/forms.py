from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import normalize_reference


class DecisionForm(forms.Form):
    """Record or dismiss a suggested outcome: the version the person saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class UnmatchedForm(forms.Form):
    """An agent's choice for an email that reached no case."""

    action = forms.ChoiceField(choices=[("attach", "attach"), ("discard", "discard")])
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=20,
        required=False,
        help_text=_("For example CX-4K7M-2QPD."),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("action") == "attach":
            reference = normalize_reference(data.get("reference") or "")
            if reference is None:
                self.add_error("reference", _("Enter the reference of the case to attach it to."))
            data["reference"] = reference
        return data
