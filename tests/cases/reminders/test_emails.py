"""The reminder email as a customer receives it, in English and Simplified Chinese."""

import datetime as dt
import email
import email.policy
import re

import pytest
from django.core import signing
from django.test import Client

from cases.models import Case, Reminder
from cases.reminders import emails, send
from tests import factories
from tests.cases.reminders.helpers import DAY, T0, ladder, waiting_case

pytestmark = pytest.mark.django_db

SITE = "https://closeout.example"


@pytest.fixture(autouse=True)
def _site(settings, time_machine):
    settings.SITE_URL = SITE
    time_machine.move_to(T0, tick=False)


def send_first_reminder(case: Case, *, now: dt.datetime) -> Reminder:
    [first] = ladder(case)
    Reminder.objects.filter(pk=first.pk).update(state=Reminder.State.SENDING, sending_since=now)
    assert send.send_reminder(reminder_id=first.pk, lease=now) is send.Sent.SENT
    return first


def parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def stop_link(message) -> str:
    header = parsed(message)["List-Unsubscribe"]
    match = re.fullmatch(r"<(https://closeout\.example/reminders/stop/[^/>]+/)>", header)
    assert match, header
    return match.group(1)


@pytest.mark.parametrize("policy", [email.policy.default, email.policy.SMTP])
def test_the_stop_header_is_one_plain_url_as_mail_clients_read_it(
    mailoutbox, provider_with_channels, policy
):
    case = waiting_case(provider=provider_with_channels, language="zh-hans")
    send_first_reminder(case, now=T0 + 5 * DAY)

    [message] = mailoutbox
    raw = message.message(policy=policy).as_bytes()

    # Unfolded and never RFC 2047-encoded, whatever the policy of the backend that sends it.
    link = stop_link(message).encode()
    assert b"List-Unsubscribe: <" + link + b">" + policy.linesep.encode() in raw
    assert b"=?utf-8?q?=3Chttps" not in raw
    # The Chinese subject is still encoded as headers must be.
    assert b"Subject: =?utf-8?" in raw


@pytest.fixture
def provider_with_channels():
    provider = factories.ProviderFactory(name="Demo Mobile", typical_review_days=3)
    factories.ContactChannelFactory(
        provider=provider,
        value="+44 20 7946 0000",
        hours="Mon–Fri 09:00–17:00",
        hours_zh_hans="周一至周五 09:00–17:00",
    )
    factories.ContactChannelFactory(
        provider=provider, value="scam@example.net", is_official=False, source_url=""
    )
    return provider


