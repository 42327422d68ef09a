"""The staff dashboard in Chromium at a desktop's 1280 px: an agent works a stalled case while a
second agent has it open, then the customer sees the message and never the internal note; and
an agent edits a directory channel that an open case shows at once."""

import datetime as dt
import re
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from cases.models import Case, CaseEvent, Reminder
from cases.reminders import send, sweep
from tests import factories
from tests.cases.staff.conftest import stalled_case, waiting_case

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

DESKTOP = {"width": 1280, "height": 900}
NOTE = "Called Demo Mobile: they want the IMEI again. Do not tell the customer yet."
MESSAGE = "We chased the provider today; they promised an answer within two days."
STALE_NOTE = "Ben's note typed on a page that is out of date."
REASON = "The provider asks for the device's IMEI."


def zone_in_mail_hours() -> str:
    """A time zone where it is now within customer mail hours, so the message goes out now."""
    start, end = settings.CUSTOMER_MAIL_HOURS
    now = timezone.now()
    for name in (
        "Europe/London",
        "Asia/Shanghai",
        "America/New_York",
        "Pacific/Auckland",
        "America/Los_Angeles",
        "Asia/Kolkata",
        "Pacific/Honolulu",
    ):
        if start + 1 <= now.astimezone(ZoneInfo(name)).hour < end - 1:
            return name
    raise AssertionError("no candidate time zone is within mail hours now")


