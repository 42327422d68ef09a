"""The numbers: computed by the periodic task into the stats table, read by the stats page."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import stats, tasks
from cases.models import Case, CaseEvent, ProviderStats, StatsSnapshot
from tests import factories
from tests.cases.staff.conftest import opened_a_staff_page

pytestmark = pytest.mark.django_db
S = Case.Status
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def completed(provider, *, days: float, ago: int = 10, reopened: bool = False, stalled=False):
    done = NOW - dt.timedelta(days=ago)
    case = factories.CaseFactory(
        provider=provider,
        status=S.NEEDS_ACTION if reopened else S.COMPLETED,
        submitted_at=done - dt.timedelta(days=days),
        completed_at=done,
    )
    if reopened:
        factories.CaseEventFactory(
            case=case, kind=CaseEvent.Kind.STATUS, status_from=S.COMPLETED, status_to=S.NEEDS_ACTION
        )
    if stalled:
        factories.CaseEventFactory(case=case, kind=CaseEvent.Kind.STALLED)
    return case


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return opened_a_staff_page(client)  # counts are an ordinary page's, not the session's first


@pytest.fixture
def known_data():
    slow = factories.ProviderFactory(name="Slow Mobile")
    fast = factories.ProviderFactory(name="Fast Mobile")
    completed(slow, days=2)
    completed(slow, days=4, stalled=True)
    completed(slow, days=10, reopened=True)
    completed(slow, days=30, ago=3)
    completed(fast, days=1, ago=40)
    # Older than the window: not in the provider's figures.
    completed(fast, days=200, ago=400)
    factories.CaseFactory(provider=slow, status=S.AWAITING_REVIEW, submitted_at=NOW)
    factories.CaseFactory(
        provider=slow, status=S.AWAITING_OPERATOR, is_stalled=True, submitted_at=NOW
    )
    factories.CaseFactory(provider=fast, status=S.DRAFT)
    return slow, fast


def test_figures_on_a_known_data_set(known_data):
    slow, fast = known_data

    snapshot = stats.compute(now=NOW)

    rows = {row.provider_id: row for row in ProviderStats.objects.filter(snapshot=snapshot)}
    slow_row, fast_row = rows[slow.pk], rows[fast.pk]
    assert slow_row.open_cases == 3  # review, operator, and the reopened one
    assert slow_row.completed_cases == 4
    assert slow_row.median_days == pytest.approx(7.0)  # 2, 4, 10, 30
    assert slow_row.p90_days == pytest.approx(24.0)
    assert slow_row.submitted_cases == 6
    assert slow_row.stalled_share == pytest.approx(1 / 6)
    assert slow_row.reopened_share == pytest.approx(1 / 4)
    assert fast_row.median_days == pytest.approx(1.0)
    assert fast_row.completed_cases == 1
    assert fast_row.open_cases == 0
    assert snapshot.open_by_status["awaiting_review"] == 1
    assert snapshot.open_by_status["needs_action"] == 1
    assert "draft" not in snapshot.open_by_status
    assert snapshot.stalled_now == 1
    assert snapshot.completed_7_days == 1
    assert snapshot.completed_30_days == 3  # the reopened one is no longer completed
    assert snapshot.computed_at == NOW


def test_percentile_interpolates_like_postgres():
    assert stats.percentile([], 0.5) is None
    assert stats.percentile([5.0], 0.9) == 5.0
    assert stats.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert stats.percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9) == 9.1


def test_each_run_writes_one_snapshot_and_keeps_only_the_last_few(known_data):
    for hours in range(5):
        stats.compute(now=NOW + dt.timedelta(hours=hours))

    assert StatsSnapshot.objects.count() == stats.KEEP_SNAPSHOTS
    assert stats.latest().computed_at == NOW + dt.timedelta(hours=4)


def test_the_stats_page_reads_the_table_and_never_computes(agent_client, known_data):
    url = reverse("staff:stats_page")
    empty = agent_client.get(url)
    assert "have not been computed yet" in empty.content.decode()

    stats.compute(now=NOW)
    response = agent_client.get(url)

    html = response.content.decode()
    assert StatsSnapshot.objects.count() == 1  # the page added none
    assert '<svg role="img"' in html
    table = html.split("<caption")[1]
    assert table.index("Slow Mobile") < table.index("Fast Mobile")  # slowest first
    assert "7.0" in table
    assert "Stalled now" in html


def test_the_stats_and_directory_pages_cost_the_same_for_few_or_many_providers(agent_client):
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert agent_client.get(url).status_code == 200
        return len(captured)

    urls = [reverse("staff:stats_page"), reverse("staff:stats_csv"), reverse("staff:provider_list")]
    completed(factories.ProviderFactory(), days=3)
    stats.compute(now=NOW)
    few = [count(url) for url in urls]
    for n in range(25):
        completed(factories.ProviderFactory(), days=n + 1)
    stats.compute(now=NOW)
    many = [count(url) for url in urls]

    assert few == many
    assert max(many) <= 8


def test_csv_export_of_the_provider_table(agent_client, known_data):
    stats.compute(now=NOW)

    response = agent_client.get(reverse("staff:stats_csv"))

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Provider"
    assert rows[1][0] == "Slow Mobile"
    assert rows[1][5] == "7.0"
    assert rows[2][0] == "Fast Mobile"


def test_the_beat_task_computes_a_snapshot():
    tasks.compute_stats()

    assert StatsSnapshot.objects.filter(computed_at__lte=timezone.now()).count() == 1


def test_the_numbers_are_computed_once_at_start_when_there_are_none(agent_client, known_data):
    call_command("compute_stats", if_missing=True, stdout=io.StringIO())
    call_command("compute_stats", if_missing=True, stdout=io.StringIO())  # a second start

    assert StatsSnapshot.objects.count() == 1
    assert "have not been computed yet" not in agent_client.get(reverse("staff:stats_page")).text


def test_the_page_says_when_the_next_run_is(agent_client, known_data, settings):
    settings.STATS_SECONDS = 3600
    stats.compute(now=dt.datetime(2026, 12, 7, 13, 2, tzinfo=dt.UTC))

    page = agent_client.get(reverse("staff:stats_page")).text

    assert "Computed Dec. 7, 2026, 13:02" in page
    assert "next around Dec. 7, 2026, 14:02" in page


def test_bin_run_and_the_compose_migrate_job_compute_the_numbers_at_start():
    root = Path(django_settings.BASE_DIR)

    assert 'call_command("compute_stats", if_missing=True)' in (root / "bin/run").read_text()
    assert "manage.py compute_stats --if-missing" in (root / "docker-compose.yml").read_text()
