"""The provider's Chinese name wherever a Chinese reader meets it: pages, emails, letters."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from cases import services
from cases.evidence import proof_pack
from cases.models import Case
from cases.notices import letter
from cases.reminders.digest import Item
from tests import factories
from tests.cases.reminders.helpers import DAY, T0, waiting_case
from tests.cases.reminders.test_emails import send_first_reminder
from tests.cases.test_views_journey import build_case

pytestmark = pytest.mark.django_db
S = Case.Status


@pytest.fixture
def china_mobile():
    return factories.ProviderFactory(
        name="China Mobile",
        name_zh="中国移动",
        local_name="中国移动",
        slug="china-mobile-test",
        country="CN",
        cancellation_url="https://example.com/cancel",
    )


def page(client, name: str, case: Case, language: str, **kwargs) -> str:
    client.cookies["django_language"] = language
    return client.get(reverse(f"cases:{name}", kwargs={"ref": case.reference, **kwargs})).text


def test_chinese_case_and_step_pages_name_the_provider_in_chinese(client, customer, china_mobile):
    case = build_case(owner=customer, status=S.IN_PROGRESS, provider=china_mobile)
    client.force_login(customer)

    detail = page(client, "detail", case, "zh-hans")
    step = page(client, "step", case, "zh-hans", number=2)

    assert "<h1>中国移动</h1>" in detail
    assert "服务商名录中的 中国移动" in step
    assert "中国移动 官方注销页面" in step
    assert "China Mobile" not in detail + step
    # English readers keep the English name.
    assert "<h1>China Mobile</h1>" in page(client, "detail", case, "en")
    assert "China Mobile in the provider directory" in page(client, "step", case, "en", number=2)


def test_the_details_page_says_what_中国移动_will_ask_for(client, customer, china_mobile):
    case = build_case(owner=customer, provider=china_mobile)
    client.force_login(customer)
    assert "中国移动 会要求提供这些信息" in page(client, "details", case, "zh-hans")


def test_choosing_the_provider_reads_服务商_中国移动_on_a_chinese_timeline(
    client, customer, china_mobile
):
    case = factories.CaseFactory(owner=customer, provider=None, provider_name="CM")
    with translation.override("en"):
        services.choose_provider(
            case=case, by=customer, version=case.version, provider=china_mobile
        )
    client.force_login(customer)

    assert "服务商：中国移动" in page(client, "timeline", case, "zh-hans")
    assert "Provider: China Mobile" in page(client, "timeline", case, "en")


def test_the_provider_choice_lists_中国移动_once_in_chinese(client, customer, china_mobile):
    case = factories.CaseFactory(owner=customer, provider=None, status=S.DRAFT)
    client.force_login(customer)
    client.cookies["django_language"] = "zh-hans"
    url = reverse("cases:provider", kwargs={"ref": case.reference})
    results = client.get(url, {"q": "移动"}).text
    assert "中国移动" in results
    assert "中国移动 · " not in results  # the local name says the same: not shown twice


def test_a_chinese_reminder_email_names_中国移动(mailoutbox, time_machine, china_mobile):
    time_machine.move_to(T0, tick=False)
    case = waiting_case(provider=china_mobile, language="zh-hans")
    send_first_reminder(case, now=T0 + 5 * DAY)

    [message] = mailoutbox
    assert "中国移动" in message.subject
    assert "中国移动" in message.body
    assert "China Mobile" not in message.subject + message.body


def test_an_english_reminder_email_keeps_the_english_name(mailoutbox, time_machine, china_mobile):
    time_machine.move_to(T0, tick=False)
    case = waiting_case(provider=china_mobile, language="en")
    send_first_reminder(case, now=T0 + 5 * DAY)
    [message] = mailoutbox
    assert "China Mobile" in message.subject


def test_the_chinese_notice_letter_addresses_中国移动_without_repeating_it(china_mobile):
    case = factories.CaseFactory(
        provider=china_mobile, notice_name="李伟", notice_address="上海市某路 1 号"
    )
    chinese = letter.compose(
        case=case, language="zh-hans", today=dt.date(2026, 12, 1), channels=[], region=None
    )
    english = letter.compose(
        case=case, language="en", today=dt.date(2026, 12, 1), channels=[], region=None
    )
    assert chinese.recipient[0] == "中国移动"
    assert english.recipient[0] == "China Mobile (中国移动)"


def test_the_chinese_proof_pack_summary_names_中国移动(china_mobile):
    case = factories.CaseFactory(provider=china_mobile, status=S.COMPLETED, language="zh-hans")
    pdf = proof_pack.summary_pdf(case=case, files=[], created_at=timezone.now())
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "中国移动" in text
    assert "China Mobile" not in text


def test_the_agents_digest_names_the_provider_in_each_agents_language():
    item = Item("CX-1", "China Mobile", "https://closeout.example/", "", "中国移动")
    assert item.provider == "China Mobile"
    with translation.override("zh-hans"):
        assert item.provider == "中国移动"
