"""The public directory and provider pages: what a visitor sees, in fixed query counts."""

import pytest
from django.urls import reverse
from django.utils import translation

from cases import stats
from providers.models import ContactChannel, ServiceKind
from tests import factories
from tests.cases.directory.seed import NOW, finished, seed_known_provider

pytestmark = pytest.mark.django_db


def page_of(provider) -> str:
    return reverse("providers:provider_detail", kwargs={"slug": provider.slug})


@pytest.fixture
def known(db):
    provider = factories.ProviderFactory(name="Known Mobile", slug="known-mobile", country="GB")
    factories.ContactChannelFactory(
        provider=provider,
        kind=ContactChannel.Kind.PHONE,
        value="+44 20 7946 0000",
        source_url="https://known.example/contact",
    )
    seed_known_provider(provider, owner=factories.UserFactory())
    stats.compute(now=NOW)
    return provider


def test_the_provider_page_shows_the_rounded_figures(client, known):
    html = client.get(page_of(known)).text

    assert "Based on at least 40 finished cases." in html
    assert "11 days" in html  # eSIM median
    assert "18 days" in html  # eSIM 90th percentile
    assert "Needed a reminder</dt><dd>10&nbsp;%" in html
    assert "Refused by the provider at first</dt><dd>5&nbsp;%" in html
    numbers = html.split('id="numbers-heading"')[1]
    days_table = numbers.split("<tbody>")[1].split("</tbody>")[0]
    assert "eSIM" in days_table
    assert "Virtual" not in days_table  # 19 completed virtual cases: below the minimum
    assert "Computed " in html
    assert '<svg role="img"' in html
    assert 'style="' not in html.split("<main")[1]  # strict CSP: classes only


def test_the_provider_page_shows_each_channel_with_its_source_and_a_report_link(client, known):
    channel = known.channels.get()

    html = client.get(page_of(known)).text

    assert "+44 20 7946 0000" in html
    assert 'href="https://known.example/contact"' in html
    assert "checked " in html
    report = reverse(
        "providers:report_channel", kwargs={"slug": known.slug, "channel_id": channel.pk}
    )
    assert f'href="{report}"' in html


def test_a_thin_provider_says_why_it_shows_no_figures(client):
    provider = factories.ProviderFactory()
    stats.compute(now=NOW)

    html = client.get(page_of(provider)).text

    assert "we publish a figure only when at least 20 cases are behind it" in html
    assert "We have not checked this provider's channels yet." in html


def test_before_any_computation_the_page_says_so(client):
    provider = factories.ProviderFactory()

    assert "have not been computed yet" in client.get(page_of(provider)).text


def test_an_inactive_or_unknown_provider_is_not_found(client):
    hidden = factories.ProviderFactory(is_active=False)

    assert client.get(page_of(hidden)).status_code == 404
    assert client.get("/providers/no-such-one/").status_code == 404


def test_the_provider_page_reads_in_chinese(client, known):
    client.cookies["django_language"] = "zh-hans"
    with translation.override("zh-hans"):
        html = client.get(page_of(known)).text

    assert "官方渠道" in html
    assert "11 天" in html


def test_the_provider_page_costs_the_same_whatever_its_channels(
    client, known, django_assert_max_num_queries
):
    factories.ContactChannelFactory.create_batch(4, provider=known)
    with django_assert_max_num_queries(5):
        assert client.get(page_of(known)).status_code == 200


def test_the_directory_shows_the_median_beside_each_provider(client, known):
    factories.ProviderFactory(name="Thin Mobile", slug="thin-mobile")
    stats.compute(now=NOW)

    html = client.get(reverse("providers:directory")).text

    entry = html[html.index('id="provider-known-mobile"') :]
    assert "Median: 20 days to confirm" in entry[: entry.index("</li>")]
    thin = html[html.index('id="provider-thin-mobile"') :]
    assert "not enough finished cases yet" in thin[: thin.index("</li>")]


def test_the_directory_filters_by_country_and_kind_and_searches(client):
    factories.ProviderFactory(name="Alpha GB", slug="alpha-gb", country="GB", offers_esim=True)
    factories.ProviderFactory(
        name="Beta DE", slug="beta-de", country="DE", offers_esim=False, offers_virtual=True
    )
    url = reverse("providers:directory")

    by_country = client.get(url, {"country": "DE"}).text
    by_kind = client.get(url, {"kind": ServiceKind.ESIM}).text
    searched = client.get(url, {"q": "alpha"}).text

    assert "provider-beta-de" in by_country
    assert "provider-alpha-gb" not in by_country
    assert "provider-alpha-gb" in by_kind
    assert "provider-beta-de" not in by_kind
    assert "provider-alpha-gb" in searched
    assert "provider-beta-de" not in searched


def test_the_directory_sorts_by_median_fastest_first(client, known):
    quick = factories.ProviderFactory(name="Zed Quick", slug="zed-quick")
    for _ in range(20):
        finished(quick, days=1)
    stats.compute(now=NOW)

    html = client.get(reverse("providers:directory"), {"sort": "median"}).text
    by_name = client.get(reverse("providers:directory")).text

    assert html.index("provider-zed-quick") < html.index("provider-known-mobile")
    assert by_name.index("provider-known-mobile") < by_name.index("provider-zed-quick")


def test_the_directory_costs_the_same_for_few_or_many_providers(
    client, known, django_assert_max_num_queries
):
    for provider in factories.ProviderFactory.create_batch(10):
        factories.ContactChannelFactory.create_batch(2, provider=provider)
    stats.compute(now=NOW)
    with django_assert_max_num_queries(3):
        assert client.get(reverse("providers:directory"), {"sort": "median"}).status_code == 200
