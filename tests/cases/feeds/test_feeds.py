"""The private ICS feeds: valid iCalendar, a secret address that resets, nothing of others."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from cases.feeds import services
from cases.models import CalendarFeed, Case, Reminder
from tests import factories

pytestmark = pytest.mark.django_db
S = Case.Status
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def ics_url(token: str) -> str:
    return reverse("feeds:ics", kwargs={"token": token})


def events_of(content: bytes) -> list:
    calendar = Calendar.from_ical(content)
    return list(calendar.walk("VEVENT"))


@pytest.fixture
def customer_cases(customer):
    provider = factories.ProviderFactory(name="Demo Telecom (fictional)")
    waiting = factories.CaseFactory(
        owner=customer,
        provider=provider,
        status=S.AWAITING_REVIEW,
        expected_by=NOW + dt.timedelta(days=3),
        phone_number="+447700900555",
    )
    factories.ContactAttemptFactory(
        case=waiting, follow_up_on=dt.date(2026, 12, 10), summary="Spoke to Bob"
    )
    done = factories.CaseFactory(
        owner=customer, provider=provider, status=S.COMPLETED, completed_at=NOW
    )
    factories.ReminderFactory(
        case=done,
        kind=Reminder.Kind.BILLING_CHECK,
        period_started_at=NOW,
        due_at=NOW + dt.timedelta(days=35),
    )
    return waiting, done


def test_customer_feed_is_valid_icalendar_with_their_dates(client, customer, customer_cases):
    waiting, done = customer_cases
    feed = services.feed_for(user=customer)

    response = client.get(ics_url(feed.token))  # a calendar app: no session, no cookie

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    events = {str(event["UID"]).split("@")[0]: event for event in calendar.walk("VEVENT")}
    assert set(events) == {
        f"case-{waiting.reference}-expected-by",
        f"contact-{waiting.contacts.get().pk}-follow-up",
        f"reminder-{done.reminders.get().pk}-billing-check",
    }
    expected = events[f"case-{waiting.reference}-expected-by"]
    assert expected.decoded("DTSTART") == dt.date(2026, 12, 4)
    assert "Demo Telecom (fictional)" in str(expected["SUMMARY"])
    assert waiting.reference in str(expected["SUMMARY"])
    body = response.content.decode()
    assert "0555" not in body  # no phone number
    assert "Bob" not in body  # no note


def test_feed_leaks_nothing_of_another_customer(client, customer, other_customer, customer_cases):
    theirs = factories.CaseFactory(
        owner=other_customer, status=S.AWAITING_REVIEW, expected_by=NOW + dt.timedelta(days=2)
    )
    factories.ContactAttemptFactory(case=theirs, follow_up_on=dt.date(2026, 12, 5))
    feed = services.feed_for(user=customer)

    body = client.get(ics_url(feed.token)).content.decode()

    assert theirs.reference not in body
    assert len(events_of(body.encode())) == 3


def test_wrong_or_reset_token_answers_404(client, customer, customer_cases):
    old = services.feed_for(user=customer).token
    client.force_login(customer)

    response = client.post(reverse("feeds:reset"))

    assert response.status_code == 302
    new = CalendarFeed.objects.get(user=customer).token
    assert new != old
    assert client.get(ics_url(old)).status_code == 404
    assert client.get(ics_url("not-a-token")).status_code == 404
    assert client.get(ics_url(new)).status_code == 200


def test_calendar_page_shows_the_secret_address(client, customer):
    client.force_login(customer)

    response = client.get(reverse("feeds:calendar"))

    feed = CalendarFeed.objects.get(user=customer)
    assert feed.token in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_calendar_page_needs_sign_in(client):
    response = client.get(reverse("feeds:calendar"))

    assert response.status_code == 302


def test_agent_feed_has_the_follow_ups_of_their_assigned_cases_only(client, agent, customer):
    mine = factories.CaseFactory(owner=customer, assigned_agent=agent, status=S.AWAITING_REVIEW)
    factories.ContactAttemptFactory(case=mine, follow_up_on=dt.date(2026, 12, 3))
    elsewhere = factories.CaseFactory(owner=customer, status=S.AWAITING_REVIEW)
    factories.ContactAttemptFactory(case=elsewhere, follow_up_on=dt.date(2026, 12, 4))
    closed = factories.CaseFactory(owner=customer, assigned_agent=agent, status=S.WITHDRAWN)
    factories.ContactAttemptFactory(case=closed, follow_up_on=dt.date(2026, 12, 5))
    feed = services.feed_for(user=agent)

    events = events_of(client.get(ics_url(feed.token)).content)

    assert [event.decoded("DTSTART") for event in events] == [dt.date(2026, 12, 3)]
    assert mine.reference in str(events[0]["SUMMARY"])
    assert reverse("staff:case_detail", kwargs={"ref": mine.reference}) in str(events[0]["URL"])


def test_feed_is_in_the_persons_language(client, customer, customer_cases):
    customer.preferred_language = "zh-hans"
    customer.save()
    feed = services.feed_for(user=customer)

    body = client.get(ics_url(feed.token)).content.decode()

    assert "工单" in body


def test_feed_query_count_is_fixed(client, customer, customer_cases, django_assert_max_num_queries):
    feed = services.feed_for(user=customer)
    with django_assert_max_num_queries(10) as few:
        client.get(ics_url(feed.token))
    for _ in range(3):
        case = factories.CaseFactory(
            owner=customer, status=S.AWAITING_REVIEW, expected_by=NOW + dt.timedelta(days=1)
        )
        factories.ContactAttemptFactory(case=case, follow_up_on=dt.date(2026, 12, 9))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(ics_url(feed.token))
