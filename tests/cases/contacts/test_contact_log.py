"""The contact log: log and edit contacts, the scam guard's confirm step, follow-up reminders."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cases.contacts import services
from cases.contacts.services import ContactEntry
from cases.models import Case, CaseEvent, ContactAttempt, Reminder
from cases.transitions import CaseChanged, TransitionNotAllowed
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
        name="Demo Telecom (fictional)", slug="demo-telecom", country="GB",
        website="https://demo-telecom.example/",
    )  # fmt: skip
    case = build_case(owner=customer, status=S.AWAITING_REVIEW, provider=provider)
    case.time_zone = "Asia/Shanghai"
    case.save()
    return case


def official(case: Case):
    return case.provider.channels.get()


def new_url(case: Case) -> str:
    return reverse("contacts:new", kwargs={"ref": case.reference})


def form_data(case: Case, **overrides) -> dict:
    data = {
        "version": case.version,
        "channel": str(official(case).pk),
        "channel_text": "",
        "direction": "outbound",
        "occurred_at": "2026-12-01T17:30",
        "spoke_to": "Ms Li",
        "provider_reference": "REF-881",
        "summary": "They said it takes 3 days.",
        "outcome": "in_progress",
        "follow_up_on": "",
    }
    return {**data, **overrides}


def entry(**overrides) -> ContactEntry:
    values = {"occurred_at": NOW, "direction": "outbound", "outcome": "in_progress"}
    return ContactEntry(**{**values, **overrides})


def test_customer_logs_a_call_on_an_official_channel(client, customer, case):
    client.force_login(customer)
    version = case.version

    response = client.post(new_url(case), form_data(case), follow=True)

    contact = ContactAttempt.objects.get()
    assert contact.channel == official(case)
    assert contact.spoke_to == "Ms Li"
    assert contact.scam_verdict == {}
    assert not contact.scam_warning_shown
    # 17:30 in the case's time zone (Shanghai, UTC+8).
    assert contact.occurred_at == dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    assert "REF-881" in response.text
    assert "Request in progress" in response.text
    event = CaseEvent.objects.filter(kind=CaseEvent.Kind.CONTACT).get()
    assert event.visibility == CaseEvent.Visibility.CUSTOMER
    assert "Request in progress" in event.summary
    case.refresh_from_db()
    assert case.version == version + 1


def test_an_unofficial_contact_gets_a_warning_before_it_is_saved(client, customer, case):
    client.force_login(customer)
    data = form_data(case, channel="other", channel_text="Telegram: @demo_help_desk")

    response = client.post(new_url(case), data)

    assert response.status_code == 200
    assert not ContactAttempt.objects.exists()
    assert "Check this before you save it" in response.text
    assert "Closeout and your provider never ask for verification codes or passwords." in (
        response.text
    )
    assert official(case).value in response.text  # the official channels are shown
    assert 'href="tel:' not in response.text.split('id="scam-warning"')[1].split("</ul>")[0]
    assert "t.me" not in response.text

    response = client.post(new_url(case), {**data, "confirmed": "1"}, follow=True)

    contact = ContactAttempt.objects.get()
    assert contact.scam_warning_shown
    assert contact.scam_verdict["findings"][0]["code"] == "messaging_handle"
    assert "Not an official channel of this provider." in response.text
    assert "@demo_help_desk" in response.text
    assert 'href="https://t.me' not in response.text


def test_a_contact_pasted_into_the_summary_is_checked_too(client, customer, case):
    client.force_login(customer)
    data = form_data(case, summary="They told me to add WeChat ID: kefu_2026 to finish.")

    response = client.post(new_url(case), data)

    assert "kefu_2026" in response.text
    assert "Check this before you save it" in response.text
    assert not ContactAttempt.objects.exists()


def test_typed_contacts_never_become_links(client, customer, case):
    factories.ContactAttemptFactory(
        case=case, created_by=customer, channel_text="+44 7700 900999 or help@gmail.com",
        scam_verdict={"findings": [{"code": "free_mail", "value": "help@gmail.com"}]},
    )  # fmt: skip
    client.force_login(customer)

    page = client.get(reverse("cases:detail", kwargs={"ref": case.reference})).text

    assert "help@gmail.com" in page
    assert "mailto:help@gmail.com" not in page
    assert "tel:+447700900999" not in page


def test_a_follow_up_date_schedules_a_reminder_at_nine_in_the_case_time_zone(case, customer):
    contact = services.log_contact(
        case=case,
        by=customer,
        version=case.version,
        entry=entry(follow_up_on=dt.date(2026, 12, 4)),
        warning_shown=False,
    )

    reminder = Reminder.objects.get(kind=Reminder.Kind.FOLLOW_UP)
    assert reminder.state == Reminder.State.SCHEDULED
    assert reminder.period_started_at == contact.created_at
    # 09:00 in Shanghai is 01:00 UTC.
    assert reminder.due_at == dt.datetime(2026, 12, 4, 1, 0, tzinfo=dt.UTC)


def test_changing_the_follow_up_reschedules_and_clearing_it_cancels(case, customer):
    contact = services.log_contact(
        case=case, by=customer, version=case.version,
        entry=entry(follow_up_on=dt.date(2026, 12, 4)), warning_shown=False,
    )  # fmt: skip
    case.refresh_from_db()
    services.edit_contact(
        case=case, contact=contact, by=customer, version=case.version,
        entry=entry(follow_up_on=dt.date(2026, 12, 8)), warning_shown=False,
    )  # fmt: skip

    rows = list(Reminder.objects.filter(kind=Reminder.Kind.FOLLOW_UP).order_by("sequence"))
    assert [(r.sequence, r.state) for r in rows] == [(0, "cancelled"), (1, "scheduled")]
    assert rows[1].due_at == dt.datetime(2026, 12, 8, 1, 0, tzinfo=dt.UTC)

    case.refresh_from_db()
    services.edit_contact(
        case=case, contact=contact, by=customer, version=case.version,
        entry=entry(follow_up_on=None), warning_shown=False,
    )  # fmt: skip

    assert not Reminder.objects.filter(kind=Reminder.Kind.FOLLOW_UP).pending().exists()


def test_a_follow_up_today_after_nine_goes_out_now(case, customer):
    services.log_contact(
        case=case, by=customer, version=case.version,
        entry=entry(follow_up_on=dt.date(2026, 12, 1)), warning_shown=False,
    )  # fmt: skip

    assert Reminder.objects.get(kind=Reminder.Kind.FOLLOW_UP).due_at == NOW


def test_only_its_author_edits_a_contact_and_only_while_the_case_is_open(
    client, customer, other_customer, agent, case
):
    contact = factories.ContactAttemptFactory(case=case, created_by=agent)
    edit_url = reverse("contacts:edit", kwargs={"ref": case.reference, "pk": contact.pk})
    client.force_login(customer)
    assert client.get(edit_url).status_code == 404
    with pytest.raises(TransitionNotAllowed):
        services.edit_contact(
            case=case, contact=contact, by=customer, version=case.version, entry=entry(),
            warning_shown=False,
        )  # fmt: skip

    mine = factories.ContactAttemptFactory(case=case, created_by=customer)
    mine_url = reverse("contacts:edit", kwargs={"ref": case.reference, "pk": mine.pk})
    assert client.get(mine_url).status_code == 200
    response = client.post(mine_url, form_data(case, spoke_to="Mr Wang"), follow=True)
    mine.refresh_from_db()
    assert mine.spoke_to == "Mr Wang"
    assert mine.updated_at is not None
    assert "Mr Wang" in response.text

    Case.objects.filter(pk=case.pk).update(status=S.COMPLETED)
    case.refresh_from_db()
    assert client.get(mine_url).status_code == 200  # still shown, but saving is refused
    response = client.post(mine_url, form_data(case, spoke_to="Someone else"))
    assert "The contact log of a closed case is final." in response.text
    mine.refresh_from_db()
    assert mine.spoke_to == "Mr Wang"


def test_another_customer_gets_404_for_the_contact_log(client, other_customer, customer, case):
    contact = factories.ContactAttemptFactory(case=case, created_by=customer)
    client.force_login(other_customer)

    assert client.get(new_url(case)).status_code == 404
    assert client.post(new_url(case), form_data(case)).status_code == 404
    edit = reverse("contacts:edit", kwargs={"ref": case.reference, "pk": contact.pk})
    assert client.post(edit, form_data(case)).status_code == 404
    assert ContactAttempt.objects.count() == 1


def test_a_stale_version_is_refused_and_shows_the_fresh_case(client, customer, case):
    client.force_login(customer)
    data = form_data(case)
    Case.objects.filter(pk=case.pk).update(version=case.version + 1)

    response = client.post(new_url(case), data)

    assert not ContactAttempt.objects.exists()
    assert response.status_code == 200
    with pytest.raises(CaseChanged):
        services.log_contact(
            case=case, by=customer, version=case.version, entry=entry(), warning_shown=False
        )


def test_bad_input_is_explained_next_to_the_field_and_kept(client, customer, case):
    client.force_login(customer)
    data = form_data(case, channel="other", channel_text="", occurred_at="2027-01-01T10:00")

    response = client.post(new_url(case), data)

    assert "Type the number, address or account you used." in response.text
    assert "This is in the future" in response.text
    assert "They said it takes 3 days." in response.text


def test_the_htmx_post_returns_the_form_fragment(client, customer, case):
    client.force_login(customer)
    data = form_data(case, channel="other", channel_text="wa.me/447700900111")

    response = client.post(new_url(case), data, HTTP_HX_REQUEST="true")

    assert response.text.lstrip().startswith('<section id="contact-form"')
    assert "WhatsApp" in response.text or "wa.me/447700900111" in response.text


def test_the_case_page_lists_contacts_with_a_fixed_number_of_queries(
    client, customer, case, django_assert_max_num_queries
):
    client.force_login(customer)
    detail = reverse("cases:detail", kwargs={"ref": case.reference})
    factories.ContactAttemptFactory(case=case, created_by=customer)
    with django_assert_max_num_queries(30) as few:
        client.get(detail)
    factories.ContactAttemptFactory.create_batch(5, case=case, created_by=customer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(detail)
    assert response.text.count('class="contact-entry') == 6
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
