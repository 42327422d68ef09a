""" "My provider isn't listed": the customer names it, agents see it in a queue with how many
asked, add it, and the open cases that named it are linked and their customers emailed."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, ProviderSuggestion
from cases.suggestions import services as suggestion_services
from providers.models import ContactChannel, ContactChannelChange, Provider, ServiceKind
from tests import factories
from tests.cases.staff.conftest import opened_a_staff_page

pytestmark = pytest.mark.django_db
S = Case.Status


def provider_url(case: Case) -> str:
    return reverse("cases:provider", kwargs={"ref": case.reference})


def named(name: str, *, country: str = "GB", language: str = "en", status=S.PREPARING, **fields):
    """A customer's case that named a provider the directory lacks."""
    case = factories.CaseFactory(
        provider=None, provider_name="x", status=S.PREPARING, language=language, **fields
    )
    case = services.choose_provider(
        case=case,
        by=case.owner,
        version=case.version,
        provider_name=name,
        country=country,
        website="https://tiny.example/",
    )
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    return case


@pytest.fixture
def adder(agent):
    agent.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="providers", codename__in=["add_provider", "add_contactchannel"]
        )
    )
    return agent


def test_the_customer_names_a_missing_provider_with_country_and_website(client):
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.ESIM})
    case = Case.objects.get()

    bad = client.post(
        provider_url(case),
        {"version": case.version, "provider_name": "Tiny Telecom", "country": "GB",
         "website": "not a site"},
    )  # fmt: skip
    assert "Enter a website address, such as www.example.com." in bad.text
    assert 'value="Tiny Telecom"' in bad.text  # nothing typed is lost
    response = client.post(
        provider_url(case),
        {"version": case.version, "provider_name": "Tiny Telecom", "country": "GB",
         "website": "tiny.example"},
    )  # fmt: skip

    case.refresh_from_db()
    assert response.url == reverse("cases:line_details", kwargs={"ref": case.reference})
    assert case.provider is None
    assert case.provider_name == "Tiny Telecom"
    suggestion = case.provider_suggestion
    assert (suggestion.country, suggestion.service_kind) == ("GB", ServiceKind.ESIM)
    assert suggestion.website == "https://tiny.example"
    # The page shows the answer again when the customer comes back.
    page = client.get(provider_url(case)).text
    assert 'value="https://tiny.example"' in page
    assert '<option value="GB" selected>' in page


def test_choosing_a_listed_provider_withdraws_the_suggestion(customer):
    case = named("Tiny Telecom", owner=customer)
    listed = factories.ProviderFactory()

    services.choose_provider(case=case, by=customer, version=case.version, provider=listed)

    assert not ProviderSuggestion.objects.exists()


def test_the_queue_groups_customers_who_named_the_same_provider(client, agent):
    named("Tiny Telecom")
    named("tiny  TELECOM")
    named("ＴＩＮＹ Telecom")
    named("Tiny Telecom", country="DE")
    client.force_login(agent)

    html = client.get(reverse("staff:suggestion_list")).text

    rows = html.split("<tbody>")[1].split("</tr>")
    assert "Tiny Telecom" in rows[0]
    assert ">3</td>" in rows[0]
    assert "Germany" in rows[1]
    assert ">1</td>" in rows[1]


def test_the_queue_costs_the_same_for_few_or_many_suggestions(
    client, agent, django_assert_max_num_queries
):
    for n in range(12):
        named(f"Provider {n}")
    client.force_login(agent)
    opened_a_staff_page(client)  # the session's first staff page also notes who the agent is
    with django_assert_max_num_queries(6):
        assert client.get(reverse("staff:suggestion_list")).status_code == 200


