"""The retention warning: the customer's evidence goes in 14 days; here is the proof pack."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from cases.models import Case


def send_retention_warning(case: Case) -> None:
    """Email the owner, in the case's language, with a link to download the proof pack."""
    if case.owner is None:
        return
    with translation.override(case.language):
        when = case.retention_warned_at or case.completed_at or case.status_changed_at
        days = settings.CASE_RETENTION_WARNING_DAYS
        pack_url = settings.SITE_URL + reverse("evidence:pack", kwargs={"ref": case.reference})
        subject = _("Case %(reference)s: its files are deleted in %(days)d days") % {
            "reference": case.reference,
            "days": days,
        }
        body = _(
            "Your case %(reference)s with %(provider)s finished a while ago. To protect your "
            "data, Closeout deletes its files and the line's details in %(days)d days.\n\n"
            "If you may need the proof later, download the proof pack now:\n%(url)s\n\n"
            "Warning sent on %(when)s."
        ) % {
            "reference": case.reference,
            "provider": case.provider_label,
            "days": days,
            "url": pack_url,
            "when": formats.date_format(when, "DATE_FORMAT") if when else "",
        }
    EmailMessage(subject=subject, body=body, to=[case.owner.email]).send()
