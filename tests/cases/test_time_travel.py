"""manage.py advance_case: a developer or a demo makes days pass for one case, so its
reminders, stall and escalation show now; refused on a production site (DEBUG off)."""

import contextlib
import datetime as dt
import io
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from cases.models import Case, CaseEvent, Reminder
from cases.reminders import sweep as reminder_sweep
from tests.cases.reminders.helpers import waiting_case

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2031, 3, 3, 12, 0, tzinfo=dt.UTC)  # a Monday noon in London


def advance(*args) -> str:
    out = io.StringIO()
    call_command("advance_case", *args, stdout=out)
    return out.getvalue()


def sweep_now(capture) -> list[int]:
    queued: list[int] = []

    @contextlib.contextmanager
    def send_queue():
        yield lambda reminder_id, lease: queued.append(reminder_id)

    with capture(execute=True):
        reminder_sweep.sweep(send_queue=send_queue, now=NOW)
    return queued


@time_machine.travel(NOW, tick=False)
def test_days_pass_for_the_case_and_the_sweep_sends_its_reminder(
    settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    case = waiting_case()
    first = Reminder.objects.get(case=case)
    assert first.due_at > NOW
    assert sweep_now(django_capture_on_commit_callbacks) == []

    output = advance(case.reference.lower(), "--days", "8")

    case.refresh_from_db()
    first.refresh_from_db()
    assert f"{case.reference}: 8 days passed; 1 reminder(s) due." in output
    assert case.waiting_since == NOW - dt.timedelta(days=8)
    assert first.period_started_at == case.waiting_since  # still this waiting period's rung
    assert sweep_now(django_capture_on_commit_callbacks) == [first.pk]
    assert case.events.filter(
        visibility=CaseEvent.Visibility.INTERNAL, text__startswith="Clock moved"
    ).exists()


@time_machine.travel(NOW, tick=False)
def test_a_case_past_its_stall_time_is_flagged_by_the_next_sweep(
    settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    case = waiting_case()

    advance(case.reference, "--days", "30")
    sweep_now(django_capture_on_commit_callbacks)

    assert Case.objects.get(pk=case.pk).is_stalled


@time_machine.travel(NOW, tick=False)
def test_due_now_brings_the_pending_reminders_forward_only(
    settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    case = waiting_case()

    output = advance(case.reference, "--due-now")

    assert "pending reminders due now; 1 reminder(s) due." in output
    assert Case.objects.get(pk=case.pk).waiting_since == NOW
    assert len(sweep_now(django_capture_on_commit_callbacks)) == 1


def test_it_is_refused_with_debug_off(settings):
    settings.DEBUG = False
    case = waiting_case()
    before = Reminder.objects.get(case=case).due_at

    with pytest.raises(CommandError, match="refused with DEBUG off"):
        advance(case.reference, "--days", "8")

    assert Reminder.objects.get(case=case).due_at == before


def test_it_asks_for_days_or_due_now_and_a_known_case(settings):
    settings.DEBUG = True
    case = waiting_case()
    with pytest.raises(CommandError, match="either --days"):
        advance(case.reference)
    with pytest.raises(CommandError, match="No case"):
        advance("CX-2222-2222", "--days", "1")


def test_the_readme_says_how_to_make_time_pass():
    readme = (Path(django_settings.BASE_DIR) / "README.md").read_text()

    assert "manage.py advance_case" in readme
