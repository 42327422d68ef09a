"""Journey A by keyboard alone: Tab to move, Space to pick a choice, Enter to press a button
or follow a link, and typing into fields. No click, no mouse."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Locator, Page, expect

from cases.models import Case
from tests import factories
from tests.browser.test_journeys import CODE
from tests.cases.staff.conftest import waiting_case

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shipped_data")]

MAX_TABS = 120


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page: Page, locator: Locator) -> None:
    """Press Tab until `locator` has the focus (what a keyboard user does)."""
    expect(locator).to_be_visible()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if is_focused(locator):
            # Whatever has the focus must show it.
            outline = locator.evaluate(
                "el => { const s = getComputedStyle(el);"
                " return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; }"
            )
            assert outline, f"no visible focus on {locator}"
            return
    raise AssertionError(f"Tab never reached {locator}")


def press(page: Page, locator: Locator) -> None:
    tab_to(page, locator)
    page.keyboard.press("Enter")


def pick(page: Page, locator: Locator) -> None:
    tab_to(page, locator)
    page.keyboard.press("Space")
    expect(locator).to_be_checked()


def type_into(page: Page, locator: Locator, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.type(text)


def test_journey_a_by_keyboard_alone(page: Page, live_server, mailoutbox):
    page.goto(f"{live_server.url}/start/")
    pick(page, page.get_by_label("Virtual SIM or virtual number (app-managed)"))
    press(page, page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", name="Keep the number?")).to_be_visible()
    pick(page, page.get_by_label("No, the number can go"))
    press(page, page.get_by_role("button", name="Continue"))

    expect(page.get_by_role("heading", name="Which provider?")).to_be_visible()
    search = page.get_by_label("Search the provider directory")
    type_into(page, search, "numbers")
    page.keyboard.press("Enter")
    press(page, page.get_by_role("button", name=re.compile("Demo Numbers App")))

    expect(page.get_by_role("heading", name="About the line")).to_be_visible()
    type_into(page, page.get_by_label("Phone number of the line"), "07700 900123")
    pick(page, page.get_by_label("No longer needed"))
    press(page, page.get_by_role("button", name="Continue"))

    press(page, page.get_by_role("link", name="Sign in to save"))
    type_into(page, page.get_by_label("Email address"), "keys.only@example.com")
    press(page, page.get_by_role("button", name="Email me a code"))
    expect(page.get_by_label("Code")).to_be_visible()
    code = CODE.search(mailoutbox[-1].body).group(1)
    type_into(page, page.get_by_label("Code"), code)
    press(page, page.get_by_role("button", name="Sign in"))
    press(page, page.get_by_role("button", name="Save and see the steps"))

    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    count = page.locator(".checklist-item").count()
    for index in range(count):
        item = page.locator(".checklist-item").nth(index)
        press(page, item.get_by_role("button", name="Done"))
        expect(page.locator(".checklist-item").nth(index).locator(".badge-ok")).to_be_visible()
    press(page, page.get_by_role("button", name="Continue to the steps"))

    for number in range(1, 12):
        expect(page.locator(".progress")).to_contain_text(f"Step {number} of")
        submit = page.get_by_role("button", name="I submitted the request")
        if submit.count():
            type_into(page, page.get_by_label("Reference number (if you got one)"), "REQ-KB-1")
            press(page, submit)
            break
        press(page, page.get_by_role("button", name="Done, next step"))
    expect(page.locator(".badge-status")).to_have_text("Awaiting provider review")

    pick(page, page.get_by_label("They confirmed the cancellation"))
    type_into(page, page.get_by_label("Their confirmation or reference number"), "CONF-KB")
    press(page, page.get_by_role("button", name="Save what happened"))
    expect(page.locator(".badge-status")).to_have_text("Completed")

    case = Case.objects.get()
    assert case.status == Case.Status.COMPLETED
    assert case.provider_reference == "CONF-KB"
    assert case.owner.email == "keys.only@example.com"


STAFF_PHONE = {"width": 360, "height": 740}


def staff_page(browser, live_server, language: str, *, javascript: bool = True) -> Page:
    agent = factories.AgentFactory(preferred_language=language)
    waiting_case()
    client = Client()
    client.force_login(agent)
    context = browser.new_context(
        viewport=STAFF_PHONE, java_script_enabled=javascript, locale=language
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/staff/")
    return page


SHORTCUTS = {
    "en": ("Keyboard shortcuts", "Go to the search box"),
    "zh-hans": ("键盘快捷键", "跳到搜索框"),
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_question_mark_shows_the_staff_shortcuts_and_escape_hides_them(
    browser, live_server, language
):
    page = staff_page(browser, live_server, language)
    title, search_line = SHORTCUTS[language]
    panel = page.locator("#keyboard-shortcuts")
    expect(panel).to_be_hidden()

    page.locator("body").press("?")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", name=title)).to_be_visible()
    expect(panel).to_contain_text(search_line)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= STAFF_PHONE["width"], f"the page is {width} px wide"

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox")).to_be_focused()
    page.context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_shortcuts_link_shows_them_without_javascript(browser, live_server, language):
    page = staff_page(browser, live_server, language, javascript=False)
    title, search_line = SHORTCUTS[language]
    panel = page.locator("#keyboard-shortcuts")
    expect(panel).to_be_hidden()

    page.get_by_role("link", name=re.compile(title)).click()

    expect(panel).to_be_visible()
    expect(panel).to_contain_text(search_line)
    page.context.close()
