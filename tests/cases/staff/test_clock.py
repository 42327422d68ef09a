"""The waiting-on-provider clock: it runs while the provider has the case and pauses while the
case waits on the customer, so the number says which provider is late."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Case
from cases.staff import selectors
from tests import factories

S = Case.Status
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def test_clock_runs_while_waiting():
    clock = selectors.provider_clock(
        changes=[(day(0), S.IN_PROGRESS), (day(1), S.AWAITING_REVIEW)],
        status=S.AWAITING_REVIEW,
        typical_days=3,
        now=day(5),
    )

    assert clock.waited == dt.timedelta(days=4)
    assert clock.is_running
    assert not clock.is_paused
    assert clock.is_overdue


def test_clock_pauses_in_needs_action_and_resumes_where_it_left_off():
    changes = [
        (day(0), S.AWAITING_REVIEW),
        (day(2), S.NEEDS_ACTION),  # two days on the provider
    ]
    paused = selectors.provider_clock(
        changes=changes, status=S.NEEDS_ACTION, typical_days=3, now=day(30)
    )
    resumed = selectors.provider_clock(
        changes=[*changes, (day(30), S.AWAITING_REVIEW)],
        status=S.AWAITING_REVIEW,
        typical_days=3,
        now=day(30.5),
    )

    # A month waiting on the customer does not count against the provider.
    assert paused.waited == dt.timedelta(days=2)
    assert paused.is_paused
    assert not paused.is_running
    assert not paused.is_overdue
    assert resumed.waited == dt.timedelta(days=2.5)
    assert resumed.is_running
    assert not resumed.is_overdue


def test_clock_stops_at_completion():
    clock = selectors.provider_clock(
        changes=[(day(0), S.AWAITING_OPERATOR), (day(9), S.COMPLETED)],
        status=S.COMPLETED,
        typical_days=7,
        now=day(100),
    )

    assert clock.waited == dt.timedelta(days=9)
    assert not clock.is_running
    assert clock.is_overdue


def test_no_wait_no_clock():
    clock = selectors.provider_clock(
        changes=[(day(0), S.PREPARING)], status=S.PREPARING, typical_days=3, now=day(2)
    )

    assert not clock.has_waited


@pytest.mark.django_db
def test_list_shows_the_paused_clock_of_a_case_that_waits_on_the_customer(agent_client):
    provider = factories.ProviderFactory(typical_review_days=3)
    with time_machine.travel(day(0), tick=False):
        case = factories.CaseFactory(status=S.IN_PROGRESS, provider=provider)
        case = services.move_case(
            case=case, to=S.AWAITING_REVIEW, by=case.owner, version=case.version
        )
    with time_machine.travel(day(2), tick=False):
        case = services.move_case(
            case=case, to=S.NEEDS_ACTION, by=None, version=case.version, note="Send an ID."
        )
    with time_machine.travel(day(20), tick=False):
        page = agent_client.get(reverse("staff:case_list"), {"queue": "attention"})

    html = page.content.decode()
    assert case.reference in html
    assert "2.0 d" in html
    assert '<span class="badge">paused</span>' in html
    assert '<span class="badge badge-warn">overdue</span>' not in html


@pytest.mark.django_db
def test_case_page_marks_a_late_provider_overdue(agent_client):
    provider = factories.ProviderFactory(typical_review_days=3)
    with time_machine.travel(day(0), tick=False):
        case = factories.CaseFactory(status=S.IN_PROGRESS, provider=provider)
        services.move_case(case=case, to=S.AWAITING_REVIEW, by=case.owner, version=case.version)
    with time_machine.travel(day(4), tick=False):
        page = agent_client.get(reverse("staff:case_detail", kwargs={"ref": case.reference}))

    html = page.content.decode()
    assert "Waiting on the provider: 4.0 days (usually 3)." in html
    assert "Overdue: the provider is late." in html
