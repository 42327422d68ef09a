"""The email to a customer whose named provider is now in the directory, in the case's language."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cases.models import Case
from providers.models import localized


def send_provider_added(*, case_ids: list[int]) -> int:
    """Tell each case's owner that its provider was added, with its official channels."""
    cases = Case.objects.filter(pk__in=case_ids, owner__isnull=False).select_related(
        "owner", "provider"
    )
    sent = 0
    for case in cases:
        if case.provider is None or case.owner is None:
            continue
        channels = case.provider.channels.filter(is_official=True).order_by("position", "id")
        with translation.override(case.language):
            lines = [
                f"- {channel.get_kind_display()}: {channel.value}"
                + (f" ({hours})" if (hours := localized(channel, "hours")) else "")
                for channel in channels
            ]
            subject = _("Case %(reference)s: %(provider)s is now in our directory") % {
                "reference": case.reference,
                "provider": case.provider.name,
            }
            body = _(
                "You told us your provider, %(provider)s, was not in Closeout's directory. "
                "Our team has added it, with its official contact channels, and linked your "
                "case %(reference)s to it.\n\n"
                "Its official channels:\n%(channels)s\n\n"
                "Your case:\n%(url)s"
            ) % {
                "provider": case.provider.name,
                "reference": case.reference,
                "channels": "\n".join(lines) or _("(none checked yet)"),
                "url": settings.SITE_URL + reverse("cases:detail", kwargs={"ref": case.reference}),
            }
        EmailMessage(subject=subject, body=body, to=[case.owner.email]).send()
        sent += 1
    return sent
