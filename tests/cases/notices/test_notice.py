"""The cancellation notice: the signer's details, the letter as PDF and text, "I sent it"."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from cases.models import Case, CaseEvent, ContactAttempt, Reminder
from cases.notices import services
from cases.transitions import TransitionNotAllowed
from providers.models import ContactChannel
from tests import factories
from tests.cases.test_views_journey import build_case

pytestmark = pytest.mark.django_db
S = Case.Status
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(customer):
    provider = factories.ProviderFactory(
        name="Demo Telecom (fictional)", slug="demo-telecom", country="GB"
    )
    factories.ContactChannelFactory(
        provider=provider, kind=ContactChannel.Kind.POST, value="PO Box 1, Testtown TE1 1ST"
    )
    case = build_case(
        owner=customer,
        status=S.IN_PROGRESS,
        provider=provider,
        provider_reference="ACC-778",
        needs_action_detail="",
    )
    factories.CaseEventFactory(
        case=case, visibility=CaseEvent.Visibility.INTERNAL, message="INTERNAL agent note"
    )
    factories.ContactAttemptFactory(case=case, summary="They hung up on me, INTERNALISH")
    return case


def with_details(case: Case, **fields) -> Case:
    case.notice_name = "Ada Lovelace"
    case.notice_address = "12 Example Street\nLondon N1 1AA"
    for name, value in fields.items():
        setattr(case, name, value)
    case.save()
    return case


def notice_url(case: Case) -> str:
    return reverse("notices:notice", kwargs={"ref": case.reference})


def pdf_url(case: Case, language: str) -> str:
    return reverse("notices:notice_pdf", kwargs={"ref": case.reference, "language": language})


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pdf_fonts(content: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(font.get_object()["/BaseFont"])
    return fonts


def test_details_are_asked_then_kept_on_the_case(client, customer, case):
    client.force_login(customer)

    response = client.post(
        notice_url(case),
        {
            "version": case.version,
            "name": " Ada Lovelace ",
            "address": "12 Example Street\nLondon N1 1AA",
            "effective_on": "2026-12-31",
        },
    )

    assert response.status_code == 302
    assert response.url == notice_url(case) + "#notice-ready"
    case.refresh_from_db()
    assert case.notice_name == "Ada Lovelace"
    assert case.notice_effective_on == dt.date(2026, 12, 31)
    event = case.events.get(kind=CaseEvent.Kind.NOTICE)
    # The timeline is shown on screens and in emails: the address stays out of it.
    assert "Example Street" not in event.summary + event.message


def test_missing_address_is_refused_next_to_the_field(client, customer, case):
    client.force_login(customer)

    response = client.post(notice_url(case), {"version": case.version, "name": "Ada"})

    assert response.status_code == 200
    assert "Enter your postal address." in response.content.decode()
    case.refresh_from_db()
    assert case.notice_name == ""


def test_notice_is_refused_with_a_message_when_the_address_is_missing(client, customer, case):
    with_details(case, notice_address="")
    client.force_login(customer)

    response = client.get(pdf_url(case, "en"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Add your full name and postal address first" in response.content.decode()
    with pytest.raises(TransitionNotAllowed):
        services.record_sent(
            case=case,
            by=customer,
            version=case.version,
            sending=services.Sending(sent_on=NOW.date(), channel_text="post"),
        )


def test_english_notice_pdf_has_the_fields_and_no_internal_note(client, customer, case):
    with_details(case, notice_effective_on=dt.date(2026, 12, 31))
    client.force_login(customer)

    response = client.get(pdf_url(case, "en"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    for expected in (
        "Ada Lovelace",
        "12 Example Street",
        "London N1 1AA",
        "Demo Telecom (fictional)",
        "PO Box 1, Testtown TE1 1ST",  # the directory's official postal address
        "+447700900123",  # the line, in full: the provider must know which one
        "ACC-778",
        case.reference,
        "Dec. 1, 2026",  # the date of the notice
        "Dec. 31, 2026",  # when it takes effect
        "in writing",
        "final bill",
    ):
        assert expected in text, expected
    assert "INTERNAL" not in text
    assert "hung up" not in text


def test_chinese_customer_gets_the_letter_in_english_and_a_chinese_copy(client, customer, case):
    with_details(case, language="zh-hans")
    client.force_login(customer)

    page = client.get(notice_url(case), follow=True).content.decode()
    english = client.get(pdf_url(case, "en"))
    chinese = client.get(pdf_url(case, "zh-hans"))

    assert pdf_url(case, "en") in page
    assert pdf_url(case, "zh-hans") in page
    assert "Dear Sir or Madam" in pdf_text(english.content)
    text = pdf_text(chinese.content)
    assert "解除" in text
    assert "书面" in text  # written confirmation
    assert "最终账单" in text
    assert "Ada Lovelace" in text
    assert "INTERNAL" not in text
    assert "/STSong-Light" in pdf_fonts(chinese.content)


def test_a_mainland_china_provider_gets_the_letter_in_chinese(client, customer, case):
    case.provider.country = "CN"
    case.provider.save()
    with_details(case)
    client.force_login(customer)

    page = client.get(notice_url(case), follow=True).content.decode()

    assert "Download the notice (PDF, 简体中文)" in page
    assert "Download your copy (PDF, English)" in page
    assert "尊敬的" in pdf_text(client.get(pdf_url(case, "zh-hans")).content)
    assert client.get(pdf_url(case, "de")).status_code == 404  # not a language of this case


def test_german_notice_cites_the_one_month_notice_of_tkg_56(client, customer, case):
    case.provider.country = "DE"
    case.provider.save()
    factories.EscalationRegionFactory(
        country="DE",
        wait_days=None,
        notice_period_months=1,
        notice_rule="§ 56 (3) TKG: one month's notice after a tacit extension.",
        notice_source_url="http://www.gesetze-im-internet.de/tkg_2021/__56.html",
        notice_verified_on=dt.date(2026, 12, 1),
    )
    with_details(case)
    client.force_login(customer)

    text = client.get(
        reverse("notices:notice_text", kwargs={"ref": case.reference, "language": "en"})
    ).content.decode()

    assert "§ 56 (3) TKG" in text
    assert "Ada Lovelace" in text


def test_text_to_paste_is_on_the_page(client, customer, case):
    with_details(case)
    client.force_login(customer)

    page = client.get(notice_url(case), follow=True).content.decode()

    assert "I hereby cancel my contract" in page
    assert "Ada Lovelace" in page


def test_i_sent_it_logs_a_contact_and_starts_the_wait_with_a_follow_up(client, customer, case):
    with_details(case)
    channel = case.provider.channels.get(kind=ContactChannel.Kind.POST)
    client.force_login(customer)

    response = client.post(
        reverse("notices:sent", kwargs={"ref": case.reference}),
        {"version": case.version, "channel": str(channel.pk), "sent_on": "2026-11-30"},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.AWAITING_REVIEW  # the wait on the provider started
    assert case.notice_answer_due_on == dt.date(2026, 12, 14)
    contact = ContactAttempt.objects.get(case=case, channel=channel)
    assert contact.direction == ContactAttempt.Direction.OUTBOUND
    assert contact.follow_up_on == dt.date(2026, 12, 14)
    follow_up = Reminder.objects.get(case=case, kind=Reminder.Kind.FOLLOW_UP)
    assert follow_up.due_at.date() == dt.date(2026, 12, 14)
    assert Reminder.objects.filter(case=case, kind=Reminder.Kind.LADDER).exists()
    assert case.events.filter(kind=CaseEvent.Kind.NOTICE).exists()
    page = client.get(reverse("cases:detail", kwargs={"ref": case.reference})).content.decode()
    assert "the answer is due by Dec. 14, 2026" in page


def test_i_sent_it_another_way_needs_to_say_how(client, customer, case):
    with_details(case)
    client.force_login(customer)

    response = client.post(
        reverse("notices:sent", kwargs={"ref": case.reference}),
        {"version": case.version, "channel": "other", "sent_on": "2026-11-30"},
    )

    assert "Say how you sent it" in response.content.decode()
    assert not ContactAttempt.objects.filter(case=case, follow_up_on__isnull=False).exists()


def test_name_and_address_are_purged_with_the_case(customer, case):
    with_details(case, status=S.COMPLETED, completed_at=NOW)

    from cases.evidence import services as evidence_services

    evidence_services.delete_case(case=case, by=customer, version=case.version)

    case.refresh_from_db()
    assert case.notice_name == ""
    assert case.notice_address == ""


def test_other_customer_gets_404_for_the_notice(client, other_customer, case):
    with_details(case)
    client.force_login(other_customer)

    assert client.get(notice_url(case)).status_code == 404
    assert client.get(pdf_url(case, "en")).status_code == 404


def test_notice_page_query_count_is_fixed(client, customer, case, django_assert_max_num_queries):
    with_details(case)
    client.force_login(customer)
    with django_assert_max_num_queries(30) as few:
        client.get(notice_url(case))
    factories.ContactChannelFactory.create_batch(3, provider=case.provider)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(notice_url(case))


def test_notice_text_and_i_sent_it_give_the_case_address_to_reply_to(client, customer, case):
    with_details(case)
    client.force_login(customer)

    text = client.get(
        reverse("notices:notice_text", kwargs={"ref": case.reference, "language": "en"})
    ).content.decode()
    page = client.get(notice_url(case), follow=True).content.decode()

    address = case.inbound_address.address
    assert text.startswith(f"Reply-To: {address}\n")
    assert f'Put your case\'s address <span class="typed-contact">{address}</span>' in page
