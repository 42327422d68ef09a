from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from cases import claims
        from cases.reminders import checks  # noqa: F401 (registers the reminder settings' checks)

        user_logged_in.connect(
            claims.claim_session_drafts, dispatch_uid="cases.claim_session_drafts"
        )
