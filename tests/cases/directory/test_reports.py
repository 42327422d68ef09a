""" "Report a wrong detail" on a public channel: to the agents' queue, rate limited; the agent's
re-check goes through the audited channel edit."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from providers.models import ChannelReport, ContactChannelChange
from providers.services import fingerprint
from tests import factories
from tests.cases.staff.conftest import opened_a_staff_page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def channel(db):
    return factories.ContactChannelFactory(value="+44 20 7946 0001")


def report_url(channel) -> str:
    return reverse(
        "providers:report_channel",
        kwargs={"slug": channel.provider.slug, "channel_id": channel.pk},
    )


def test_a_visitor_reports_a_wrong_detail_and_agents_see_it(client, channel, agent):
    response = client.post(report_url(channel), {"text": "It says the number changed."})

    assert response.status_code == 302
    report = ChannelReport.objects.get()
    assert (report.channel, report.case_reference, report.reported_by) == (channel, "", None)
    page = client.get(response.url).text
    assert "Thank you. An agent will check this detail." in page
    client.force_login(agent)
    queue = client.get(reverse("staff:report_list")).text
    assert "It says the number changed." in queue
    assert "+44 20 7946 0001" in queue


def test_an_empty_report_is_refused_beside_its_field(client, channel):
    response = client.post(report_url(channel), {"text": "  "})

    assert response.status_code == 200
    assert "Say what is wrong, so that we know what to check." in response.text
    assert not ChannelReport.objects.exists()


def test_a_customer_may_attach_one_of_their_own_cases_only(client, channel, customer):
    own = factories.CaseFactory(owner=customer, provider=channel.provider)
    other = factories.CaseFactory(provider=channel.provider)
    client.force_login(customer)

    refused = client.post(report_url(channel), {"text": "Wrong.", "case": other.reference})
    client.post(report_url(channel), {"text": "Wrong.", "case": own.reference})

    assert refused.status_code == 200
    assert ChannelReport.objects.get().case_reference == own.reference


def test_reports_are_rate_limited(client, channel):
    for _ in range(10):
        assert client.post(report_url(channel), {"text": "Wrong."}).status_code == 302

    response = client.post(report_url(channel), {"text": "Wrong."})

    assert response.status_code == 429
    assert ChannelReport.objects.count() == 10


def test_an_unofficial_channel_cannot_be_reported(client):
    channel = factories.ContactChannelFactory(is_official=False, source_url="")

    assert client.get(report_url(channel)).status_code == 404


def test_the_agents_recheck_is_audited_and_clears_the_report(client, channel, agent, settings):
    from django.contrib.auth.models import Permission

    agent.user_permissions.add(Permission.objects.get(codename="change_contactchannel"))
    client.post(report_url(channel), {"text": "New number is +44 20 7946 0002."})
    report = ChannelReport.objects.get()
    client.force_login(agent)

    edit = reverse(
        "staff:channel_edit", kwargs={"slug": channel.provider.slug, "channel_id": channel.pk}
    )
    assert f'href="{edit}"' in client.get(reverse("staff:report_list")).text
    client.post(
        edit,
        {"value": "+44 20 7946 0002", "hours": "", "is_official": "on",
         "verified_on": "2026-12-05", "source_url": channel.source_url,
         "seen": fingerprint(channel)},
    )  # fmt: skip
    client.post(reverse("staff:report_resolve", kwargs={"report_id": report.pk}))

    change = ContactChannelChange.objects.filter(channel=channel).latest("id")
    assert change.changed_by == agent
    assert change.after["value"] == "+44 20 7946 0002"
    report.refresh_from_db()
    assert report.resolved_by == agent
    assert "No reported detail is waiting." in client.get(reverse("staff:report_list")).text


def test_the_report_queue_costs_the_same_for_few_or_many(
    client, agent, django_assert_max_num_queries
):
    for channel in factories.ContactChannelFactory.create_batch(8):
        ChannelReport.objects.create(channel=channel, text="Wrong.")
    client.force_login(agent)
    opened_a_staff_page(client)  # the session's first staff page also notes who the agent is
    with django_assert_max_num_queries(6):
        assert client.get(reverse("staff:report_list")).status_code == 200


def test_the_agents_provider_page_flags_a_channel_with_an_open_report(client, channel, agent):
    ChannelReport.objects.create(channel=channel, text="Wrong.")
    client.force_login(agent)

    page = client.get(reverse("staff:provider_detail", kwargs={"slug": channel.provider.slug})).text

    assert "1 report</a>" in page
