"""The ESP webhook (Mailgun's inbound route, signed as Mailgun documents it, behind HTTP basic
auth): a signed post is stored like any other email; an unsigned or forged one is refused."""

import base64
import hashlib
import hmac
import time

import pytest

from cases.models import InboundMessage
from tests.cases.inbound.conftest import corpus, process_all

pytestmark = pytest.mark.django_db

SECRET = "closeout-hook:s3cret-pass"
SIGNING_KEY = "key-0123456789abcdef0123456789abcdef"
URL = "/inbound/mailgun_mime/"


@pytest.fixture(autouse=True)
def _anymail(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


def basic_auth(secret: str = SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def signed(fields: dict, *, key: str = SIGNING_KEY) -> dict:
    """Mailgun's signature: HMAC-SHA256 of timestamp + token with the webhook signing key."""
    timestamp, token = str(int(time.time())), "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {**fields, "timestamp": timestamp, "token": token, "signature": signature}


def payload(case) -> dict:
    raw = corpus("en_confirmation_plain.eml", case=case)
    return {
        "body-mime": raw.decode("utf-8"),
        "recipient": case.inbound_address.address,
        "sender": "bounce+12ab@mail.skylinemobile.co.uk",
    }


def test_signed_post_is_stored_and_processed(
    client, waiting_case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(URL, signed(payload(waiting_case)), **basic_auth())
    assert response.status_code == 200
    assert len(queued) == 1
    message = InboundMessage.objects.get()
    assert message.via == InboundMessage.Via.WEBHOOK
    assert message.recipient == waiting_case.inbound_address.address
    process_all()
    message.refresh_from_db()
    assert message.state == InboundMessage.State.PROCESSED
    assert message.case == waiting_case
    assert message.suggestion == InboundMessage.Suggestion.CONFIRMED


def test_retried_delivery_is_kept_once(client, waiting_case):
    fields = signed(payload(waiting_case))
    assert client.post(URL, fields, **basic_auth()).status_code == 200
    assert client.post(URL, fields, **basic_auth()).status_code == 200
    assert InboundMessage.objects.count() == 1


@pytest.mark.parametrize(
    ("auth", "key"),
    [
        ({}, SIGNING_KEY),  # no basic auth
        (basic_auth("closeout-hook:wrong"), SIGNING_KEY),
        (basic_auth(), "key-forged"),  # signed with another key
    ],
)
def test_unsigned_or_forged_posts_are_refused(client, waiting_case, auth, key):
    response = client.post(URL, signed(payload(waiting_case), key=key), **auth)
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_post_without_signature_fields_is_refused(client, waiting_case):
    response = client.post(URL, payload(waiting_case), **basic_auth())
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_webhooks_refuse_everything_until_a_secret_is_set(settings, client, waiting_case):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "", "MAILGUN_WEBHOOK_SIGNING_KEY": ""}
    for url in ("/inbound/mailgun_mime/", "/inbound/postmark/", "/inbound/sendgrid/"):
        response = client.post(url, signed(payload(waiting_case), key=""))
        assert response.status_code == 403
    assert not InboundMessage.objects.exists()
