"""Screenshots of the main pages at 360 px and 1280 px in English and Chinese, for people to
look at: run by `bin/screenshots` (into var/screenshots/ by default), skipped otherwise."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser import site as pages

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shipped_data")]

FOLDER = os.environ.get("SCREENSHOTS_DIR", "")
LANGUAGES = ["en", "zh-hans"]
VIEWPORTS = {"360": pages.PHONE, "1280": pages.DESKTOP}
MAIN_CUSTOMER_PAGES = {
    "home", "start", "provider-search", "details", "my-cases", "precautions", "step",
    "step-note-warning", "case-waiting", "case-completed", "contact-warning", "proof-add",
    "directory-search",
}  # fmt: skip
MAIN_STAFF_PAGES = {"staff-queue", "staff-case", "staff-contact-warning"}


def shoot(browser: Browser, base_url: str, folder: Path, user, entries) -> list[Path]:
    taken = []
    for language in LANGUAGES:
        for width, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport)
            pages.set_language(context, base_url, language)
            if user is not None:
                pages.sign_in(context, base_url, user)
            page = context.new_page()
            for entry in entries:
                page.goto(base_url + entry.path)
                if entry.prepare:
                    entry.prepare(page)
                path = folder / f"{entry.name}-{width}-{language}.png"
                page.screenshot(path=str(path), full_page=True)
                taken.append(path)
            context.close()
    return taken


def test_screenshots_of_the_main_pages(browser, live_server):
    # Not collected by bin/test (no test_ prefix): bin/screenshots names this file.
    folder = Path(FOLDER or "var/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    site = pages.build_site()
    customer = [p for p in pages.customer_pages(site) if p.name in MAIN_CUSTOMER_PAGES]
    staff = [p for p in pages.staff_pages(site) if p.name in MAIN_STAFF_PAGES]

    taken = shoot(browser, live_server.url, folder, site.customer, customer)
    taken += shoot(browser, live_server.url, folder, None, pages.visitor_pages())
    taken += shoot(browser, live_server.url, folder, site.agent, staff)

    assert all(path.stat().st_size > 0 for path in taken)
    print(f"\n{len(taken)} screenshots in {folder}")
