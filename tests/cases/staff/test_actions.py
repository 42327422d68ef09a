"""The agents' actions on the case page and in bulk, each through a service."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, Reminder
from cases.reminders import emails
from tests.cases.staff.conftest import waiting_case

pytestmark = pytest.mark.django_db
S = Case.Status


def url(name: str, case: Case) -> str:
    return reverse(f"staff:{name}", kwargs={"ref": case.reference})


def test_take_then_note_then_message_then_needs_action(agent_client, agent):
    case = waiting_case()

    agent_client.post(url("case_assign", case), {"action": "take", "version": case.version})
    case.refresh_from_db()
    agent_client.post(
        url("case_note", case), {"note": "Called them, queue 40 min.", "version": case.version}
    )
    case.refresh_from_db()
    agent_client.post(
        url("case_message", case), {"message": "We chased them for you.", "version": case.version}
    )
    case.refresh_from_db()
    response = agent_client.post(
        url("case_move", case),
        {"to": S.NEEDS_ACTION, "note": "They want a copy of the bill.", "version": case.version},
    )

    case.refresh_from_db()
    assert response.status_code == 302
    assert case.assigned_agent == agent
    assert case.status == S.NEEDS_ACTION
    note = case.events.get(kind=CaseEvent.Kind.NOTE, visibility=CaseEvent.Visibility.INTERNAL)
    assert note.message == "Called them, queue 40 min."
    message = case.events.get(kind=CaseEvent.Kind.NOTE, visibility=CaseEvent.Visibility.CUSTOMER)
    assert message.message == "We chased them for you."
    outbox = case.reminders.get(kind=Reminder.Kind.AGENT_MESSAGE)
    assert outbox.body == "We chased them for you."
    assert outbox.state == Reminder.State.SCHEDULED


def test_customer_sees_the_message_but_never_the_internal_note(agent_client, client):
    case = waiting_case()
    agent_client.post(url("case_note", case), {"note": "SECRET internal", "version": case.version})
    case.refresh_from_db()
    agent_client.post(
        url("case_message", case), {"message": "Hello from support", "version": case.version}
    )
    client.force_login(case.owner)

    detail = client.get(reverse("cases:detail", kwargs={"ref": case.reference})).content.decode()
    timeline = client.get(
        reverse("cases:timeline", kwargs={"ref": case.reference})
    ).content.decode()

    assert "Hello from support" in detail
    assert "Hello from support" in timeline
    assert "SECRET" not in detail
    assert "SECRET" not in timeline


def test_a_stale_save_says_who_changed_the_case_and_keeps_the_text(agent_client, ana_client):
    case = waiting_case()
    seen = case.version
    ana_client.post(url("case_note", case), {"note": "Ana was here", "version": seen})

    response = agent_client.post(
        url("case_note", case), {"note": "My careful note", "version": seen}
    )

    page = response.content.decode()
    case.refresh_from_db()
    assert response.status_code == 200
    assert "Changed by Ana at" in page
    assert "meanwhile" in page
    assert "My careful note" in page
    assert f'name="version" value="{case.version}"' in page
    assert not case.events.filter(message="My careful note").exists()


def test_htmx_action_swaps_the_case_in_place(agent_client):
    case = waiting_case()

    response = agent_client.post(
        url("case_note", case), {"note": "Noted", "version": case.version}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="case-page"')
    assert "Noted" in page


def test_only_moves_the_machine_allows_are_offered(agent_client):
    case = waiting_case()

    page = agent_client.get(url("case_detail", case)).content.decode()

    assert 'value="needs_action"' in page
    assert 'value="completed"' in page
    assert 'name="to" value="preparing"' not in page


def test_a_refused_move_is_explained_and_the_reason_field_kept(agent_client):
    case = waiting_case()

    response = agent_client.post(
        url("case_move", case), {"to": S.NEEDS_ACTION, "version": case.version}
    )

    assert response.status_code == 200
    assert "Say what the provider asked for" in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.AWAITING_REVIEW


def test_complete_with_a_note(agent_client):
    case = waiting_case()

    agent_client.post(
        url("case_move", case),
        {"to": S.COMPLETED, "note": "Provider confirmed by phone.", "version": case.version},
    )

    case.refresh_from_db()
    assert case.status == S.COMPLETED
    assert case.events.filter(
        kind=CaseEvent.Kind.STATUS, message="Provider confirmed by phone."
    ).exists()


@time_machine.travel(dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC), tick=False)
def test_send_a_reminder_now_brings_the_next_rung_forward(agent_client):
    case = waiting_case()
    rung = case.reminders.get(kind=Reminder.Kind.LADDER)

    agent_client.post(url("case_reminders", case), {"action": "send_now", "version": case.version})

    rung.refresh_from_db()
    assert rung.due_at == timezone.now()
    assert rung.state == Reminder.State.SCHEDULED
    assert case.events.filter(text="Reminder requested by an agent.").exists()


def test_stop_and_snooze_from_the_case_page(agent_client):
    case = waiting_case()

    agent_client.post(url("case_reminders", case), {"action": "stop", "version": case.version})
    case.refresh_from_db()
    stale = agent_client.post(url("case_reminders", case), {"action": "resume", "version": 1})

    assert case.reminders_stopped_at is not None
    assert "meanwhile" in stale.content.decode()


def test_bulk_reports_a_case_changed_meanwhile_and_leaves_it_alone(agent_client, agent, ana_client):
    first, second, third = waiting_case(), waiting_case(), waiting_case()
    tokens = [f"{c.reference}:{c.version}" for c in (first, second, third)]
    ana_client.post(
        url("case_note", second), {"note": "Ana got here first", "version": second.version}
    )

    response = agent_client.post(
        reverse("staff:bulk"),
        {"cases": tokens, "action": "take", "next": "/staff/?queue=all"},
        follow=True,
    )

    page = response.content.decode()
    for case in (first, second, third):
        case.refresh_from_db()
    assert first.assigned_agent == agent
    assert third.assigned_agent == agent
    assert second.assigned_agent is None
    assert second.reference in page
    assert "left alone" in page
    assert first.events.filter(kind=CaseEvent.Kind.ASSIGNED).count() == 1
    assert not second.events.filter(kind=CaseEvent.Kind.ASSIGNED).exists()


def test_bulk_note_and_assign_to_another_agent(agent_client, other_agent):
    cases = [waiting_case(), waiting_case()]
    tokens = [f"{c.reference}:{c.version}" for c in cases]

    agent_client.post(
        reverse("staff:bulk"), {"cases": tokens, "action": "note", "note": "Batch chased"}
    )
    tokens = [f"{c.reference}:{c.version + 1}" for c in cases]
    agent_client.post(
        reverse("staff:bulk"), {"cases": tokens, "action": "assign", "agent": other_agent.pk}
    )

    for case in cases:
        case.refresh_from_db()
        assert case.assigned_agent == other_agent
        assert case.events.filter(visibility="internal", message="Batch chased").count() == 1


def test_bulk_never_follows_a_next_url_off_site(agent_client):
    case = waiting_case()

    response = agent_client.post(
        reverse("staff:bulk"),
        {
            "cases": [f"{case.reference}:{case.version}"],
            "action": "take",
            "next": "https://evil.example/",
        },
    )

    assert response.headers["Location"] == reverse("staff:case_list")


def test_agent_message_email_is_in_the_case_language_with_the_text(
    agent_client, mailoutbox, settings
):
    case = waiting_case(language="zh-hans")
    agent_client.post(url("case_message", case), {"message": "您好", "version": case.version})
    reminder = case.reminders.get(kind=Reminder.Kind.AGENT_MESSAGE)

    message = emails.reminder_message(reminder=reminder, now=timezone.now())

    assert "您好" in message.body
    assert message.extra_headers["Content-Language"] == "zh-hans"


@pytest.mark.parametrize(
    ("count", "language", "expected"),
    [
        (1, "en", "Done for 1 case: "),
        (2, "en", "Done for 2 cases: "),
        (1, "zh-hans", "已完成 1 个工单："),
        (2, "zh-hans", "已完成 2 个工单："),
    ],
)
def test_bulk_says_how_many_cases_in_words_that_agree(agent_client, count, language, expected):
    cases = [waiting_case() for _ in range(count)]
    agent_client.cookies["django_language"] = language

    response = agent_client.post(
        reverse("staff:bulk"),
        {"cases": [f"{c.reference}:{c.version}" for c in cases], "action": "take"},
        follow=True,
    )

    page = response.content.decode()
    assert expected + ", ".join(c.reference for c in cases) in page
    assert "(s)" not in page
