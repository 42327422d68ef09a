"""Back, then submit again, in Chromium at 360 px: a create form saves its entry once."""

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from cases.models import Case, ContactAttempt
from tests import factories

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_back_then_submit_again_logs_one_contact(page: Page, live_server, language):
    base = live_server.url
    customer = factories.UserFactory(email=f"back-{language}@example.com")
    case = factories.CaseFactory(owner=customer, status=Case.Status.AWAITING_REVIEW)
    client = Client()
    client.force_login(customer)
    page.context.add_cookies(
        [
            {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base},
            {"name": "django_language", "value": language, "url": base},
        ]
    )

    page.goto(f"{base}/cases/{case.reference}/contacts/new/")
    page.locator("input[name=channel][value=other]").check()
    page.locator("input[name=channel_text]").fill("Shop at 1 High Street")
    page.locator("input[name=outcome]").first.check()
    page.locator("textarea[name=summary]").fill("Asked them to end the line.")

    page.locator("#contact-form button[type=submit]").click()
    expect(page.locator(".contact-entry")).to_have_count(1)

    page.go_back()
    expect(page.locator("#contact-form")).to_be_visible()

    # The browser restores what was typed; the form still carries its first token.
    expect(page.locator("input[name=channel_text]")).to_have_value("Shop at 1 High Street")
    page.locator("#contact-form button[type=submit]").click()

    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator(".contact-entry")).to_have_count(1)
    assert ContactAttempt.objects.filter(case=case).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
