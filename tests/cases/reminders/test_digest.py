"""The agents' daily digest: once a day from its hour, each item linked into /staff/, nothing
sent on a quiet day, and never twice however many beats run."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection

from cases import tasks
from cases.models import AgentDigest, Case, CaseEvent, Reminder
from cases.reminders import digest
from tests import factories

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
SITE = "https://closeout.example"


@pytest.fixture(autouse=True)
def _digest_settings(settings):
    settings.SITE_URL = SITE
    settings.AGENT_DIGEST_HOUR = 8
    settings.AGENT_DIGEST_TIME_ZONE = "Europe/London"
    settings.AGENT_DIGEST_TO = ""


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 7, day, hour, minute, tzinfo=LONDON)


def newly_stalled(when: dt.datetime) -> Case:
    case = factories.CaseFactory(status=Case.Status.AWAITING_REVIEW, is_stalled=True)
    event = factories.CaseEventFactory(case=case, kind=CaseEvent.Kind.STALLED)
    CaseEvent.objects.filter(pk=event.pk).update(created_at=when)
    Case.objects.filter(pk=case.pk).update(last_activity_at=when)
    return case


def test_sent_once_when_run_twice_on_a_day(time_machine, mailoutbox, agent, other_customer):
    ana = factories.AgentFactory(display_name="Ana", email="ana@closeout.example")
    time_machine.move_to(at(2, 6), tick=False)
    case = newly_stalled(at(2, 3))

    time_machine.move_to(at(2, 7, 55), tick=False)
    assert tasks.send_agent_digest() == 0  # before the hour
    time_machine.move_to(at(2, 8, 0), tick=False)
    assert tasks.send_agent_digest() == 2  # one email to each agent
    time_machine.move_to(at(2, 8, 5), tick=False)
    assert tasks.send_agent_digest() == 0
    time_machine.move_to(at(2, 23, 50), tick=False)
    assert tasks.send_agent_digest() == 0

    assert sorted(m.to[0] for m in mailoutbox) == sorted([agent.email, ana.email])
    body = mailoutbox[0].body
    assert case.reference in body
    assert f"{SITE}/staff/cases/{case.reference}/" in body
    assert f"{SITE}/staff/?queue=attention" in body
    html = mailoutbox[0].alternatives[0][0]
    assert f'href="{SITE}/staff/cases/{case.reference}/"' in html
    assert other_customer.email not in [m.to[0] for m in mailoutbox]
    assert AgentDigest.objects.get().case_count == 1


def test_lists_stalled_overdue_follow_ups_and_failed_reminders(time_machine, mailoutbox, agent):
    time_machine.move_to(at(3, 5), tick=False)
    stalled = newly_stalled(at(3, 2))
    old_stall = newly_stalled(at(1, 2))  # before the last digest: not new
    AgentDigest.objects.create(day=dt.date(2026, 7, 2))
    AgentDigest.objects.filter(day=dt.date(2026, 7, 2)).update(sent_at=at(2, 8))
    follow_up = factories.CaseFactory(status=Case.Status.AWAITING_REVIEW)
    factories.ContactAttemptFactory(case=follow_up, follow_up_on=dt.date(2026, 7, 1))
    Case.objects.filter(pk=follow_up.pk).update(last_activity_at=at(1, 0) - dt.timedelta(days=2))
    failed = factories.CaseFactory(status=Case.Status.AWAITING_OPERATOR)
    factories.ReminderFactory(
        case=failed, state=Reminder.State.FAILED, due_at=at(3, 4), last_error="SMTP 554 refused"
    )
    Case.objects.filter(pk=failed.pk).update(last_activity_at=at(3, 1))
    closed = newly_stalled(at(3, 3))
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.COMPLETED)

    time_machine.move_to(at(3, 9), tick=False)
    assert digest.send_digest(now=at(3, 9)) == 1

    body = mailoutbox[0].body
    assert stalled.reference in body
    assert old_stall.reference not in body
    assert follow_up.reference in body
    assert "follow up was due 2026-07-01" in body
    assert failed.reference in body
    assert "SMTP 554 refused" in body
    assert closed.reference not in body
    assert "3 cases need attention" in mailoutbox[0].subject or "3 cases" in body


def test_nothing_to_report_sends_nothing_and_the_day_is_done(time_machine, mailoutbox, agent):
    time_machine.move_to(at(4, 8, 30), tick=False)
    assert digest.send_digest(now=at(4, 8, 30)) == 0
    assert mailoutbox == []
    assert AgentDigest.objects.get().case_count == 0

    # Something stalls later that day: tomorrow's digest has it, not a second one today.
    newly_stalled(at(4, 10))
    time_machine.move_to(at(4, 11), tick=False)
    assert digest.send_digest(now=at(4, 11)) == 0
    time_machine.move_to(at(5, 8), tick=False)
    assert digest.send_digest(now=at(5, 8)) == 1


def test_a_team_address_gets_one_email(settings, time_machine, mailoutbox, agent):
    settings.AGENT_DIGEST_TO = "support-team@closeout.example"
    factories.AgentFactory()
    time_machine.move_to(at(6, 9), tick=False)
    newly_stalled(at(6, 1))

    assert digest.send_digest(now=at(6, 9)) == 1
    assert [m.to for m in mailoutbox] == [["support-team@closeout.example"]]


def test_the_digest_reads_in_each_agents_language(time_machine, mailoutbox):
    factories.AgentFactory(preferred_language="zh-hans")
    time_machine.move_to(at(7, 9), tick=False)
    newly_stalled(at(7, 1))

    digest.send_digest(now=at(7, 9))

    assert "新停滞的工单" in mailoutbox[0].body


class FailingBackend(EmailBackend):
    def send_messages(self, messages):
        raise OSError("mail server down")


def test_a_mail_failure_leaves_the_day_open_for_the_next_run(settings, time_machine, agent):
    time_machine.move_to(at(8, 9), tick=False)
    newly_stalled(at(8, 1))
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}

    with pytest.raises(OSError, match="mail server down"):
        digest.send_digest(now=at(8, 9))

    assert not AgentDigest.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_send_one_digest(time_machine, mailoutbox, agent):
    time_machine.move_to(at(9, 9), tick=False)
    newly_stalled(at(9, 1))
    results: list[int] = []
    barrier = threading.Barrier(2)

    def beat() -> None:
        barrier.wait()
        try:
            results.append(digest.send_digest(now=at(9, 9)))
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 1]
    assert len(mailoutbox) == 1
    assert AgentDigest.objects.count() == 1
