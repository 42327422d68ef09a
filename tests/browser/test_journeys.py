"""Journeys A and B end to end in Chromium at 360 px, journey A without JavaScript, and
journey A in Chinese with a contact-log entry."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Case, ContactAttempt, Reminder
from providers.models import StepKind
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shipped_data")]

CODE = re.compile(r"^ {4}(\S+)$", re.MULTILINE)


def sign_in_with_emailed_code(page: Page, mailoutbox, email: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_label("Code")).to_be_visible()
    code = CODE.search(mailoutbox[-1].body).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()


def start_case(page: Page, base: str, *, kind: str, provider_search: str, provider: str) -> None:
    page.goto(f"{base}/start/")
    page.get_by_label(kind).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Keep the number?")).to_be_visible()
    page.get_by_label("No, the number can go").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Which provider?")).to_be_visible()
    page.get_by_label("Search the provider directory").fill(provider_search)
    page.get_by_label("Search the provider directory").press("Enter")
    page.get_by_role("button", name=re.compile(re.escape(provider))).click()
    expect(page.get_by_role("heading", name="About the line")).to_be_visible()


def go_through_precautions(page: Page) -> None:
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    items = page.locator(".checklist-item")
    count = items.count()
    assert count >= 4
    # Skip the last one knowingly; it must stay visible as a warning.
    for index in range(count - 1):
        item = page.locator(".checklist-item").nth(index)
        item.get_by_role("button", name="Done").click()
        expect(page.locator(".checklist-item").nth(index).locator(".badge-ok")).to_be_visible()
    last = page.locator(".checklist-item").nth(count - 1)
    last.get_by_label("If I skip this, I understand the risk").check()
    last.get_by_role("button", name="Skip").click()
    expect(page.locator(".checklist-item").nth(count - 1).locator(".warning")).to_be_visible()
    page.get_by_role("button", name="Continue to the steps").click()


def do_steps_until_submitted(page: Page) -> None:
    """Every step before the wait: 'Done, next step', then the submit step."""
    for number in range(1, 12):
        # Wait for the page of this step: HTMX redirects after each POST.
        expect(page.locator(".progress")).to_contain_text(f"Step {number} of")
        submit = page.get_by_role("button", name="I submitted the request")
        if submit.count():
            page.get_by_label("Reference number (if you got one)").fill("REQ-2024-77")
            submit.click()
            return
        page.get_by_role("button", name="Done, next step").click()
    raise AssertionError("never reached the submit step")


def test_journey_a_self_service(page: Page, live_server, mailoutbox):
    base = live_server.url
    start_case(
        page,
        base,
        kind="Virtual SIM or virtual number (app-managed)",
        provider_search="numbers",
        provider="Demo Numbers App",
    )
    page.get_by_label("Phone number of the line").fill("07700 900123")
    page.get_by_label("Too expensive").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Save your case")).to_be_visible()
    page.get_by_role("link", name="Sign in to save").click()
    sign_in_with_emailed_code(page, mailoutbox, "journey.a@example.com")
    expect(page.get_by_role("heading", name="Save your case")).to_be_visible()
    page.get_by_role("button", name="Save and see the steps").click()

    go_through_precautions(page)
    expect(page.locator(".progress")).to_have_text(re.compile(r"Step 1 of \d+"))
    do_steps_until_submitted(page)

    expect(page.locator(".badge-status")).to_have_text("Awaiting provider review")
    expect(page.get_by_text("Waited so far")).to_be_visible()
    page.screenshot(path="var/screenshots/journey-a-waiting-360.png", full_page=True)

    page.get_by_label("They confirmed the cancellation").check()
    page.get_by_label("Their confirmation or reference number").fill("CONF-9981")
    page.get_by_role("button", name="Save what happened").click()
    expect(page.locator(".badge-status")).to_have_text("Completed")
    expect(page.get_by_text("Precautions you skipped")).to_be_visible()

    case = Case.objects.get()
    assert case.status == Case.Status.COMPLETED
    assert case.provider_reference == "CONF-9981"
    assert case.phone_number == "+447700900123"
    assert case.owner.email == "journey.a@example.com"


def test_journey_b_esim(page: Page, live_server, mailoutbox):
    base = live_server.url
    start_case(page, base, kind="eSIM", provider_search="demo mob", provider="Demo Mobile")
    page.get_by_label("Phone number of the line").fill("+44 7700 900456")
    page.get_by_label("Device model").fill("Pixel 9")
    page.get_by_label("IMEI").fill("49-015420-323751-8")
    page.get_by_label("Moving abroad").check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name="Sign in to save").click()
    sign_in_with_emailed_code(page, mailoutbox, "journey.b@example.com")
    page.get_by_role("button", name="Save and see the steps").click()

    go_through_precautions(page)
    do_steps_until_submitted(page)
    expect(page.locator(".badge-status")).to_have_text("Awaiting operator processing")
    expect(page.get_by_text("Do not delete the eSIM profile before the operator")).to_be_visible()
    page.screenshot(path="var/screenshots/journey-b-waiting-360.png", full_page=True)

    page.get_by_label("They confirmed the cancellation").check()
    page.get_by_label("Their confirmation or reference number").fill("OP-5521")
    page.get_by_role("button", name="Save what happened").click()
    expect(page.locator(".badge-status")).to_have_text("Completed")
    # The operator's confirmation is the contract's end: no second button says it again.
    expect(page.get_by_text("Contract ended (")).to_be_visible()
    ended_button = page.get_by_role("button", name="The operator confirmed the contract ended")
    expect(ended_button).to_have_count(0)
    page.get_by_role("button", name="I deleted the eSIM profile").click()
    expect(page.get_by_text("Deleting the profile does not end the contract.")).to_be_visible()
    page.get_by_role("button", name="Yes, I deleted it").click()
    expect(page.get_by_text("Profile deleted from the phone (")).to_be_visible()

    case = Case.objects.get()
    assert case.status == Case.Status.COMPLETED
    assert case.imei == "490154203237518"
    assert case.contract_ended_at is not None
    assert case.esim_profile_deleted_at is not None


def test_journey_a_without_javascript(browser, live_server, mailoutbox):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    base = live_server.url
    start_case(
        page,
        base,
        kind="Virtual SIM or virtual number (app-managed)",
        provider_search="numbers",
        provider="Demo Numbers App",
    )
    page.get_by_label("Phone number of the line").fill("123")
    page.get_by_label("Too expensive").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Please check the following")).to_be_visible()
    expect(page.get_by_label("Too expensive")).to_be_checked()  # nothing typed is lost
    page.get_by_label("Phone number of the line").fill("07700 900123")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name="Sign in to save").click()
    sign_in_with_emailed_code(page, mailoutbox, "no.script@example.com")
    page.get_by_role("button", name="Save and see the steps").click()

    go_through_precautions(page)
    do_steps_until_submitted(page)
    expect(page.locator(".badge-status")).to_have_text("Awaiting provider review")
    page.get_by_label("They confirmed the cancellation").check()
    page.get_by_label("Their confirmation or reference number").fill("CONF-1")
    page.get_by_role("button", name="Save what happened").click()
    expect(page.locator(".badge-status")).to_have_text("Completed")
    context.close()

    assert Case.objects.get().status == Case.Status.COMPLETED


def test_journey_a_in_chinese_with_a_scam_warning_and_a_follow_up(
    page: Page, live_server, mailoutbox
):
    """Journey A read in Chinese from the language switch on: a contact typed from a
    messaging app is warned about first, and its follow-up date becomes a reminder."""
    base = live_server.url
    page.goto(f"{base}/")
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", re.compile("^zh"))

    page.goto(f"{base}/start/")
    page.get_by_label("虚拟 SIM 卡或虚拟号码（通过应用管理）").check()
    page.get_by_role("button", name="继续").click()
    expect(page.get_by_role("heading", name="要保留号码吗？")).to_be_visible()
    page.get_by_label("不用，号码可以不要了").check()
    page.get_by_role("button", name="继续").click()
    expect(page.get_by_role("heading", name="哪家服务商？")).to_be_visible()
    page.get_by_label("搜索服务商目录").fill("号码")
    page.get_by_label("搜索服务商目录").press("Enter")
    page.get_by_role("button", name=re.compile("演示号码")).click()
    expect(page.get_by_role("heading", name="号码信息")).to_be_visible()
    page.get_by_label("要注销的手机号码").fill("07700 900123")
    page.get_by_label("费用太高").check()
    page.get_by_role("button", name="继续").click()

    expect(page.get_by_role("heading", name="保存您的工单")).to_be_visible()
    page.get_by_role("link", name="登录并保存").click()
    page.get_by_label("邮箱地址").fill("zhongwen@example.com")
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_label("验证码")).to_be_visible()
    assert "您" in mailoutbox[-1].body
    page.get_by_label("验证码").fill(CODE.search(mailoutbox[-1].body).group(1))
    page.get_by_role("button", name="登录").click()
    page.get_by_role("button", name="保存并查看步骤").click()

    expect(page.get_by_role("heading", name="开始之前")).to_be_visible()
    for index in range(page.locator(".checklist-item").count()):
        page.locator(".checklist-item").nth(index).get_by_role("button", name="已完成").click()
        expect(page.locator(".checklist-item").nth(index).locator(".badge-ok")).to_be_visible()
    page.get_by_role("button", name="继续操作步骤").click()
    for number in range(1, 12):
        expect(page.locator(".progress")).to_contain_text(f"第 {number} 步")
        submit = page.get_by_role("button", name="我已提交申请")
        if submit.count():
            page.get_by_label("受理编号（如有）").fill("REQ-ZH-1")
            submit.click()
            break
        page.get_by_role("button", name="完成，下一步").click()
    expect(page.locator(".badge-status")).to_have_text("等待审核")

    # A "support agent" on WeChat got in touch: the guard warns before anything is saved.
    case = Case.objects.get()
    follow_up = timezone.localdate(timezone=zoneinfo.ZoneInfo(case.time_zone)) + dt.timedelta(
        days=3
    )
    page.get_by_role("link", name="记录一次电话、在线聊天、邮件、到访或信函").click()
    page.get_by_label("其他方式（请在下方填写）").check()
    page.get_by_label("您使用的号码、地址或账号").fill("微信号：kefu_zhuxiao88")
    page.get_by_label("对方联系我方").check()
    page.get_by_label("对方需要更多信息").check()
    page.get_by_label("跟进日期（选填）").fill(follow_up.isoformat())
    page.get_by_role("button", name="保存联系记录").click()
    warning = page.locator("#scam-warning")
    expect(warning).to_contain_text("保存前请先核实")
    expect(warning).to_contain_text("kefu_zhuxiao88")
    expect(warning).to_contain_text("绝不会索要验证码或密码")
    assert not ContactAttempt.objects.exists()
    page.get_by_role("button", name="仍然保存").click()

    entry = page.locator("#contacts .contact-entry")
    expect(entry).to_contain_text("微信号：kefu_zhuxiao88")
    expect(entry).to_contain_text("这不是该服务商的官方渠道。")
    expect(entry.locator("time").last).to_have_attribute("datetime", follow_up.isoformat())
    assert entry.locator("a[href*='kefu_zhuxiao88']").count() == 0
    contact = ContactAttempt.objects.get()
    assert contact.scam_warning_shown
    assert contact.scam_verdict["findings"][0]["code"] == "messaging_handle"
    reminder = Reminder.objects.get(kind=Reminder.Kind.FOLLOW_UP)
    assert reminder.state == Reminder.State.SCHEDULED
    local_due = reminder.due_at.astimezone(zoneinfo.ZoneInfo(case.time_zone))
    assert (local_due.date(), local_due.hour) == (follow_up, 9)
    page.screenshot(path="var/screenshots/journey-a-chinese-contact-360.png", full_page=True)

    page.get_by_label("对方已确认注销").check()
    page.get_by_label("对方的确认号或受理编号").fill("CONF-ZH-1")
    page.get_by_role("button", name="保存结果").click()
    expect(page.locator(".badge-status")).to_have_text("已完成")

    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED
    assert case.owner.preferred_language == "zh-hans"


# --- What a new user tripped on ------------------------------------------------------------------


def test_a_double_click_on_continue_starts_one_draft(page: Page, live_server):
    page.goto(f"{live_server.url}/start/")
    page.get_by_label("eSIM").check()

    page.get_by_role("button", name="Continue").dblclick()

    expect(page.get_by_role("heading", name="Keep the number?")).to_be_visible()
    assert Case.objects.count() == 1


def test_a_signed_out_open_your_case_signs_in_then_shows_the_case(
    page: Page, live_server, mailoutbox
):
    owner = factories.UserFactory(email="owner@example.com")
    case = factories.CaseFactory(owner=owner, status=Case.Status.AWAITING_REVIEW)

    page.goto(f"{live_server.url}/cases/{case.reference}/")  # the email's "Open your case"

    expect(page.get_by_label("Email address")).to_be_visible()
    sign_in_with_emailed_code(page, mailoutbox, "owner@example.com")
    expect(page.locator(".case-ref")).to_contain_text(case.reference)
    expect(page.locator(".badge-status")).to_have_text("Awaiting provider review")


def test_switching_language_after_continue_to_the_steps_shows_a_page(
    page: Page, live_server, mailoutbox
):
    owner = factories.UserFactory(email="prep@example.com")
    case = factories.CaseFactory(owner=owner, status=Case.Status.PREPARING)
    factories.CaseStepFactory(case=case, position=1, kind=StepKind.CHECKLIST, title="Settle bills")
    factories.CaseStepFactory(case=case, position=2)
    page.goto(f"{live_server.url}/cases/{case.reference}/precautions/")
    sign_in_with_emailed_code(page, mailoutbox, "prep@example.com")
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()

    page.get_by_role("button", name="Continue to the steps").click()
    expect(page.get_by_text("Mark each precaution done")).to_be_visible()
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Change").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="开始之前")).to_be_visible()


@pytest.mark.parametrize(("first", "then"), [("en", "zh-hans"), ("zh-hans", "en")])
@pytest.mark.parametrize("javascript", [True, False])
def test_switching_language_mid_form_keeps_what_was_typed(
    browser, live_server, first, then, javascript
):
    """The line-details page at 360 px: type, switch language, the typed text is still there."""
    owner = factories.UserFactory()
    case = factories.CaseFactory(owner=owner, status=Case.Status.PREPARING, phone_number="")
    client = Client()
    client.force_login(owner)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=javascript
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": first, "url": live_server.url},
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/cases/{case.reference}/line-details/")
    expect(page.locator("html")).to_have_attribute("lang", first)
    page.locator("#id_phone_number").fill("07700 900123")
    page.locator("#id_reason_detail").fill("Moving abroad next month")

    page.locator("#language-select").select_option(then)
    page.locator(".language-switch button").click()

    expect(page.locator("html")).to_have_attribute("lang", then)
    expect(page.locator("#id_phone_number")).to_have_value("07700 900123")
    expect(page.locator("#id_reason_detail")).to_have_value("Moving abroad next month")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide"
    case.refresh_from_db()
    assert case.phone_number == ""
    context.close()
