from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts import receivers

        user_logged_in.connect(
            receivers.claim_session_drafts, dispatch_uid="accounts.claim_session_drafts"
        )
