"""The snooze window: one rule, counted in the case's days, for the customer and the agent."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from cases.reminders import schedule
from tests import factories
from tests.cases.staff.conftest import waiting_case

pytestmark = pytest.mark.django_db

# 18:00 in London on 7 December is already 02:00 on 8 December in Shanghai.
EVENING_IN_LONDON = dt.datetime(2026, 12, 7, 18, 0, tzinfo=dt.UTC)
SHANGHAI_TODAY = dt.date(2026, 12, 8)


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(EVENING_IN_LONDON, tick=False)


@pytest.fixture
def shanghai_case():
    return waiting_case(time_zone="Asia/Shanghai")


@pytest.fixture
def london_agent_client(client):
    client.force_login(factories.AgentFactory(time_zone="Europe/London"))
    return client


def test_the_window_starts_tomorrow_in_the_cases_zone(shanghai_case):
    first_day, last_day = schedule.snooze_window(shanghai_case)
    assert first_day == SHANGHAI_TODAY + dt.timedelta(days=1)
    assert last_day == SHANGHAI_TODAY + dt.timedelta(days=90)


def agent_snoozes(client, case, day: dt.date):
    path = reverse("staff:case_reminders", kwargs={"ref": case.reference})
    return client.post(
        path, {"action": "snooze", "until": day.isoformat(), "version": case.version}
    )


def customer_snoozes(client, case, day: dt.date):
    client.force_login(case.owner)
    path = reverse("reminders:case_snooze", kwargs={"ref": case.reference})
    return client.post(path, {"until": day.isoformat(), "version": case.version})


def test_a_london_agent_cannot_snooze_a_shanghai_case_until_its_today(
    london_agent_client, shanghai_case
):
    response = agent_snoozes(london_agent_client, shanghai_case, SHANGHAI_TODAY)

    assert "Choose a day after today." in response.text
    shanghai_case.refresh_from_db()
    assert shanghai_case.snoozed_until is None


def test_a_london_agent_may_snooze_to_the_cases_last_day(london_agent_client, shanghai_case):
    last_day = SHANGHAI_TODAY + dt.timedelta(days=90)

    response = agent_snoozes(london_agent_client, shanghai_case, last_day)

    assert response.status_code == 302
    shanghai_case.refresh_from_db()
    # 08:00 in Shanghai, the first mail hour of that day.
    assert shanghai_case.snoozed_until == dt.datetime(2027, 3, 8, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("day", [SHANGHAI_TODAY, SHANGHAI_TODAY + dt.timedelta(days=91)])
def test_customer_and_agent_refuse_the_same_days(client, shanghai_case, day):
    agent = Client()
    agent.force_login(factories.AgentFactory(time_zone="Europe/London"))

    by_agent = agent_snoozes(agent, shanghai_case, day)
    by_customer = customer_snoozes(client, shanghai_case, day)

    assert by_agent.status_code == by_customer.status_code == 200
    shanghai_case.refresh_from_db()
    assert shanghai_case.snoozed_until is None
