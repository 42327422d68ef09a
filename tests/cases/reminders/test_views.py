"""Stopping and snoozing reminders: the email's one-click link and the case page's actions."""

import datetime as dt

import pytest
from django.test import Client

from cases.models import Reminder
from cases.reminders import emails
from tests.cases.reminders.helpers import DAY, T0, ladder, waiting_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(T0, tick=False)


def stop_path(case) -> str:
    return f"/reminders/stop/{emails.stop_token(case)}/"


class TestStopLink:
    def test_get_asks_to_confirm_and_stops_nothing(self, client):
        case = waiting_case()
        response = client.get(stop_path(case))
        assert response.status_code == 200
        assert b"Stop reminder emails?" in response.content
        assert f'action="{stop_path(case)}"'.encode() in response.content
        case.refresh_from_db()
        assert case.reminders_stopped_at is None
        assert response["Cache-Control"].startswith("max-age=0")

    def test_post_without_csrf_token_stops_that_case_only(self, customer):
        case, other = waiting_case(owner=customer), waiting_case(owner=customer)
        browser = Client(enforce_csrf_checks=True)

        response = browser.post(stop_path(case))

        assert response.status_code == 302
        assert response["Location"] == stop_path(case)
        case.refresh_from_db()
        other.refresh_from_db()
        assert case.reminders_stopped_at == T0
        assert other.reminders_stopped_at is None
        assert [r.state for r in ladder(case)] == [Reminder.State.CANCELLED]
        assert [r.state for r in ladder(other)] == [Reminder.State.SCHEDULED]
        done = browser.get(response["Location"])
        assert b"Reminder emails stopped" in done.content

    def test_one_click_post_twice_is_harmless(self):
        case = waiting_case()
        Client(enforce_csrf_checks=True).post(stop_path(case), {"List-Unsubscribe": "One-Click"})
        response = Client(enforce_csrf_checks=True).post(stop_path(case))
        assert response.status_code == 302
        assert case.events.filter(text__icontains="stopped").count() == 1

    def test_expired_link_explains_itself(self, client, time_machine):
        case = waiting_case()
        path = stop_path(case)
        time_machine.move_to(T0 + emails.STOP_LINK_MAX_AGE + DAY, tick=False)
        response = client.post(path)
        assert response.status_code == 400
        assert b"has expired" in response.content

    def test_garbage_token_gets_a_friendly_page(self, client):
        response = client.get("/reminders/stop/not-a-token/")
        assert response.status_code == 400
        assert b"This link does not work" in response.content


