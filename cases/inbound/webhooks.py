"""The ESPs' inbound webhooks, through django-anymail, mounted at /inbound/<esp>/.

Every post must carry the HTTP basic auth of ANYMAIL_WEBHOOK_SECRET, and Mailgun's also its
HMAC signature (MAILGUN_WEBHOOK_SIGNING_KEY): anymail checks both and answers 400 otherwise.
Without a secret configured the endpoints answer 403 to everyone, so an unsigned post is never
taken, not even by a deployment that forgot the setting. The message goes to the one receive
service like any other; anymail's tracking webhooks are not mounted (nothing here needs them).
"""

import logging
from collections.abc import Callable

from anymail.signals import AnymailInboundEvent, inbound
from anymail.webhooks.amazon_ses import AmazonSESInboundWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import path, re_path

from cases.inbound import receive
from cases.models import InboundMessage

log = logging.getLogger(__name__)

app_name = "inbound_webhooks"


def _configured(view: Callable) -> Callable:
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            return HttpResponseForbidden("Inbound webhooks are not configured.")
        return view(request, *args, **kwargs)

    return guarded


urlpatterns = [
    path("amazon_ses/", _configured(AmazonSESInboundWebhookView.as_view()), name="amazon_ses"),
    # Mailgun posts the raw MIME when the URL contains "mime".
    re_path(
        r"^mailgun(?:_mime)?/$", _configured(MailgunInboundWebhookView.as_view()), name="mailgun"
    ),
    path("postmark/", _configured(PostmarkInboundWebhookView.as_view()), name="postmark"),
    path("sendgrid/", _configured(SendGridInboundWebhookView.as_view()), name="sendgrid"),
]


def _raw(event: AnymailInboundEvent) -> bytes:
    """The message as the ESP received it where it passes the raw MIME, else re-serialised."""
    request = event.esp_event
    post = getattr(request, "POST", None)
    for field in ("body-mime", "email"):  # Mailgun's raw MIME, SendGrid's "post raw" option
        value = post.get(field) if post is not None else None
        if value:
            return value.encode("utf-8", "surrogateescape")
    return event.message.as_bytes()


@receiver(inbound, dispatch_uid="cases.inbound.webhooks")
def received(sender, event: AnymailInboundEvent, esp_name: str, **kwargs) -> None:
    message = event.message
    recipients = [message.envelope_recipient] if message.envelope_recipient else []
    try:
        receive.receive(
            raw=_raw(event),
            via=InboundMessage.Via.WEBHOOK,
            recipients=recipients,
            envelope_from=message.envelope_sender or "",
        )
    except (receive.MessageTooLarge, receive.NotAnEmail):
        # Answered 200 all the same: an ESP retries an error for days, and this will not change.
        log.warning("Inbound email from %s refused (too large or not an email)", esp_name)