def signed_in(browser: Browser, live_server, user) -> tuple[BrowserContext, Page]:
    """A browser of its own for `user`, signed in (staff sign-in and its second factor are
    tested in tests/accounts)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=DESKTOP)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context, context.new_page()


@contextmanager
def send_here():
    """A send queue that sends each claimed reminder at once, as a worker would."""
    yield lambda reminder_id, lease: send.send_reminder(
        reminder_id=reminder_id, lease=lease, final_attempt=True
    )


def deliver_due_reminders() -> None:
    """What beat and a worker do: the sweep claims the due rows and each one is sent."""
    sweep.sweep(send_queue=send_here, now=timezone.now() + dt.timedelta(seconds=1))


def test_agent_works_a_stalled_case_while_another_has_it_open(
    browser: Browser, live_server, mailoutbox
):
    ana = factories.AgentFactory(display_name="Ana")
    ben = factories.AgentFactory(display_name="Ben")
    quiet = waiting_case()
    case = stalled_case(time_zone=zone_in_mail_hours())
    customer = case.owner
    base = live_server.url
    ana_context, ana_page = signed_in(browser, live_server, ana)
    ben_context, ben_page = signed_in(browser, live_server, ben)

    # Ana starts from Needs attention, where the stalled case is and the quiet one is not.
    ana_page.goto(f"{base}/staff/")
    expect(ana_page.get_by_role("heading", name="Needs attention", level=1)).to_be_visible()
    row = ana_page.locator("tr[data-row]", has_text=case.reference)
    expect(row.locator(".badge-warn")).to_be_visible()
    expect(ana_page.locator("tr[data-row]", has_text=quiet.reference)).to_have_count(0)
    row.get_by_role("link", name=case.reference).click()
    expect(ana_page.locator(".case-ref")).to_contain_text(case.reference)

    # Ben opens the same case and sees Ana on it.
    ben_page.goto(f"{base}/staff/cases/{case.reference}/")
    expect(ben_page.locator("#presence")).to_contain_text("Ana is viewing")

    ana_page.get_by_role("button", name="Take", exact=True).click()
    expect(ana_page.locator(".case-header")).to_contain_text("Assigned to Ana")
    ana_page.locator("#note_note").fill(NOTE)
    ana_page.get_by_role("button", name="Add internal note").click()
    expect(ana_page.locator(".timeline")).to_contain_text(NOTE)
    ana_page.locator("#message_message").fill(MESSAGE)
    ana_page.get_by_role("button", name="Send to the customer").click()
    expect(ana_page.locator(".timeline")).to_contain_text(MESSAGE)
    ana_page.locator("#move_note").fill(REASON)
    ana_page.get_by_role("button", name="Provider needs more").click()
    expect(ana_page.locator(".badge-status")).to_have_text("Needs action")
    ana_page.screenshot(path="var/screenshots/staff-case-1280.png", full_page=True)

    # Ben's page is from before all that: his note is refused, what he typed is kept.
    ben_page.locator("#note_note").fill(STALE_NOTE)
    ben_page.get_by_role("button", name="Add internal note").click()
    alert = ben_page.get_by_role("alert").filter(has_text="Changed by")
    expect(alert).to_contain_text(re.compile(r"Changed by Ana at \d\d:\d\d meanwhile\."))
    expect(ben_page.locator("#note_note")).to_have_value(STALE_NOTE)
    expect(ben_page.locator(".badge-status")).to_have_text("Needs action")  # the fresh case
    ben_page.screenshot(path="var/screenshots/staff-case-changed-1280.png", full_page=True)
    ana_context.close()
    ben_context.close()

    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == Case.Status.NEEDS_ACTION
    assert fresh.assigned_agent == ana
    assert not CaseEvent.objects.filter(case=case, message=STALE_NOTE).exists()

    # The customer: the message on the case page, the timeline page and in the mailbox; the
    # internal note nowhere.
    deliver_due_reminders()
    assert Reminder.objects.get(case=case, kind=Reminder.Kind.AGENT_MESSAGE).state == "sent"
    customer_context, customer_page = signed_in(browser, live_server, customer)
    customer_page.goto(f"{base}/cases/{case.reference}/")
    expect(customer_page.locator("body")).to_contain_text(MESSAGE)
    assert NOTE not in customer_page.content()
    customer_page.goto(f"{base}/cases/{case.reference}/timeline/")
    expect(customer_page.locator("body")).to_contain_text(MESSAGE)
    assert NOTE not in customer_page.content()
    customer_context.close()

    to_customer = [m for m in mailoutbox if customer.email in m.to]
    assert len(to_customer) == 1
    assert MESSAGE in to_customer[0].body
    for message in mailoutbox:
        assert NOTE not in message.body
        assert all(NOTE not in str(content) for content, _type in message.alternatives)


def test_agent_edits_a_channel_and_sees_it_on_an_open_case(browser: Browser, live_server):
    provider = factories.ProviderFactory(name="Northwind Mobile", slug="northwind")
    channel = factories.ContactChannelFactory(
        provider=provider, value="+44 20 7946 0011", hours="Mon–Fri 09:00–17:00"
    )
    case = waiting_case(provider=provider)
    agent = factories.AgentFactory(display_name="Ana")
    agent.user_permissions.add(Permission.objects.get(codename="change_contactchannel"))
    context, page = signed_in(browser, live_server, agent)
    base = live_server.url

    page.goto(f"{base}/staff/providers/")
    page.get_by_label("Search providers").fill("northwind")
    page.get_by_label("Search providers").press("Enter")
    page.get_by_role("link", name="Northwind Mobile").click()
    expect(page.get_by_role("heading", name="Northwind Mobile", level=1)).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Edit Phone \+44 20 7946 0011")).click()

    # An official channel without its source is refused, what was typed kept.
    page.get_by_label("Value").fill("+44 20 7946 0099")
    page.get_by_label("Hours").fill("Daily 08:00–22:00")
    page.get_by_label("Source").fill("")
    page.get_by_role("button", name="Save channel").click()
    expect(page.locator("#channel_source_url_error")).to_have_text(
        "An official channel needs the source it was seen at."
    )
    expect(page.get_by_label("Value")).to_have_value("+44 20 7946 0099")
    page.get_by_label("Source").fill("https://northwind.example/contact")
    page.get_by_role("button", name="Save channel").click()

    expect(page.locator(".messages")).to_contain_text("Channel saved.")
    trail = page.locator(".audit-trail")
    expect(trail).to_contain_text("Ana")
    expect(trail).to_contain_text("+44 20 7946 0011")
    expect(trail).to_contain_text("+44 20 7946 0099")
    page.screenshot(path="var/screenshots/staff-provider-1280.png", full_page=True)

    page.goto(f"{base}/staff/cases/{case.reference}/")
    expect(page.locator(".channels")).to_contain_text("+44 20 7946 0099")
    expect(page.locator(".channels")).to_contain_text("Daily 08:00–22:00")
    context.close()

    customer_context, customer_page = signed_in(browser, live_server, case.owner)
    customer_page.goto(f"{base}/cases/{case.reference}/")
    expect(customer_page.locator("body")).to_contain_text("+44 20 7946 0099")
    customer_context.close()
    channel.refresh_from_db()
    assert channel.value == "+44 20 7946 0099"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_case_references_stay_on_one_line_in_the_staff_list(
    browser: Browser, live_server, language
):
    agent = factories.AgentFactory(display_name="Ana")
    cases = [waiting_case() for _ in range(3)]
    context, page = signed_in(browser, live_server, agent)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/staff/?queue=all")

    for case in cases:
        link = page.locator("a[data-row-link]", has_text=case.reference)
        box = link.bounding_box()
        line = link.evaluate("el => parseFloat(getComputedStyle(el).lineHeight) || 0")
        assert box is not None
        assert box["height"] < 1.5 * (line or 20), (case.reference, box)
    context.close()


def test_back_then_send_again_with_javascript_off_keeps_one_note_and_one_message(
    browser: Browser, live_server
):
    """Staff pages are never cached, so Back fetches the case page again, with fresh one-time
    tokens, and Chromium puts back what was typed: sending again must not add a second note or
    email the customer twice."""
    agent = factories.AgentFactory(display_name="Ana")
    case = waiting_case()
    client = Client()
    client.force_login(agent)
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/staff/cases/{case.reference}/")

    for label, text, button in (
        ("Internal note", NOTE, "Add internal note"),
        ("Message to the customer", MESSAGE, "Send to the customer"),
    ):
        field = page.get_by_role("textbox", name=label, exact=True)
        field.fill(text)
        page.get_by_role("button", name=button).click()
        expect(page.locator(".timeline")).to_contain_text(text)
        page.go_back()
        field = page.get_by_role("textbox", name=label, exact=True)
        if not field.input_value():  # a browser that does not put it back: typed again
            field.fill(text)
        page.get_by_role("button", name=button).click()
        expect(page.get_by_text("That was already saved: it is on the case below.")).to_be_visible()

    context.close()
    events = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.NOTE)
    assert events.filter(message=NOTE).count() == 1
    assert events.filter(message=MESSAGE).count() == 1
    assert Reminder.objects.filter(case=case, kind=Reminder.Kind.AGENT_MESSAGE).count() == 1
