"""The agents' provider directory: browse, search, a provider's page, editing a channel with
its audit trail, and the edit reaching open cases' pages at once."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import stats
from cases.models import Case
from providers import services as provider_services
from providers.models import ContactChannel, ContactChannelChange
from tests import factories
from tests.cases.staff.conftest import opened_a_staff_page, waiting_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(agent):
    agent.user_permissions.add(Permission.objects.get(codename="change_contactchannel"))
    return agent


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return opened_a_staff_page(client)


def edit_url(channel: ContactChannel) -> str:
    return reverse(
        "staff:channel_edit", kwargs={"slug": channel.provider.slug, "channel_id": channel.pk}
    )


def form_data(channel: ContactChannel, **changes) -> dict:
    data = {
        "seen": provider_services.fingerprint(channel),
        "value": channel.value,
        "hours": channel.hours,
        "source_url": channel.source_url,
        "verified_on": channel.verified_on.isoformat() if channel.verified_on else "",
    }
    if channel.is_official:
        data["is_official"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_agent_browses_and_searches_the_directory(agent_client):
    factories.ProviderFactory(name="Northwind Mobile", slug="northwind", country="GB")
    factories.ProviderFactory(name="Southwind Telecom", slug="southwind", country="CN")

    page = agent_client.get(reverse("staff:provider_list")).content.decode()
    found = agent_client.get(reverse("staff:provider_list"), {"q": "north"}).content.decode()
    by_country = agent_client.get(reverse("staff:provider_list"), {"q": "cn"}).content.decode()

    assert "Northwind Mobile" in page
    assert "Southwind Telecom" in page
    assert "Northwind Mobile" in found
    assert "Southwind Telecom" not in found
    assert "Southwind Telecom" in by_country
    assert "Northwind Mobile" not in by_country
    nothing = agent_client.get(reverse("staff:provider_list"), {"q": "zzz"}).content.decode()
    assert "No provider found." in nothing


def test_provider_page_marks_channels_checked_over_a_year_ago(agent_client, provider):
    today = timezone.localdate()
    fresh = factories.ContactChannelFactory(
        provider=provider, value="+44 20 7946 0001", verified_on=today - dt.timedelta(days=30)
    )
    old = factories.ContactChannelFactory(
        provider=provider, value="+44 20 7946 0002", verified_on=today - dt.timedelta(days=400)
    )

    response = agent_client.get(reverse("staff:provider_detail", kwargs={"slug": provider.slug}))
    html = response.content.decode()

    fresh_row = html.split(f'id="channel-{fresh.pk}"')[1].split("</tr>")[0]
    old_row = html.split(f'id="channel-{old.pk}"')[1].split("</tr>")[0]
    assert "re-check" not in fresh_row
    assert "re-check" in old_row
    assert "https://example.com/contact" in html
    # Without the permission there is nothing to edit.
    assert edit_url(fresh) not in html


def test_agent_with_the_permission_edits_a_channel_and_the_trail_shows_it(
    editor_client, editor, provider
):
    channel = factories.ContactChannelFactory(provider=provider, value="+44 20 7946 0100")

    response = editor_client.post(
        edit_url(channel),
        form_data(channel, value="+44 20 7946 0199", hours="Daily 08:00–22:00"),
    )

    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.value == "+44 20 7946 0199"
    change = ContactChannelChange.objects.get(channel=channel, action="updated")
    assert change.changed_by == editor
    assert change.before["value"] == "+44 20 7946 0100"
    assert change.after["value"] == "+44 20 7946 0199"
    page = editor_client.get(response.headers["Location"]).content.decode()
    assert "Channel saved." in page
    trail = page.split('id="audit-heading"')[1]
    assert editor.get_short_name() in trail
    assert "+44 20 7946 0100" in trail
    assert "+44 20 7946 0199" in trail
    assert "Daily 08:00–22:00" in trail


def test_an_edited_channel_shows_at_once_on_an_open_case(editor_client, provider):
    channel = factories.ContactChannelFactory(provider=provider, value="+44 20 7946 0300")
    case = waiting_case(provider=provider)

    editor_client.post(edit_url(channel), form_data(channel, value="+44 20 7946 0399"))

    staff_page = editor_client.get(reverse("staff:case_detail", kwargs={"ref": case.reference}))
    assert "+44 20 7946 0399" in staff_page.content.decode()
    editor_client.force_login(case.owner)
    customer_page = editor_client.get(reverse("cases:detail", kwargs={"ref": case.reference}))
    assert "+44 20 7946 0399" in customer_page.content.decode()
    assert "+44 20 7946 0300" not in customer_page.content.decode()


def test_an_official_channel_without_a_source_is_refused_with_a_message(editor_client, provider):
    channel = factories.ContactChannelFactory(provider=provider, value="+44 20 7946 0400")

    response = editor_client.post(
        edit_url(channel), form_data(channel, value="+44 20 7946 0444", source_url="")
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "An official channel needs the source it was seen at." in html
    assert 'value="+44 20 7946 0444"' in html  # what they typed is kept
    channel.refresh_from_db()
    assert channel.value == "+44 20 7946 0400"
    assert not ContactChannelChange.objects.filter(channel=channel, action="updated").exists()


def test_an_unofficial_channel_needs_no_source(editor_client, provider):
    channel = factories.ContactChannelFactory(provider=provider)

    data = form_data(channel, source_url="")
    data.pop("is_official")
    response = editor_client.post(edit_url(channel), data)

    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.is_official is False
    assert channel.source_url == ""


def test_an_agent_without_the_permission_cannot_edit(agent_client, provider):
    channel = factories.ContactChannelFactory(provider=provider, value="+44 20 7946 0500")

    assert agent_client.get(edit_url(channel)).status_code == 403
    response = agent_client.post(edit_url(channel), form_data(channel, value="+44 1"))

    assert response.status_code == 403
    channel.refresh_from_db()
    assert channel.value == "+44 20 7946 0500"


def test_the_provider_page_says_who_may_edit_when_the_agent_may_not(agent_client, provider):
    factories.ContactChannelFactory(provider=provider)
    page_url = reverse("staff:provider_detail", kwargs={"slug": provider.slug})

    page = agent_client.get(page_url).text

    assert "Only agents with the “Can change contact channel” permission may edit" in page
    channels = page.split('aria-labelledby="channels-heading"')[1].split("</section>")[0]
    assert "/channels/" not in channels


def test_an_editor_sees_the_edit_links_and_no_such_note(editor_client, provider):
    channel = factories.ContactChannelFactory(provider=provider)
    page_url = reverse("staff:provider_detail", kwargs={"slug": provider.slug})

    page = editor_client.get(page_url).text

    assert edit_url(channel) in page
    assert "Can change contact channel" not in page


def test_a_customer_cannot_edit(client, customer, provider):
    channel = factories.ContactChannelFactory(provider=provider)
    client.force_login(customer)

    assert client.post(edit_url(channel), form_data(channel, value="+1")).status_code == 403


def test_an_edit_over_someone_elses_change_is_refused_and_keeps_the_text(
    editor_client, provider, other_agent
):
    channel = factories.ContactChannelFactory(provider=provider, value="+44 20 7946 0600")
    stale = form_data(channel, value="+44 20 7946 0677")
    provider_services.edit_channel(
        channel=channel,
        by=other_agent,
        seen=provider_services.fingerprint(channel),
        value="+44 20 7946 0655",
    )

    response = editor_client.post(edit_url(channel), stale)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone changed this channel meanwhile." in html
    assert 'value="+44 20 7946 0677"' in html
    channel.refresh_from_db()
    assert channel.value == "+44 20 7946 0655"
    # Saving again, now over the version shown, goes through.
    seen = html.split('name="seen" value="')[1].split('"')[0]
    again = editor_client.post(edit_url(channel), {**stale, "seen": seen})
    assert again.status_code == 302


def test_a_duplicate_value_is_refused_with_a_message(editor_client, provider):
    factories.ContactChannelFactory(provider=provider, value="+44 20 7946 0700")
    channel = factories.ContactChannelFactory(provider=provider, value="+44 20 7946 0701")

    response = editor_client.post(edit_url(channel), form_data(channel, value="+44 20 7946 0700"))

    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_directory_pages_cost_the_same_for_few_or_many(editor_client, provider):
    def counts() -> tuple[int, int]:
        pages = []
        for url in (
            reverse("staff:provider_list"),
            reverse("staff:provider_detail", kwargs={"slug": provider.slug}),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert editor_client.get(url).status_code == 200
            pages.append(len(captured))
        return pages[0], pages[1]

    factories.ContactChannelFactory(provider=provider)
    stats.compute(now=timezone.now())
    few = counts()
    for n in range(20):
        channel = factories.ContactChannelFactory(provider=provider, value=f"+44 20 7000 {n:04d}")
        provider_services.edit_channel(
            channel=channel,
            by=None,
            seen=provider_services.fingerprint(channel),
            hours=f"{n}:00",
        )
        factories.ProviderFactory()
        factories.PlaybookStepFactory(
            playbook=factories.PlaybookFactory(provider=provider, service_kind="esim")
            if n == 0
            else provider.playbooks.get()
        )
    waiting_case(provider=provider)
    stats.compute(now=timezone.now())
    many = counts()

    assert few == many
    assert max(many) <= 10


def test_open_cases_of_the_provider_are_counted_from_the_stats_table(agent_client, provider):
    waiting_case(provider=provider)
    url = reverse("staff:provider_detail", kwargs={"slug": provider.slug})

    before = agent_client.get(url).content.decode()
    stats.compute(now=timezone.now())
    after = agent_client.get(url).content.decode()

    assert "Not computed yet" in before
    assert Case.objects.filter(provider=provider).count() == 1
    assert "Not computed yet" not in after


def test_the_case_page_says_when_its_kind_is_not_checked_for_the_provider(agent_client):
    operator = factories.ProviderFactory(
        name="Alpha Net", offers_esim=False, offers_virtual=False, service_kinds_checked=False
    )
    unchecked = factories.CaseFactory(provider=operator, service_kind="esim")
    confirmed = factories.CaseFactory(provider=operator, service_kind="physical_sim")

    def page(case: Case) -> str:
        return agent_client.get(reverse("staff:case_detail", kwargs={"ref": case.reference})).text

    assert "not checked for this provider" in page(unchecked)
    assert "not checked for this provider" not in page(confirmed)


def test_agent_finds_a_provider_by_its_chinese_name_or_an_alias(agent_client):
    factories.ProviderFactory(
        name="China Mobile", name_zh="中国移动", slug="cm-test", aliases="CMCC"
    )
    factories.ProviderFactory(name="Northwind Mobile", slug="northwind", country="GB")
    url = reverse("staff:provider_list")

    for query in ("移动", "中國移動", "cmcc"):
        found = agent_client.get(url, {"q": query}).content.decode()
        assert "China Mobile" in found, query
        assert "Northwind Mobile" not in found, query
    agent_client.cookies["django_language"] = "zh-hans"
    assert "中国移动" in agent_client.get(url, {"q": "移动"}).content.decode()
