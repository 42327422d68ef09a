"""Reminder emails: text and HTML in the case's language, with a one-click stop (RFC 8058)."""

import datetime as dt
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cases.models import Case, Reminder
from config.mail import ListEmail
from providers.models import ContactChannel, localized

STOP_SALT = "cases.reminders.stop"
# A stop link must keep working for as long as reminders for a case may still arrive.
STOP_LINK_MAX_AGE = dt.timedelta(days=365)


def stop_token(case: Case) -> str:
    """A signed, timestamped token that stops reminders for `case` and no other."""
    return signing.dumps({"case": case.pk}, salt=STOP_SALT)


def case_id_from_stop_token(token: str) -> int:
    """The case a stop token was made for; raises signing.BadSignature (or its subclass
    SignatureExpired) for a tampered, foreign or expired token."""
    data = signing.loads(token, salt=STOP_SALT, max_age=STOP_LINK_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("case"), int):
        raise signing.BadSignature("Not a stop token.")
    return data["case"]


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def case_path(case: Case) -> str:
    return reverse("cases:detail", kwargs={"ref": case.reference})


def stop_url(case: Case) -> str:
    return absolute(reverse("reminders:stop", kwargs={"token": stop_token(case)}))


def message_id(reminder: Reminder) -> str:
    # Fixed per reminder: should a rare duplicate go out, mail clients show it once.
    return f"<reminder-{reminder.pk}@{site_domain()}>"


def subject_for(reminder: Reminder) -> str:
    case = reminder.case
    if reminder.kind == Reminder.Kind.LADDER:
        template = gettext("Still waiting on %(provider)s? Your case %(reference)s")
    elif reminder.kind == Reminder.Kind.FOLLOW_UP:
        template = gettext("Time to follow up with %(provider)s: case %(reference)s")
    elif reminder.kind == Reminder.Kind.BILLING_CHECK:
        template = gettext("Did %(provider)s stop charging you? Case %(reference)s")
    else:
        template = gettext("A message about your case %(reference)s")
    return template % {"provider": case.provider_label, "reference": case.reference}


def channel_href(channel: ContactChannel) -> str:
    """A link for a directory channel (tel:, mailto:, https:), or "" when it is not one.

    Only the directory's official channels get here: a contact a person typed is never
    turned into a link.
    """
    value = channel.value.strip()
    if channel.kind == ContactChannel.Kind.PHONE:
        digits = re.sub(r"\D", "", value)
        return f"tel:{'+' if value.startswith('+') else ''}{digits}" if digits else ""
    if channel.kind == ContactChannel.Kind.EMAIL and "@" in value:
        return f"mailto:{value}"
    if value.startswith("https://"):
        return value
    return ""


def official_channels(case: Case) -> list[dict]:
    if not case.provider_id:
        return []
    channels = ContactChannel.objects.filter(provider_id=case.provider_id, is_official=True)
    return [
        {
            "kind": channel.get_kind_display(),
            "label": localized(channel, "label"),
            "value": channel.value,
            "href": channel_href(channel),
            "hours": localized(channel, "hours"),
        }
        for channel in channels.order_by("position", "id")
    ]


def reminder_message(*, reminder: Reminder, now: dt.datetime) -> ListEmail:
    """The email for `reminder` as of `now`, in its case's language."""
    case = reminder.case
    with translation.override(case.language):
        language = translation.get_language()
        since = case.waiting_since or case.status_changed_at
        context = {
            "reminder": reminder,
            "kind": reminder.kind,
            "case": case,
            "provider": case.provider_label,
            "waited_days": max((now - since).days, 0),
            "typical_days": case.typical_wait_days if case.is_waiting else None,
            "expected_by": case.expected_by,
            "time_zone": case.time_zone,
            "channels": official_channels(case),
            "cancellation_url": case.provider.cancellation_url if case.provider else "",
            "provider_reference": case.provider_reference,
            "case_url": absolute(case_path(case)),
            "stop_url": stop_url(case),
            "language": language,
            # The name the person set in Preferences, if any.
            "name": case.owner.display_name.strip() if case.owner else "",
        }
        subject = subject_for(reminder)
        text = render_to_string("emails/reminder.txt", context)
        html = render_to_string("emails/reminder.html", context)
    unsubscribe = context["stop_url"]
    assert case.owner is not None  # the sweep cancels reminders of cases nobody owns
    message = ListEmail(
        subject=subject,
        body=text,
        to=[case.owner.email],
        headers={
            "Message-ID": message_id(reminder),
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
        },
    )
    message.attach_alternative(html, "text/html")
    return message