class TestCaseActions:
    def test_owner_stops_reminders_and_returns_to_the_case(self, client, customer):
        case = waiting_case(owner=customer)
        client.force_login(customer)
        response = client.post(f"/reminders/case/{case.reference}/stop/", {"version": case.version})
        assert response.status_code == 302
        assert response["Location"] == f"/cases/{case.reference}/"
        case.refresh_from_db()
        assert case.reminders_stopped_at is not None

    def test_owner_resumes_with_htmx_and_gets_the_panel(self, client, customer):
        case = waiting_case(owner=customer)
        client.force_login(customer)
        client.post(f"/reminders/case/{case.reference}/stop/", {"version": case.version})
        response = client.post(
            f"/reminders/case/{case.reference}/resume/",
            {"version": case.version + 1},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert response.content.lstrip().startswith(b'<section id="reminder-actions"')
        assert b"Snooze" in response.content
        case.refresh_from_db()
        assert case.reminders_stopped_at is None

    def test_owner_snoozes_until_a_date(self, client, customer):
        case = waiting_case(owner=customer)
        client.force_login(customer)
        response = client.post(
            f"/reminders/case/{case.reference}/snooze/",
            {"until": "2031-03-20", "version": case.version},
        )
        assert response.status_code == 302
        case.refresh_from_db()
        [first] = ladder(case)
        expected = dt.datetime(2031, 3, 20, 8, 0, tzinfo=dt.UTC)  # 08:00 in London
        assert case.snoozed_until == expected
        assert first.due_at == expected

    @pytest.mark.parametrize("until", ["2031-03-03", "2032-01-01", "soon"])
    def test_bad_snooze_date_keeps_the_input_and_says_why(self, client, customer, until):
        case = waiting_case(owner=customer)
        client.force_login(customer)
        response = client.post(
            f"/reminders/case/{case.reference}/snooze/", {"until": until, "version": case.version}
        )
        assert response.status_code == 200
        assert b'class="error-summary"' in response.content
        assert f'value="{until}"'.encode() in response.content
        case.refresh_from_db()
        assert case.snoozed_until is None

    def test_bad_snooze_date_with_htmx_returns_the_panel_with_the_error(self, client, customer):
        case = waiting_case(owner=customer)
        client.force_login(customer)
        response = client.post(
            f"/reminders/case/{case.reference}/snooze/",
            {"until": "2031-03-01", "version": case.version},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert b"Choose a day after today." in response.content
        assert b"<html" not in response.content

    @pytest.mark.parametrize("action", ["stop", "resume", "snooze"])
    def test_another_customer_gets_404(self, client, customer, other_customer, action):
        case = waiting_case(owner=customer)
        client.force_login(other_customer)
        assert client.post(f"/reminders/case/{case.reference}/{action}/").status_code == 404
        case.refresh_from_db()
        assert case.reminders_stopped_at is None

    def test_agent_is_not_the_owner(self, client, agent):
        case = waiting_case()
        client.force_login(agent)
        assert client.post(f"/reminders/case/{case.reference}/stop/").status_code == 404

    def test_signed_out_visitor_is_asked_to_sign_in(self, client):
        case = waiting_case()
        response = client.post(f"/reminders/case/{case.reference}/stop/")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"] or "login" in response["Location"]
        case.refresh_from_db()
        assert case.reminders_stopped_at is None

    def test_case_actions_need_a_csrf_token(self, customer):
        case = waiting_case(owner=customer)
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(customer)
        assert browser.post(f"/reminders/case/{case.reference}/stop/").status_code == 403


class TestStalePage:
    """A control posted from a page older than the case changes nothing and says so."""

    @pytest.mark.parametrize("action", ["stop", "snooze"])
    def test_stale_control_is_refused_and_says_changed_meanwhile(self, client, customer, action):
        case = waiting_case(owner=customer)
        seen = case.version
        client.force_login(customer)
        client.post(
            f"/reminders/case/{case.reference}/snooze/", {"until": "2031-04-01", "version": seen}
        )

        response = client.post(
            f"/reminders/case/{case.reference}/{action}/",
            {"until": "2031-03-20", "version": seen},
            headers={"HX-Request": "true"},
        )

        assert "This case was changed meanwhile." in response.text
        case.refresh_from_db()
        assert case.reminders_stopped_at is None
        assert case.snoozed_until == dt.datetime(2031, 4, 1, 7, 0, tzinfo=dt.UTC)  # 08:00 BST
        assert case.events.filter(text__icontains="snoozed").count() == 1

    def test_stale_resume_without_javascript_goes_back_with_a_warning(self, client, customer):
        case = waiting_case(owner=customer)
        client.force_login(customer)
        client.post(f"/reminders/case/{case.reference}/stop/", {"version": case.version})

        response = client.post(
            f"/reminders/case/{case.reference}/resume/", {"version": case.version}, follow=True
        )

        assert "This case was changed meanwhile." in response.text
        case.refresh_from_db()
        assert case.reminders_stopped_at is not None


class TestSnoozeOnTheTimeline:
    def test_the_timeline_shows_the_snooze_date_in_the_viewers_format(self, client, customer):
        case = waiting_case(owner=customer)
        client.force_login(customer)
        client.post(
            f"/reminders/case/{case.reference}/snooze/",
            {"until": "2031-03-20", "version": case.version},
        )

        english = client.get(f"/cases/{case.reference}/").text
        client.cookies["django_language"] = "zh-hans"
        chinese = client.get(f"/cases/{case.reference}/").text

        assert "2031-03-20" not in english
        assert "snoozed until March 20, 2031" in english
        assert "2031年3月20日" in chinese

    def test_an_htmx_snooze_refreshes_the_timeline_too(self, client, customer):
        case = waiting_case(owner=customer)
        client.force_login(customer)

        response = client.post(
            f"/reminders/case/{case.reference}/snooze/",
            {"until": "2031-03-20", "version": case.version},
            HTTP_HX_REQUEST="true",
        )

        assert response.text.lstrip().startswith('<section id="reminder-actions"')
        timeline = response.text.split('<section id="case-timeline"', 1)[1]
        assert timeline.split(">", 1)[0].endswith('hx-swap-oob="true"')
        assert "snoozed until March 20, 2031" in timeline
