from allauth.account import apps as allauth_account_apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    # allauth's own app is also called "Accounts"; the admin index would show two sections of
    # the same name, so each gets a name that says what is in it.
    verbose_name = _("People")

    def ready(self) -> None:
        from accounts import signals  # noqa: F401  (connects the receivers)


class SignInAddressesConfig(allauth_account_apps.AccountConfig):
    """allauth's account app under a name of its own (see INSTALLED_APPS)."""

    default = False
    verbose_name = _("Sign-in addresses")