def test_an_agent_adds_the_provider_and_its_open_cases_are_linked_and_told(
    client, adder, django_capture_on_commit_callbacks
):
    english = named("Tiny Telecom")
    chinese = named("tiny telecom", language="zh-hans", status=S.AWAITING_REVIEW)
    closed = named("Tiny Telecom", status=S.WITHDRAWN)
    client.force_login(adder)
    detail = reverse(
        "staff:suggestion_detail", kwargs={"suggestion_id": english.provider_suggestion.pk}
    )
    assert "3 open requests" in client.get(detail).text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            detail,
            {
                "action": "add", "name": "Tiny Telecom", "slug": "", "country": "GB",
                "offers_esim": "on", "offers_virtual": "on", "website": "https://tiny.example/",
                "channel_kind": "phone", "channel_value": "+44 20 7946 0999",
                "channel_source_url": "https://tiny.example/contact",
                "channel_verified_on": "2026-12-01",
            },
        )  # fmt: skip

    assert response.status_code == 302
    provider = Provider.objects.get(slug="tiny-telecom")
    channel = provider.channels.get()
    assert channel.is_official
    assert channel.verified_on == dt.date(2026, 12, 1)
    change = ContactChannelChange.objects.get(channel=channel)
    assert change.changed_by == adder  # audited as every directory change is
    for case in (english, chinese):
        case.refresh_from_db()
        assert case.provider == provider
        assert case.provider_name == ""
        event = case.events.filter(kind=CaseEvent.Kind.DETAILS).latest("id")
        assert event.actor == adder
        assert "Tiny Telecom is now in Closeout's directory" in event.summary
    closed.refresh_from_db()
    assert closed.provider is None  # a finished case keeps what it had
    assert not ProviderSuggestion.objects.filter(resolved_at__isnull=True).exists()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert len(by_address) == 2
    assert "Tiny Telecom is now in our directory" in by_address[english.owner.email].subject
    assert "+44 20 7946 0999" in by_address[english.owner.email].body
    assert "现已收录" in by_address[chinese.owner.email].subject
    assert "No suggested provider is waiting." in client.get(reverse("staff:suggestion_list")).text


def test_a_preparing_case_gets_the_new_providers_own_steps(adder):
    case = named("Tiny Telecom", service_kind=ServiceKind.VIRTUAL)
    services.rebuild_steps(case=case)
    provider = factories.ProviderFactory(name="Tiny Telecom", slug="tiny-telecom")
    playbook = factories.PlaybookFactory(provider=provider, service_kind=ServiceKind.VIRTUAL)
    factories.PlaybookStepFactory(playbook=playbook, title="Open the Tiny app")

    suggestion_services.link_to_provider(
        suggestion=case.provider_suggestion, provider=provider, by=adder
    )

    assert case.steps.filter(title="Open the Tiny app").exists()


def test_an_official_channel_without_its_source_and_date_is_refused(client, adder):
    case = named("Tiny Telecom")
    client.force_login(adder)
    detail = reverse(
        "staff:suggestion_detail", kwargs={"suggestion_id": case.provider_suggestion.pk}
    )

    response = client.post(
        detail,
        {"action": "add", "name": "Tiny Telecom", "country": "GB", "offers_esim": "on",
         "channel_kind": "phone", "channel_value": "+44 20 7946 0999"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "An official channel needs the source it was seen at." in response.text
    assert "Give the day it was checked." in response.text
    assert not Provider.objects.filter(slug="tiny-telecom").exists()
    assert not ContactChannel.objects.exists()


def test_an_agent_without_the_directory_permission_links_an_existing_provider(
    client, agent, django_capture_on_commit_callbacks
):
    case = named("Tiny Telecom")
    listed = factories.ProviderFactory(name="Tiny Telecom Ltd")
    client.force_login(agent)
    detail = reverse(
        "staff:suggestion_detail", kwargs={"suggestion_id": case.provider_suggestion.pk}
    )

    assert "Adding providers needs the directory permission" in client.get(detail).text
    assert client.post(detail, {"action": "add", "name": "X", "country": "GB"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        client.post(detail, {"action": "link", "provider": listed.pk})

    case.refresh_from_db()
    assert case.provider == listed
    assert len(mail.outbox) == 1


def test_dismissing_a_suggestion_leaves_its_cases_alone(client, agent):
    case = named("Not A Telco")
    client.force_login(agent)
    detail = reverse(
        "staff:suggestion_detail", kwargs={"suggestion_id": case.provider_suggestion.pk}
    )

    client.post(detail, {"action": "dismiss"})

    case.refresh_from_db()
    assert case.provider_name == "Not A Telco"
    assert not ProviderSuggestion.objects.filter(resolved_at__isnull=True).exists()
    assert mail.outbox == []


def test_customers_cannot_see_the_queue(client, customer):
    client.force_login(customer)

    assert client.get(reverse("staff:suggestion_list")).status_code == 403


def test_a_new_answer_to_the_first_question_changes_the_suggested_kind(customer):
    case = named("Tiny Telecom", owner=customer)

    services.change_service_kind(
        case=case, by=customer, version=case.version, service_kind=ServiceKind.PHYSICAL_SIM
    )

    assert ProviderSuggestion.objects.get().service_kind == ServiceKind.PHYSICAL_SIM
