"""The contact log on the staff case page: agents see the scam guard's findings and log
contacts of their own, through the same form, guard and services as the customer."""

import pytest
from django.urls import reverse

from cases import once
from cases.models import Case, CaseEvent, ContactAttempt, Reminder
from tests import factories
from tests.cases.staff.conftest import waiting_case

TOKEN = once.new_token()
pytestmark = pytest.mark.django_db


def case_url(case: Case) -> str:
    return reverse("staff:case_detail", kwargs={"ref": case.reference})


def new_url(case: Case) -> str:
    return reverse("staff:contact_new", kwargs={"ref": case.reference})


def edit_url(case: Case, contact: ContactAttempt) -> str:
    return reverse("staff:contact_edit", kwargs={"ref": case.reference, "pk": contact.pk})


@pytest.fixture
def case(db) -> Case:
    case = waiting_case()
    factories.ContactChannelFactory(provider=case.provider, value="+44 20 7946 0000")
    return case


def form_data(case: Case, **overrides) -> dict:
    channel = case.provider.channels.get()
    data = {
        "version": case.version,
        "channel": str(channel.pk),
        "channel_text": "",
        "direction": "outbound",
        "occurred_at": "2026-01-05T10:30",
        "spoke_to": "Mr Chan",
        "provider_reference": "OPS-42",
        "summary": "Chased the review.",
        "outcome": "in_progress",
        "follow_up_on": "",
    }
    return {**data, **overrides}


def test_agent_sees_the_customers_contacts_with_the_guards_findings(agent_client, case):
    factories.ContactAttemptFactory(
        case=case, created_by=case.owner, channel_text="wa.me/85291234567",
        scam_verdict={"findings": [{"code": "messaging_handle", "value": "wa.me/85291234567"}]},
        scam_warning_shown=True,
    )  # fmt: skip

    page = agent_client.get(case_url(case)).text

    contacts = page.split('id="contacts"')[1].split("</section>")[0]
    assert "wa.me/85291234567" in contacts
    assert "Messaging-app handle or link" in contacts  # the reason, for agents only
    assert "The warning was shown before saving." in contacts
    assert "logged by the customer" in contacts
    assert 'href="https://wa.me' not in contacts
    # The customer's contact is theirs to edit, not the agent's.
    assert "/edit/" not in contacts
    assert new_url(case) in contacts


def test_agent_logs_a_contact_on_an_official_channel(agent_client, agent, case):
    version = case.version

    response = agent_client.post(new_url(case), form_data(case, follow_up_on="2099-01-02"))

    assert response.status_code == 302
    assert response["Location"] == case_url(case) + "#contacts"
    contact = ContactAttempt.objects.get()
    assert contact.created_by == agent
    assert contact.provider_reference == "OPS-42"
    assert contact.scam_verdict == {}
    case.refresh_from_db()
    assert case.version == version + 1
    assert case.events.filter(kind=CaseEvent.Kind.CONTACT, actor=agent).exists()
    assert case.reminders.filter(kind=Reminder.Kind.FOLLOW_UP).pending().exists()
    page = agent_client.get(case_url(case)).text
    assert "OPS-42" in page
    assert edit_url(case, contact) in page


def test_an_agent_typing_an_unofficial_contact_is_warned_first(agent_client, case):
    data = form_data(case, channel="other", channel_text="t.me/support_desk_hk")

    response = agent_client.post(new_url(case), data)

    assert response.status_code == 200
    assert "Check this before you save it" in response.text
    assert "+44 20 7946 0000" in response.text  # the official channel, to compare with
    assert not ContactAttempt.objects.exists()
    assert 'href="' + case_url(case) + '"' in response.text  # "Cancel" goes back to staff

    agent_client.post(new_url(case), {**data, "confirmed": "1"})

    contact = ContactAttempt.objects.get()
    assert contact.scam_warning_shown
    assert contact.scam_verdict["findings"][0]["code"] == "messaging_handle"


def test_agent_edits_their_own_contact_but_not_the_customers(agent_client, agent, case):
    own = factories.ContactAttemptFactory(case=case, created_by=agent)
    theirs = factories.ContactAttemptFactory(case=case, created_by=case.owner)

    assert agent_client.get(edit_url(case, theirs)).status_code == 404
    response = agent_client.post(edit_url(case, own), form_data(case, spoke_to="Ms Ho"))

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.spoke_to == "Ms Ho"


def test_a_stale_page_keeps_what_the_agent_typed(agent_client, case):
    response = agent_client.post(
        new_url(case), form_data(case, version=case.version - 1, spoke_to="Ms Typed")
    )

    assert response.status_code == 200
    assert not ContactAttempt.objects.exists()
    assert "Ms Typed" in response.text


def test_a_closed_case_offers_no_new_contact(agent_client, case):
    Case.objects.filter(pk=case.pk).update(status=Case.Status.COMPLETED)

    page = agent_client.get(case_url(case)).text
    response = agent_client.post(new_url(case), form_data(case))

    assert new_url(case) not in page
    assert "The contact log of a closed case is final." in response.text
    assert not ContactAttempt.objects.exists()


def test_customers_and_strangers_cannot_use_the_staff_contact_form(client, customer, case):
    assert client.get(new_url(case)).status_code == 302  # to the staff sign-in
    client.force_login(case.owner)
    assert client.get(new_url(case)).status_code == 403
    assert client.post(new_url(case), form_data(case)).status_code == 403
    assert not ContactAttempt.objects.exists()


def test_a_draft_or_unknown_case_is_404(agent_client, case):
    draft = factories.CaseFactory(status=Case.Status.DRAFT)

    assert agent_client.get(new_url(draft)).status_code == 404
    assert agent_client.get("/staff/cases/CX-NONE-NONE/contacts/new/").status_code == 404


def test_the_contact_form_page_costs_a_fixed_number_of_queries(
    agent_client, case, django_assert_max_num_queries
):
    factories.ContactChannelFactory.create_batch(5, provider=case.provider)
    with django_assert_max_num_queries(6):
        assert agent_client.get(new_url(case), {"form": TOKEN}).status_code == 200


def test_the_agent_is_told_who_gets_the_follow_up_reminder(agent_client, case):
    page = agent_client.get(new_url(case), follow=True).text

    assert "The customer gets a reminder email at 09:00 that day" in page
