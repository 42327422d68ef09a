"""Who gets into the staff dashboard, for every URL it has: generated from its URLconf, so a
new staff URL is covered the day it is added."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import roles
from cases.models import Case, ProviderSuggestion
from cases.staff import urls as staff_urls
from providers.models import ChannelReport
from tests import factories
from tests.cases.staff.conftest import agents_group_as_migrated, waiting_case

pytestmark = pytest.mark.django_db

# Views that only take POST; every other staff URL answers GET.
POST_ONLY = {
    "bulk",
    "case_presence",
    "case_assign",
    "case_note",
    "case_message",
    "case_move",
    "case_reminders",
    "report_resolve",
}


def staff_patterns() -> list[URLPattern]:
    return [p for p in staff_urls.urlpatterns if isinstance(p, URLPattern)]


# Views behind a permission of their own as well; the generated agent test grants it.
NEEDS_PERMISSION = {"channel_edit": "change_contactchannel"}


def url_for(pattern: URLPattern, reference: str, author=None) -> str:
    """The pattern's URL for an existing case (`ref`), its provider (`slug`), one of that
    provider's channels (`channel_id`) and a contact that `author` logged (`pk`)."""
    converters = pattern.pattern.converters
    case = Case.objects.select_related("provider").get(reference=reference)
    values: dict = {"ref": reference, "slug": case.provider.slug}
    if "channel_id" in converters:
        values["channel_id"] = factories.ContactChannelFactory(provider=case.provider).pk
    if "suggestion_id" in converters:
        values["suggestion_id"] = ProviderSuggestion.objects.create(
            case=case, name="Tiny Telecom", country="GB", service_kind=case.service_kind
        ).pk
    if "report_id" in converters:
        channel = factories.ContactChannelFactory(provider=case.provider)
        values["report_id"] = ChannelReport.objects.create(channel=channel, text="Wrong.").pk
    if "pk" in converters:
        values["pk"] = factories.ContactAttemptFactory(case=case, created_by=author).pk
    kwargs = {name: value for name, value in values.items() if name in converters}
    return reverse(f"staff:{pattern.name}", kwargs=kwargs)


def request(client, pattern: URLPattern, url: str, *, follow: bool = False):
    if pattern.name in POST_ONLY:
        return client.post(url, HTTP_HX_REQUEST="true")
    # follow: a create form's page first redirects to itself with a one-time token.
    return client.get(url, follow=follow)


def every_staff_url():
    return [pytest.param(p, id=p.name) for p in staff_patterns()]


def test_every_url_under_staff_is_in_the_generated_list():
    mounted = [
        entry
        for entry in get_resolver().url_patterns
        if isinstance(entry, URLResolver) and str(entry.pattern) == "staff/"
    ]
    assert len(mounted) == 1
    assert mounted[0].urlconf_module is staff_urls
    assert {p.name for p in mounted[0].url_patterns} == {p.name for p in staff_patterns()}
    assert set(POST_ONLY) <= {p.name for p in staff_patterns()}


@pytest.mark.parametrize("pattern", every_staff_url())
def test_anonymous_visitor_is_sent_to_the_staff_sign_in(client, pattern):
    url = url_for(pattern, waiting_case().reference)

    response = request(client, pattern, url)

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("accounts:staff_login") + "?next=")


@pytest.mark.parametrize("pattern", every_staff_url())
def test_signed_in_customer_is_refused(client, pattern):
    case = waiting_case()
    client.force_login(case.owner)

    assert request(client, pattern, url_for(pattern, case.reference)).status_code == 403


@pytest.mark.parametrize("pattern", every_staff_url())
def test_staff_outside_the_agents_group_is_refused(client, pattern):
    client.force_login(factories.AgentFactory(support_agent=False))

    response = request(client, pattern, url_for(pattern, waiting_case().reference))

    assert response.status_code == 403


@pytest.mark.parametrize("pattern", every_staff_url())
def test_agent_gets_the_page(client, agent, pattern):
    if codename := NEEDS_PERMISSION.get(pattern.name):
        agent.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(agent)
    url = url_for(pattern, waiting_case().reference, author=agent)

    assert request(client, pattern, url, follow=True).status_code == 200


@pytest.mark.parametrize("pattern", every_staff_url())
def test_superuser_gets_the_page(client, pattern):
    superuser = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    url = url_for(pattern, waiting_case().reference, author=superuser)

    assert request(client, pattern, url, follow=True).status_code == 200


def test_group_member_without_staff_status_is_refused(client):
    # Staff status is what puts the dashboard behind the second factor.
    user = factories.UserFactory()
    roles.make_support_agent(user)
    client.force_login(user)

    assert client.get(reverse("staff:case_list")).status_code == 403


def test_unknown_case_is_404_for_an_agent(agent_client):
    response = agent_client.get(reverse("staff:case_detail", kwargs={"ref": "CX-2222-2222"}))

    assert response.status_code == 404


def test_staff_pages_are_never_cached(agent_client):
    response = agent_client.get(reverse("staff:case_list"))

    assert "no-store" in response.headers["Cache-Control"]
    assert "private" in response.headers["Cache-Control"]
    assert "HX-Request" in response.headers["Vary"]


def test_agent_lands_on_the_dashboard_after_staff_sign_in(client):
    agent = factories.AgentFactory(password="correct horse battery staple")

    response = client.post(
        reverse("accounts:staff_login"),
        {"login": agent.email, "password": "correct horse battery staple"},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == reverse("staff:case_list")


def test_header_shows_agents_the_dashboard_link(agent_client, client):
    page = agent_client.get(reverse("cases:home")).content.decode()

    assert f'href="{reverse("staff:case_list")}"' in page
    assert "Dashboard" in page


def test_header_hides_the_dashboard_link_from_customers(client, customer):
    client.force_login(customer)

    page = client.get(reverse("cases:home")).content.decode()

    assert reverse("staff:case_list") not in page


def test_the_migration_made_the_agents_group_with_its_permissions():
    # A transactional test's flush before this one may have emptied what the migration made.
    agents_group_as_migrated()
    group = roles.support_agents_group()

    codenames = set(group.permissions.values_list("codename", flat=True))

    assert {"view_case", "change_case", "view_caseevent", "view_reminder"} <= codenames
    assert "delete_case" not in codenames
