from typing import cast

from allauth.account.forms import ConfirmLoginCodeForm, LoginForm, RequestLoginCodeForm
from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import User, validate_time_zone
from accounts.time_zones import time_zone_choices
from config.forms import ErrorsBesideFields


class RequestCodeForm(ErrorsBesideFields, RequestLoginCodeForm):
    """One form for new and returning customers: an unknown address gets an account."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = _("Email address")
        email.help_text = _("We email you a code to type in. No password needed.")
        email.widget.attrs.pop("placeholder", None)
        email.widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        email.error_messages["required"] = _("Enter your email address.")

    def clean_email(self) -> str:
        # allauth looks the address up and consumes the rate limit before anything is made.
        email = super().clean_email()
        self._user: User | None
        if email:
            self._user = services.customer_for_code(
                email=email, user=self._user, language=translation.get_language() or "en"
            )
        return email


class ConfirmCodeForm(ErrorsBesideFields, ConfirmLoginCodeForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        code.label = _("Code")
        code.help_text = _("8 letters and numbers, from the email we just sent.")
        code.widget.attrs.pop("placeholder", None)
        code.error_messages["required"] = _("Enter the code from the email we sent you.")
        code.widget.attrs.update(
            {"autocomplete": "one-time-code", "autocapitalize": "characters", "spellcheck": "false"}
        )


class StaffLoginForm(ErrorsBesideFields, LoginForm):
    """Email and password, always: the staff page never falls back to a sign-in code.

    allauth drops the password field when signup asks for none (ours asks only for an
    email) and then turns this form into a code request, which staff must never get.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Email address")
        self.fields["password"].label = _("Password")
        self.fields["login"].error_messages["required"] = _("Enter your email address.")
        self.fields["password"].error_messages["required"] = _("Enter your password.")
        for name in ("login", "password"):
            self.fields[name].widget.attrs.pop("placeholder", None)

    def _setup_password_field(self) -> None:
        pass


class PreferencesForm(ErrorsBesideFields):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        required=False,
        help_text=_("How we greet you. Optional."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("For these pages and for the emails we send you."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Dates and reminder times are shown in this time zone."),
        error_messages={"invalid_choice": _("Choose a time zone from the list.")},
        validators=[validate_time_zone],
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "display_name": user.display_name,
                "preferred_language": user.preferred_language,
                "time_zone": user.time_zone,
            },
        )
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = time_zone_choices(
            user.time_zone
        )
        # Language names in their own script, so each is findable whatever the page language.
        cast(forms.ChoiceField, self.fields["preferred_language"]).choices = [
            (code, translation.get_language_info(code)["name_local"])
            for code, _name in settings.LANGUAGES
        ]
