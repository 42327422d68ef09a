"""The public figures the stats task writes: hand-computed on seeded cases, with the minimum
count and the rounding rule."""

import pytest

from cases import stats
from cases.models import ProviderStats
from tests import factories
from tests.cases.directory.seed import NOW, finished, seed_known_provider

pytestmark = pytest.mark.django_db


def row_for(provider) -> ProviderStats:
    snapshot = stats.compute(now=NOW)
    return ProviderStats.objects.get(snapshot=snapshot, provider=provider)


def test_the_figures_of_a_known_provider():
    provider = factories.ProviderFactory()
    seed_known_provider(provider, owner=factories.UserFactory())

    row = row_for(provider)

    assert row.finished_cases == 40  # 20 eSIM + 19 virtual + 1 withdrawn
    figures = row.public_figures
    assert figures["cases"] == 40
    # Only eSIM has the 20 completed cases a kind needs; virtual has 19.
    assert [kind["kind"] for kind in figures["kinds"]] == ["esim"]
    esim = figures["kinds"][0]
    assert esim["cases"] == 20
    assert esim["median_days"] == 11  # (10 + 11) / 2 = 10.5, half up
    assert esim["p90_days"] == 18  # 18 + 0.1 × (19 − 18) = 18.1
    # 0–2 days: 2 of 20; 3–7: 5; 8–14: 7; 15–30: 6; none longer.
    assert esim["buckets"] == [10, 25, 35, 30, 0, 0]
    assert figures["reminder_share"] == 10  # 3 of 40 = 7.5 %, half up to 10 %
    assert figures["notice_share"] == 5  # 1 of 40 = 2.5 %, half up to 5 %
    assert figures["escalation_share"] == 5  # 2 of 40 = 5 %
    assert figures["refused_share"] == 5  # 1 of 40
    # Over every kind: 1…20 and nineteen 30s; the 20th of 39 is 20.
    assert row.public_median_days == 20


def test_below_the_minimum_count_nothing_is_published():
    provider = factories.ProviderFactory()
    owner = factories.UserFactory()
    for day in range(19):
        finished(provider, days=day + 1, owner=owner)

    row = row_for(provider)

    assert row.finished_cases == 19
    assert row.public_median_days is None
    assert row.public_figures["cases"] is None
    assert row.public_figures["kinds"] == []
    assert row.public_figures["reminder_share"] is None


def test_at_the_minimum_count_the_figures_appear():
    provider = factories.ProviderFactory()
    owner = factories.UserFactory()
    for _day in range(20):
        finished(provider, days=2.5, owner=owner)

    row = row_for(provider)

    assert row.public_median_days == 3  # 2.5 days, half up
    assert row.public_figures["cases"] == 20
    assert row.public_figures["kinds"][0]["buckets"] == [100, 0, 0, 0, 0, 0]  # day 2 still


def test_the_minimum_count_is_a_setting(settings):
    settings.PUBLIC_STATS_MIN_CASES = 5
    provider = factories.ProviderFactory()
    owner = factories.UserFactory()
    for day in range(7):
        finished(provider, days=day + 1, owner=owner)

    row = row_for(provider)

    assert row.public_median_days == 4
    assert row.public_figures["cases"] == 5  # 7 rounded down to a multiple of 5
    assert row.snapshot.public_min_cases == 5


@pytest.mark.parametrize(
    ("part", "whole", "share"),
    [(0, 20, 0), (1, 40, 5), (1, 41, 0), (3, 40, 10), (1, 3, 35), (2, 3, 65), (20, 20, 100)],
)
def test_shares_round_to_the_nearest_five_percent(part, whole, share):
    assert stats.round_share(part, whole) == share


def test_days_round_half_up():
    assert [stats.round_days(d) for d in (0.49, 0.5, 2.5, 3.5, 10.4)] == [0, 1, 3, 4, 10]
    assert stats.round_sample(49) == 45
