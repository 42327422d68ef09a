"""axe-core on every page, in both languages: customer pages at 360 px, the staff dashboard at
1280 px. A serious or critical violation fails, with each rule and the elements it found."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.browser import site as pages

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shipped_data")]

LANGUAGES = ["en", "zh-hans"]
FAILING_IMPACTS = {"serious", "critical"}
AXE = Axe()


# The innermost elements that reach past the screen's right edge: where to look first.
OVERFLOWING = """width => {
  const wide = [...document.body.querySelectorAll('*')].filter(
    el => el.getBoundingClientRect().right > width + 1);
  return wide.filter(el => ![...el.children].some(child => wide.includes(child)))
    .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
      + ' ' + Math.round(el.getBoundingClientRect().right) + 'px');
}"""


def violations(page) -> list[str]:
    """The serious and critical violations on the page, one readable line per element."""
    results = AXE.run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        for node in violation["nodes"]:
            found.append(
                f"{violation['id']} ({violation['impact']}): {node['target']} "
                f"{node.get('failureSummary', '').splitlines()[-1:]}"
            )
    return found


def check(browser: Browser, base_url: str, language: str, viewport, user, entries) -> list[str]:
    context = browser.new_context(viewport=viewport)
    pages.set_language(context, base_url, language)
    if user is not None:
        pages.sign_in(context, base_url, user)
    page = context.new_page()
    problems = []
    for entry in entries:
        response = page.goto(base_url + entry.path)
        assert response is not None, entry.name
        assert response.ok, f"{entry.name}: {response.status}"
        if entry.prepare:
            entry.prepare(page)
        problems += [f"[{language}] {entry.name}: {line}" for line in violations(page)]
        # Reflow (WCAG 1.4.10): nothing wider than the screen, no sideways scrolling.
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            problems.append(
                f"[{language}] {entry.name}: {width} px wide, wider than the screen "
                f"({', '.join(page.evaluate(OVERFLOWING, viewport['width']))})"
            )
    context.close()
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_customer_pages_at_360px_have_no_serious_violation(browser, live_server, language):
    site = pages.build_site()

    problems = check(
        browser, live_server.url, language, pages.PHONE, site.customer, pages.customer_pages(site)
    )
    problems += check(browser, live_server.url, language, pages.PHONE, None, pages.visitor_pages())

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_pages_at_1280px_have_no_serious_violation(browser, live_server, language):
    site = pages.build_site()

    problems = check(
        browser, live_server.url, language, pages.DESKTOP, site.agent, pages.staff_pages(site)
    )
    problems += check(
        browser, live_server.url, language, pages.DESKTOP, None, [pages.staff_sign_in_page()]
    )

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", [pages.PHONE, pages.DESKTOP], ids=["360px", "1280px"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_case_page_in_every_state_fits_and_has_no_serious_violation(
    browser, live_server, language, viewport
):
    """Refused, escalated, notice sent, billing check asked, withdrawn, completed, waiting; and
    on the staff side the same and deleted: each fits the screen and passes axe."""
    site = pages.build_site()
    states = pages.build_case_states(site)
    customer = [
        *pages.case_state_pages(states),
        pages.SitePage("case-waiting", pages.case_url("cases:detail", site.waiting)),
        pages.SitePage("case-completed", pages.case_url("cases:detail", site.completed)),
    ]
    staff = [
        *pages.staff_case_state_pages(states),
        pages.SitePage("staff-case-completed", pages.case_url("staff:case_detail", site.completed)),
    ]

    problems = check(browser, live_server.url, language, viewport, site.customer, customer)
    problems += check(browser, live_server.url, language, viewport, site.agent, staff)

    assert not problems, "\n".join(problems)
