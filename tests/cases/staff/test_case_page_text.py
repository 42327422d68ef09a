"""What the staff case page says: one date format per language with the zone where it is not
the agent's, the true next send after a snooze, and timeline lines that read as what happened."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, Reminder
from cases.reminders import controls, send
from tests import factories
from tests.cases.staff.conftest import waiting_case

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 13, 2, tzinfo=dt.UTC)


def url(name: str, case: Case) -> str:
    return reverse(f"staff:{name}", kwargs={"ref": case.reference})


def section(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}"')[1].split("</section>")[0]


@time_machine.travel(NOW, tick=False)
def test_the_case_page_uses_one_date_format_with_24_hour_times(agent_client):
    case = waiting_case()

    page = agent_client.get(url("case_detail", case)).content.decode()

    assert "Dec. 7, 2026, 13:02" in page
    assert "p.m." not in page
    assert "12/07/2026" not in page


@time_machine.travel(NOW, tick=False)
def test_the_chinese_case_page_uses_the_chinese_format(agent_client):
    case = waiting_case()

    page = agent_client.get(url("case_detail", case), HTTP_ACCEPT_LANGUAGE="zh-hans").text

    assert "2026年12月7日 13:02" in page
    assert "Dec." not in page


@time_machine.travel(NOW, tick=False)
def test_a_held_reminder_shows_its_time_in_the_customers_zone_named(agent_client, agent):
    agent.time_zone = "Europe/London"
    agent.save()
    case = waiting_case(time_zone="Asia/Shanghai")
    Reminder.objects.filter(case=case).delete()
    # Due at midnight UTC: 08:00 in Shanghai, the start of the customer's mail hours.
    factories.ReminderFactory(case=case, due_at=dt.datetime(2026, 12, 8, 0, 0, tzinfo=dt.UTC))

    english = section(agent_client.get(url("case_detail", case)).text, "outbox-heading")
    chinese = section(
        agent_client.get(url("case_detail", case), HTTP_ACCEPT_LANGUAGE="zh-hans").text,
        "outbox-heading",
    )

    assert "Dec. 8, 2026, 08:00 (Asia/Shanghai)" in english
    assert "midnight" not in english
    assert "2026年12月8日 08:00（亚洲/上海）" in chinese


@time_machine.travel(NOW, tick=False)
def test_the_zone_is_left_out_when_it_is_the_agents_own(agent_client, agent):
    agent.time_zone = "Asia/Shanghai"
    agent.save()
    case = waiting_case(time_zone="Asia/Shanghai")
    Reminder.objects.filter(case=case).delete()
    factories.ReminderFactory(case=case, due_at=dt.datetime(2026, 12, 8, 0, 0, tzinfo=dt.UTC))

    outbox = section(agent_client.get(url("case_detail", case)).text, "outbox-heading")

    assert "Dec. 8, 2026, 08:00" in outbox
    assert "(Asia/Shanghai)" not in outbox


@time_machine.travel(NOW, tick=False)
def test_after_stop_and_resume_a_snoozed_case_shows_its_true_next_send(agent_client, agent):
    case = waiting_case()
    snooze_end = dt.datetime(2026, 12, 20, 8, 0, tzinfo=dt.UTC)  # 08:00 in London
    controls.snooze_reminders(case=case, until=snooze_end, by=agent, version=case.version)
    case = Case.objects.get(pk=case.pk)
    controls.stop_reminders(case=case, by=agent, version=case.version)
    case = Case.objects.get(pk=case.pk)
    controls.resume_reminders(case=case, by=agent, version=case.version)
    pending = Reminder.objects.get(case=case, state=Reminder.State.SCHEDULED)
    assert pending.due_at < snooze_end  # the row still says the usual interval

    outbox = section(agent_client.get(url("case_detail", case)).text, "outbox-heading")

    assert "Snoozed until Dec. 20, 2026." in outbox
    next_due = outbox.split("Next due")[1].split("</dd>")[0]
    assert "Dec. 20, 2026, 08:00" in next_due
    assert f"{pending.due_at:%b}. {pending.due_at.day}," not in next_due


@time_machine.travel(NOW, tick=False)
def test_timeline_lines_read_as_what_happened(agent_client):
    case = waiting_case()
    agent_client.post(url("case_note", case), {"note": "Called them.", "version": case.version})
    case.refresh_from_db()
    agent_client.post(url("case_message", case), {"message": "We chased.", "version": case.version})

    timeline = section(agent_client.get(url("case_detail", case)).text, "timeline-heading")

    assert "Message to the customer: We chased." in timeline
    assert "Message from Closeout support" not in timeline
    assert "Note: Called them." in timeline
    assert "Internal note" not in timeline
    chinese = section(
        agent_client.get(url("case_detail", case), HTTP_ACCEPT_LANGUAGE="zh-hans").text,
        "timeline-heading",
    )
    assert "发给客户的消息：We chased." in chinese


@time_machine.travel(NOW, tick=False)
def test_a_sent_agent_message_is_not_called_a_reminder_on_the_customers_timeline(agent_client):
    case = waiting_case()
    agent_client.post(url("case_message", case), {"message": "We chased.", "version": case.version})
    message = Reminder.objects.get(case=case, kind=Reminder.Kind.AGENT_MESSAGE)
    lease = timezone.now()
    Reminder.objects.filter(pk=message.pk).update(state=Reminder.State.SENDING, sending_since=lease)

    assert send.send_reminder(reminder_id=message.pk, lease=lease) == send.Sent.SENT

    client = Client()
    client.force_login(case.owner)
    customer = client.get(reverse("cases:timeline", kwargs={"ref": case.reference})).text
    staff = section(agent_client.get(url("case_detail", case)).text, "timeline-heading")
    assert "Message from Closeout support: We chased." in customer
    assert "Reminder email sent." not in customer
    assert "Message emailed to the customer." in staff
    assert case.events.filter(kind=CaseEvent.Kind.REMINDER).get().visibility == "internal"


def test_a_contacts_finding_is_named_in_words(agent_client):
    case = waiting_case()
    factories.ContactAttemptFactory(
        case=case, created_by=case.owner, channel_text="wa.me/85291234567",
        scam_verdict={"findings": [{"code": "messaging_handle", "value": "wa.me/85291234567"}]},
    )  # fmt: skip

    contacts = section(agent_client.get(url("case_detail", case)).text, "contacts")

    assert "Messaging-app handle or link" in contacts
    assert "messaging_handle" not in contacts