@pytest.mark.parametrize(
    ("language", "hours"), [("en", "Mon–Fri 09:00–17:00"), ("zh-hans", "周一至周五 09:00–17:00")]
)
def test_reminder_email_headers_parts_and_links(
    mailoutbox, provider_with_channels, language, hours
):
    case = waiting_case(provider=provider_with_channels, language=language)
    first = send_first_reminder(case, now=T0 + 5 * DAY)

    [message] = mailoutbox
    mime = parsed(message)
    html, mimetype = message.alternatives[0]
    case_url = f"{SITE}/cases/{case.reference}/"
    assert message.to == [case.owner.email]
    assert mime["Message-ID"] == f"<reminder-{first.pk}@closeout.example>"
    assert mime["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mime["Content-Language"] == language
    assert case.reference in message.subject
    assert mimetype == "text/html"
    assert f'<html lang="{language}">' in html
    for part in (message.body, html):
        assert case_url in part
        assert stop_link(message) in part
        assert "REF-55501" in part  # the provider's reference to quote
        assert "+44 20 7946 0000" in part  # the official channel
        assert hours in part  # its hours, in the case's language
        assert "scam@example.net" not in part  # never an unofficial contact
    assert "<" not in message.body


def test_english_email_says_how_long_it_waited_against_the_typical_time(
    mailoutbox, provider_with_channels
):
    case = waiting_case(provider=provider_with_channels)
    send_first_reminder(case, now=T0 + 5 * DAY)
    [message] = mailoutbox
    assert "has been waiting 5 days" in message.body
    assert "It usually takes 3 days" in message.body
    assert "never ask for your verification codes" in message.body


def test_stop_link_stops_only_its_own_case(mailoutbox):
    owner = factories.UserFactory()
    case_a, case_b = waiting_case(owner=owner), waiting_case(owner=owner)
    send_first_reminder(case_a, now=T0 + 3 * DAY)
    link = stop_link(mailoutbox[0]).removeprefix(SITE)

    response = Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 302
    case_a.refresh_from_db()
    case_b.refresh_from_db()
    assert case_a.reminders_stopped_at is not None
    assert case_b.reminders_stopped_at is None
    assert ladder(case_a)[-1].state == Reminder.State.CANCELLED
    assert ladder(case_b)[-1].state == Reminder.State.SCHEDULED


def test_stop_token_is_scoped_to_its_case():
    case_a, case_b = factories.CaseFactory(), factories.CaseFactory()
    token = emails.stop_token(case_a)
    assert emails.case_id_from_stop_token(token) == case_a.pk
    assert emails.case_id_from_stop_token(token) != case_b.pk
    # Signed with another purpose's salt, or edited to name another case: refused.
    with pytest.raises(signing.BadSignature):
        emails.case_id_from_stop_token(signing.dumps({"case": case_b.pk}))
    forged = token.replace(
        signing.dumps({"case": case_a.pk}, salt=emails.STOP_SALT).split(":")[0],
        signing.dumps({"case": case_b.pk}, salt=emails.STOP_SALT).split(":")[0],
    )
    with pytest.raises(signing.BadSignature):
        emails.case_id_from_stop_token(forged)


def test_tampered_stop_link_is_refused(client):
    case = factories.CaseFactory()
    token = emails.stop_token(case)
    response = client.post(f"/reminders/stop/{token[:-2]}xx/")
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.reminders_stopped_at is None


class TestEmailPolish:
    """Links that wrap at 360 px, directory contacts as links, the person's name."""

    def test_directory_phone_and_web_addresses_are_links(self, mailoutbox):
        provider = factories.ProviderFactory(name="Link Mobile")
        factories.ContactChannelFactory(provider=provider, value="+44 20 7946 0111")
        factories.ContactChannelFactory(
            provider=provider, kind="web_form", value="https://example.com/cancel"
        )
        case = waiting_case(provider=provider)
        send_first_reminder(case, now=T0 + 5 * DAY)

        html = mailoutbox[0].alternatives[0][0]
        assert 'href="tel:+442079460111"' in html
        assert 'href="https://example.com/cancel"' in html

    def test_long_links_wrap_inside_the_card(self, mailoutbox, provider_with_channels):
        case = waiting_case(provider=provider_with_channels)
        send_first_reminder(case, now=T0 + 5 * DAY)

        html = mailoutbox[0].alternatives[0][0]
        assert "overflow-wrap:anywhere" in html
        assert "word-break:break-word" in html

    def test_the_person_is_greeted_by_the_name_they_set(self, mailoutbox):
        owner = factories.UserFactory(display_name="Mei")
        case = waiting_case(owner=owner)
        send_first_reminder(case, now=T0 + 5 * DAY)

        [message] = mailoutbox
        assert message.body.startswith("Hello Mei,")
        assert "Hello Mei," in message.alternatives[0][0]

    def test_no_name_no_greeting_by_name(self, mailoutbox):
        owner = factories.UserFactory(display_name="")
        case = waiting_case(owner=owner)
        send_first_reminder(case, now=T0 + 5 * DAY)

        assert "Hello ," not in mailoutbox[0].body


@pytest.mark.parametrize(
    ("after", "language", "text", "html"),
    [
        (
            3 * dt.timedelta(hours=1),
            "en",
            "has been waiting less than a day.",
            "has been waiting <strong>less than a day</strong>.",
        ),
        (DAY, "en", "has been waiting 1 day.", "has been waiting <strong>1 day</strong>."),
        (5 * DAY, "en", "has been waiting 5 days.", "has been waiting <strong>5 days</strong>."),
        (
            3 * dt.timedelta(hours=1),
            "zh-hans",
            "已等待不到一天。",
            "已等待<strong>不到一天</strong>。",
        ),
        (DAY, "zh-hans", "已等待 1 天。", "已等待 <strong>1 天</strong>。"),
        (5 * DAY, "zh-hans", "已等待 5 天。", "已等待 <strong>5 天</strong>。"),
    ],
)
def test_the_wait_is_told_right_for_under_a_day_one_day_and_more(
    mailoutbox, time_machine, after, language, text, html
):
    case = waiting_case(language=language)
    time_machine.move_to(T0 + after, tick=False)
    send_first_reminder(case, now=T0 + after)

    [message] = mailoutbox
    assert text in message.body
    assert html in message.alternatives[0][0]
    for part in (message.body, message.alternatives[0][0]):
        assert "0 day" not in part
        assert "0 天" not in part
        assert "1 days" not in part
