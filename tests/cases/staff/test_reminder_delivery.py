"""What agents see of reminder delivery: "reminders are not being sent" atop the dashboard, and
a reminder that may have gone out twice marked on the case page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Reminder, WorkerHeartbeat
from cases.reminders import heartbeat
from tests import factories
from tests.cases.staff.conftest import waiting_case

pytestmark = pytest.mark.django_db

NOT_SENT = "Reminders are not being sent."


def pages(case) -> list[str]:
    return [reverse("staff:case_list"), reverse("staff:case_detail", args=[case.reference])]


def delivering(now=None) -> None:
    """A worker that just answered and a sweep that just ran."""
    now = now or timezone.now()
    heartbeat.record(name="celery@worker-1", now=now)
    heartbeat.record(name=WorkerHeartbeat.SWEEP, now=now)


def test_both_pages_warn_when_no_worker_ever_answered(agent_client):
    for url in pages(waiting_case()):
        page = agent_client.get(url).content.decode()
        assert NOT_SENT in page, url
        assert "No worker has answered yet." in page
        assert "The reminder sweep has not run yet." in page


def test_no_warning_while_workers_and_the_sweep_are_alive(agent_client):
    delivering()
    for url in pages(waiting_case()):
        assert NOT_SENT not in agent_client.get(url).content.decode(), url


def test_a_worker_gone_quiet_is_named_with_its_last_answer(agent_client, settings):
    settings.WORKER_HEARTBEAT_SECONDS = 30
    delivering(now=timezone.now() - dt.timedelta(minutes=5))
    heartbeat.record(name=WorkerHeartbeat.SWEEP, now=timezone.now())
    page = agent_client.get(reverse("staff:case_list")).content.decode()
    assert NOT_SENT in page
    assert "No worker has answered since" in page
    assert "The reminder sweep has not run" not in page


def test_the_warning_costs_one_query_whatever_the_heartbeats(agent_client):
    case = waiting_case()
    for url in pages(case):
        with CaptureQueriesContext(connection) as silent:
            agent_client.get(url)
        delivering()
        for n in range(5):
            heartbeat.record(name=f"celery@old-{n}", now=timezone.now() - dt.timedelta(hours=n))
        with CaptureQueriesContext(connection) as alive:
            agent_client.get(url)
        WorkerHeartbeat.objects.all().delete()
        assert len(silent) == len(alive), url
        reads = [q for q in alive if '"cases_workerheartbeat"' in q["sql"]]
        assert len(reads) == 1, url


def test_htmx_fragments_skip_the_warning(agent_client):
    response = agent_client.get(reverse("staff:case_list"), headers={"HX-Request": "true"})
    assert NOT_SENT not in response.content.decode()


def test_a_possible_duplicate_is_marked_on_the_case_page(agent_client):
    delivering()
    case = waiting_case()
    now = timezone.now()
    factories.ReminderFactory(
        case=case, state=Reminder.State.SENT, sent_at=now, is_possible_duplicate=True
    )
    page = agent_client.get(reverse("staff:case_detail", args=[case.reference])).content.decode()
    assert "possible duplicate" in page
    assert "the customer may have received that email twice" in page


def test_an_ordinary_sent_reminder_is_not_marked(agent_client):
    case = waiting_case()
    factories.ReminderFactory(case=case, state=Reminder.State.SENT, sent_at=timezone.now())
    page = agent_client.get(reverse("staff:case_detail", args=[case.reference])).content.decode()
    assert "possible duplicate" not in page
