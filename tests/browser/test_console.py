"""Pages that swap in place leave the browser console clean: no CSP violation, no error."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser import site as pages

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shipped_data")]


def _tick_a_precaution(page: Page) -> None:
    before = page.locator(".checklist-done").count()
    page.locator("#precaution-list .checklist-todo button[type=submit]").first.click()
    expect(page.locator(".checklist-done")).to_have_count(before + 1)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_swapping_in_place_writes_no_inline_style(browser, live_server, language):
    site = pages.build_site()
    context = browser.new_context(viewport=pages.PHONE)
    pages.set_language(context, live_server.url, language)
    pages.sign_in(context, live_server.url, site.customer)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(live_server.url + pages.case_url("cases:precautions", site.preparing))
    _tick_a_precaution(page)
    page.goto(live_server.url + pages.case_url("contacts:new", site.waiting))
    pages._type_an_unofficial_contact(page)
    expect(page.locator("#scam-warning")).to_be_visible()
    page.wait_for_load_state("networkidle")
    context.close()

    assert not errors, "\n".join(errors)
