"""Two agents using the reminder controls of one case at the same moment (PostgreSQL)."""

import datetime as dt
import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseEvent
from tests import factories
from tests.cases.staff.conftest import waiting_case
from tests.cases.test_concurrency import TIMEOUT_SECONDS, Movers, wait_until_blocked_on_locks

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WEEK = dt.timedelta(days=7)


def test_two_agents_on_the_same_page_version_one_wins_the_other_is_told():
    """Both posts pass every check before the row is locked; the lock decides, and the one
    that gets it second must see the version the first one made."""
    case = waiting_case()
    seen = case.version
    browsers = []
    for name in ("Bo", "Ana"):
        browser = Client()
        browser.force_login(factories.AgentFactory(display_name=name))
        browsers.append(browser)
    path = reverse("staff:case_reminders", kwargs={"ref": case.reference})
    started = threading.Barrier(3, timeout=TIMEOUT_SECONDS)

    def post(browser: Client, data: dict):
        def job():
            started.wait()
            return browser.post(path, {**data, "version": seen})

        return job

    # A third connection holds the row lock so that both posts are sure to queue behind it.
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT id FROM cases_case WHERE id = %s FOR UPDATE", [case.pk])
            agents = Movers(
                post(browsers[0], {"action": "stop"}),
                post(browsers[1], {"action": "snooze", "until": str(timezone.localdate() + WEEK)}),
            )
            started.wait()
            wait_until_blocked_on_locks(count=2)
            cursor.execute("COMMIT")
        responses = agents.finish()
    finally:
        holder.close()

    told = [r for r in responses if "meanwhile" in r.content.decode()]
    assert len(told) == 1, [r.status_code for r in responses]
    case.refresh_from_db()
    assert case.version == seen + 1
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.REMINDER).count() == 1
    # Exactly one of the two controls took effect.
    assert (case.reminders_stopped_at is not None) != (case.snoozed_until is not None)
