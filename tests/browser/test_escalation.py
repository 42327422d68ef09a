"""When the provider will not move, in Chromium at 360 px: the escalation step, the notice."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from cases.models import Case
from providers.models import Provider
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shipped_data")]


def signed_in(page: Page, base: str, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": base}])


def test_a_case_past_its_deadline_shows_escalation_and_the_notice_downloads(
    page: Page, live_server
):
    base = live_server.url
    customer = factories.UserFactory(email="escalation@example.com")
    provider = Provider.objects.filter(is_demo=True, country="GB").first()
    assert provider is not None
    asked = timezone.now() - dt.timedelta(days=60)  # Ofcom: 8 weeks from the complaint
    case = factories.CaseFactory(
        owner=customer,
        provider=provider,
        status=Case.Status.AWAITING_REVIEW,
        submitted_at=asked,
        waiting_since=asked,
        expected_by=asked + dt.timedelta(days=3),
        stall_at=asked + dt.timedelta(days=6),
        is_stalled=True,
    )
    signed_in(page, base, customer)

    page.goto(f"{base}/cases/{case.reference}/")

    expect(page.get_by_role("heading", name="Next step: take it further")).to_be_visible()
    expect(page.get_by_role("heading", name="Communications Ombudsman")).to_be_visible()
    expect(page.get_by_text("It is more than 56 days since you first asked")).to_be_visible()

    page.get_by_role("link", name="Make a cancellation notice").click()
    expect(page.get_by_role("heading", name="Cancellation notice", exact=True)).to_be_visible()
    page.get_by_label("Your full name").fill("Ada Lovelace")
    page.get_by_label("Your postal address").fill("12 Example Street\nLondon N1 1AA")
    page.get_by_role("button", name="Make the notice").click()
    expect(page.get_by_role("heading", name="Your notice")).to_be_visible()
    expect(page.get_by_label(re.compile("The notice as text"))).to_contain_text("Ada Lovelace")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Download the notice \(PDF")).click()
    download = download_info.value
    assert download.suggested_filename == f"notice-{case.reference}-en.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_they_refused_shows_a_refusal_with_its_next_steps_at_360px(
    page: Page, live_server, language
):
    base = live_server.url
    customer = factories.UserFactory(email=f"refused-{language}@example.com")
    provider = Provider.objects.filter(is_demo=True, country="GB").first()
    assert provider is not None
    asked = timezone.now() - dt.timedelta(days=2)
    case = factories.CaseFactory(
        owner=customer,
        provider=provider,
        status=Case.Status.AWAITING_REVIEW,
        submitted_at=asked,
        waiting_since=asked,
        expected_by=asked + dt.timedelta(days=3),
        stall_at=asked + dt.timedelta(days=6),
    )
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    signed_in(page, base, customer)

    page.goto(f"{base}/cases/{case.reference}/")
    page.locator("input[name=outcome][value=refused]").check()
    page.locator("#outcome-form textarea[name=note]").fill("Minimum term not over.")
    page.locator("#outcome-form button[type=submit]").click()

    with translation.override(language):
        refused = translation.gettext("The provider refused to cancel the line.")
        needs = translation.gettext("They need something from you.")
        send_asked = translation.gettext(
            "Send what they asked for through an official channel, then record it below."
        )
        escalate = translation.gettext("Take it further")
        notice = translation.gettext("Send a cancellation notice")
        again = translation.gettext("I asked them again")
    now = page.locator(".now")
    expect(now).to_contain_text(refused)
    expect(now).to_contain_text("Minimum term not over.")
    expect(now).not_to_contain_text(needs)
    expect(now).not_to_contain_text(send_asked[:20])
    expect(now.get_by_role("link", name=escalate)).to_have_attribute("href", "#escalation")
    expect(now.get_by_role("link", name=notice)).to_be_visible()
    expect(page.locator("#outcome-form")).to_contain_text(again)
    expect(page.locator("#escalation")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
