"""Escalation: offered only past the deadline or after a refusal, only with a sourced entry."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.contacts import services as contact_services
from cases.contacts.services import ContactEntry
from cases.escalation import selectors
from cases.escalation import services as escalation_services
from cases.models import Case, CaseEvent, ContactAttempt, Reminder
from cases.reminders import outbox
from cases.reminders.schedule import ladder_interval
from cases.transitions import Outcome
from tests import factories
from tests.cases.test_views_journey import build_case

pytestmark = pytest.mark.django_db
S = Case.Status
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def region():
    return factories.EscalationRegionFactory(country="GB", wait_days=56)


@pytest.fixture
def ombudsman(region):
    return factories.EscalationRouteFactory(
        region=region, slug="ombudsman", name="Communications Ombudsman", position=0
    )


@pytest.fixture
def cisas(region):
    return factories.EscalationRouteFactory(region=region, slug="cisas", name="CISAS", position=1)


def waiting_case(owner, *, waited_days: int, country: str = "GB", **fields) -> Case:
    provider = factories.ProviderFactory(country=country)
    case = build_case(owner=owner, status=S.AWAITING_REVIEW, provider=provider, **fields)
    started = NOW - waited_days * DAY
    case.submitted_at = case.waiting_since = started
    case.expected_by = started + 3 * DAY
    case.stall_at = started + 6 * DAY
    case.save()
    Reminder.objects.create(
        case=case, kind=Reminder.Kind.LADDER, period_started_at=started, due_at=NOW + DAY
    )
    return case


def page(client, case: Case) -> str:
    return client.get(reverse("cases:detail", kwargs={"ref": case.reference})).content.decode()


def escalate(client, case: Case, route, note: str = ""):
    return client.post(
        reverse("cases:escalate", kwargs={"ref": case.reference}),
        {"version": case.version, "route": route.pk, "note": note},
    )


def test_not_offered_before_the_regions_deadline(client, customer, ombudsman):
    case = waiting_case(customer, waited_days=20)  # stalled, but Ofcom says 8 weeks
    client.force_login(customer)

    html = page(client, case)

    assert "Next step: take it further" not in html
    assert "If the line is still not cancelled by Jan. 6, 2027" in html
    assert escalate(client, case, ombudsman).status_code == 200
    case.refresh_from_db()
    assert not case.is_escalated


def test_offered_past_the_regions_deadline_with_the_sourced_route(client, customer, ombudsman):
    case = waiting_case(customer, waited_days=57)
    client.force_login(customer)

    html = page(client, case)

    assert "Next step: take it further" in html
    assert "It is more than 56 days since you first asked the provider" in html
    assert "Communications Ombudsman" in html
    assert ombudsman.source_url in html
    assert "https://www.ofcom.org.uk/adr-schemes" in html  # the waiting rule's own source
    assert reverse("evidence:pack", kwargs={"ref": case.reference}) in html


def test_offered_at_once_after_a_refusal(client, customer, ombudsman):
    case = waiting_case(customer, waited_days=2)
    services.record_outcome(
        case=case, by=customer, version=case.version, outcome=Outcome.REFUSED, note="No."
    )
    client.force_login(customer)

    html = page(client, case)

    assert "The provider refused. You do not have to leave it there." in html
    assert "Communications Ombudsman" in html


def test_a_contact_logged_as_refused_opens_escalation(customer, ombudsman):
    case = waiting_case(customer, waited_days=1)
    contact_services.log_contact(
        case=case,
        by=customer,
        version=case.version,
        entry=ContactEntry(
            occurred_at=NOW, direction="outbound", outcome=ContactAttempt.Outcome.REFUSED
        ),
        warning_shown=False,
    )
    case.refresh_from_db()

    offer = selectors.escalation_for(case, region=selectors.region_for(case))

    assert case.refused_at == NOW
    assert offer.is_open
    assert offer.reason == selectors.Reason.REFUSED


def test_without_a_sourced_entry_it_says_contact_the_national_regulator(client, customer):
    case = waiting_case(customer, waited_days=30, country="FR")
    client.force_login(customer)

    html = page(client, case)

    assert "Next step: take it further" in html
    assert "Contact your national telecoms regulator" in html
    assert "I took it to" not in html


def test_a_region_without_a_waiting_time_opens_at_the_cases_stall_point(customer):
    region = factories.EscalationRegionFactory(country="DE", wait_days=None)
    factories.EscalationRouteFactory(region=region, name="Schlichtungsstelle")
    early = waiting_case(customer, waited_days=5, country="DE")  # stalls on day 6
    late = waiting_case(customer, waited_days=7, country="DE")

    assert not selectors.escalation_for(early, region=selectors.region_for(early)).is_open
    offer = selectors.escalation_for(late, region=selectors.region_for(late))
    assert offer.is_open
    assert offer.reason == selectors.Reason.STALLED
    assert [route.name for route in offer.routes] == ["Schlichtungsstelle"]


def test_a_member_provider_sees_its_own_scheme_only(customer, ombudsman, cisas):
    member = waiting_case(customer, waited_days=60)
    cisas.providers.add(member.provider)
    ombudsman.providers.add(factories.ProviderFactory())
    stranger = waiting_case(customer, waited_days=60)

    member_offer = selectors.escalation_for(member, region=selectors.region_for(member))
    stranger_offer = selectors.escalation_for(stranger, region=selectors.region_for(stranger))

    assert [route.slug for route in member_offer.routes] == ["cisas"]
    assert not member_offer.ask_provider_which
    assert [route.slug for route in stranger_offer.routes] == ["ombudsman", "cisas"]
    assert stranger_offer.ask_provider_which


def test_escalating_records_an_event_and_a_contact_and_slows_reminders(client, customer, ombudsman):
    case = waiting_case(customer, waited_days=60)
    client.force_login(customer)

    response = escalate(client, case, ombudsman, note="Their ref OS-12")

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.escalated_to == ombudsman
    assert case.escalated_at == NOW
    event = case.events.get(kind=CaseEvent.Kind.ESCALATED)
    assert event.summary == "Escalated to Communications Ombudsman. Their ref OS-12"
    contact = ContactAttempt.objects.get(case=case, channel_text__startswith="Communications")
    assert contact.summary == "Their ref OS-12"
    pending = Reminder.objects.pending().get(case=case, kind=Reminder.Kind.LADDER)
    assert pending.due_at >= NOW + 21 * DAY
    assert ladder_interval(case=case, sequence=3) == 21 * DAY
    html = page(client, case)
    assert "Escalated to Communications Ombudsman on Dec. 1, 2026" in html
    assert "Next step: take it further" not in html  # offered once


def test_escalating_a_refused_case_makes_it_wait_again_at_the_slow_rhythm(customer, ombudsman):
    case = waiting_case(customer, waited_days=2)
    case = services.record_outcome(
        case=case, by=customer, version=case.version, outcome=Outcome.REFUSED, note="No."
    )
    assert case.status == S.NEEDS_ACTION

    case = escalation_services.escalate(
        case=case, by=customer, version=case.version, route_id=ombudsman.pk
    )

    assert case.status == S.AWAITING_REVIEW
    rung = Reminder.objects.pending().get(case=case, kind=Reminder.Kind.LADDER)
    assert rung.due_at >= NOW + 21 * DAY
    assert outbox.wait_days(case) == 21


def test_escalation_to_a_route_not_offered_is_refused(client, customer, ombudsman):
    other = factories.EscalationRouteFactory(
        region=factories.EscalationRegionFactory(country="HK"), name="CCSS"
    )
    case = waiting_case(customer, waited_days=60)
    client.force_login(customer)

    response = escalate(client, case, other)

    assert "Choose where you are taking the complaint." in response.content.decode()
    case.refresh_from_db()
    assert not case.is_escalated


def test_other_customer_cannot_escalate(client, other_customer, customer, ombudsman):
    case = waiting_case(customer, waited_days=60)
    client.force_login(other_customer)

    assert escalate(client, case, ombudsman).status_code == 404


def test_case_page_query_count_is_fixed_with_escalation(
    client, customer, ombudsman, cisas, django_assert_max_num_queries
):
    case = waiting_case(customer, waited_days=60)
    client.force_login(customer)
    with django_assert_max_num_queries(40) as few:
        page(client, case)
    for route in (ombudsman, cisas):
        route.providers.add(*factories.ProviderFactory.create_batch(3))
    factories.EscalationRouteFactory.create_batch(2, region=ombudsman.region)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page(client, case)


def test_agents_case_page_says_where_and_when_it_was_escalated(
    client, customer, agent, ombudsman, django_assert_max_num_queries
):
    case = waiting_case(customer, waited_days=60)
    client.force_login(agent)
    url = reverse("staff:case_detail", kwargs={"ref": case.reference})
    with django_assert_max_num_queries(60) as before:
        assert "Escalated to" not in client.get(url).content.decode()

    escalation_services.escalate(
        case=case, by=customer, version=case.version, route_id=ombudsman.pk
    )

    with django_assert_max_num_queries(len(before.captured_queries)):
        html = client.get(url).content.decode()
    assert "Escalated to Communications Ombudsman on Dec. 1, 2026" in html
