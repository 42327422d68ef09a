"""The public "Report a wrong detail" form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import JourneyForm
from cases.models import Case


class ReportForm(JourneyForm):
    text = forms.CharField(
        label=_("What is wrong with this detail?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For example: the number now plays a message that it has changed. Never include "
            "passwords, codes or your ID number."
        ),
        error_messages={"required": _("Say what is wrong, so that we know what to check.")},
    )
    case = forms.ChoiceField(
        label=_("Your case (optional)"),
        required=False,
        help_text=_("If you saw it while working on one of your cases."),
    )

    def __init__(self, *args, cases: list[Case], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("No case")), *((c.reference, c.reference) for c in cases)]
        if not cases:
            del self.fields["case"]
