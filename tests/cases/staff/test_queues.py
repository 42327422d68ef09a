"""What each queue holds, its capped count, keyset pages and the 30-second change check."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Reminder
from cases.reminders import attention
from cases.staff import selectors
from tests import factories
from tests.cases.staff.conftest import stalled_case, waiting_case

pytestmark = pytest.mark.django_db
S = Case.Status


def refs(queue: str, agent) -> set[str]:
    cases = selectors.queue_cases(selectors.QUEUES_BY_SLUG[queue], agent=agent, now=timezone.now())
    return set(cases.values_list("reference", flat=True))


def test_needs_attention_holds_what_needs_a_human(agent):
    stalled = stalled_case()
    needs_action = factories.CaseFactory(status=S.NEEDS_ACTION)
    failed = waiting_case()
    factories.ReminderFactory(
        case=failed, state=Reminder.State.FAILED, due_at=timezone.now() + dt.timedelta(minutes=1)
    )
    overdue = waiting_case()
    factories.ContactAttemptFactory(
        case=overdue, follow_up_on=timezone.localdate() - dt.timedelta(days=1)
    )
    Case.objects.filter(pk=overdue.pk).update(last_activity_at=timezone.now() - dt.timedelta(3))
    quiet = waiting_case()
    closed = factories.CaseFactory(status=S.COMPLETED, is_stalled=True)

    found = refs("attention", agent)

    assert {stalled.reference, needs_action.reference, failed.reference, overdue.reference} <= found
    assert quiet.reference not in found
    assert closed.reference not in found


def test_a_failed_reminder_leaves_the_queue_once_someone_acts_on_the_case(agent):
    case = waiting_case()
    factories.ReminderFactory(
        case=case, state=Reminder.State.FAILED, due_at=timezone.now() - dt.timedelta(days=1)
    )

    assert case.reference not in refs("attention", agent)


def test_mine_unassigned_review_operator_completed_all(agent, other_agent):
    mine = waiting_case(assigned_agent=agent)
    theirs = waiting_case(assigned_agent=other_agent)
    nobody = waiting_case()
    operator = factories.CaseFactory(status=S.AWAITING_OPERATOR)
    done = factories.CaseFactory(status=S.COMPLETED, completed_at=timezone.now())
    long_done = factories.CaseFactory(
        status=S.COMPLETED, completed_at=timezone.now() - dt.timedelta(days=30)
    )
    draft = factories.CaseFactory(status=S.DRAFT)

    assert refs("mine", agent) == {mine.reference}
    assert nobody.reference in refs("unassigned", agent)
    assert theirs.reference not in refs("unassigned", agent)
    assert {mine.reference, theirs.reference, nobody.reference} <= refs("review", agent)
    assert refs("operator", agent) == {operator.reference}
    assert refs("completed", agent) == {done.reference}
    assert long_done.reference in refs("all", agent)
    assert draft.reference not in refs("all", agent)


def test_counts_load_after_the_page_and_are_capped(agent_client, settings, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    for _ in range(5):
        factories.CaseFactory(status=S.NEEDS_ACTION)

    page = agent_client.get(reverse("staff:case_list")).content.decode()
    counts = agent_client.get(reverse("staff:queue_counts"), HTTP_HX_REQUEST="true")

    assert 'hx-get="/staff/counts/' in page
    assert "3+" in counts.content.decode()


def test_keyset_pages_never_repeat_or_skip_a_case(agent_client):
    cases = [factories.CaseFactory(status=S.IN_PROGRESS) for _ in range(30)]
    seen, query = [], {"queue": "all", "sort": "created", "size": "25"}
    response = agent_client.get(reverse("staff:case_list"), query)
    seen += response.context["page"].rows
    cursor = response.context["page"].next_cursor
    assert cursor
    response = agent_client.get(reverse("staff:case_list"), {**query, "after": cursor})
    seen += response.context["page"].rows

    assert [row.case.pk for row in seen] == [case.pk for case in reversed(cases)]
    assert response.context["page"].next_cursor == ""


def test_filters_and_sort_live_in_the_url(agent_client, provider):
    wanted = factories.CaseFactory(status=S.NEEDS_ACTION, provider=provider)
    factories.CaseFactory(status=S.NEEDS_ACTION)
    factories.CaseFactory(status=S.IN_PROGRESS, provider=provider)

    response = agent_client.get(
        reverse("staff:case_list"),
        {"queue": "all", "status": "needs_action", "provider": provider.pk, "sort": "oldest"},
    )

    assert [row.case for row in response.context["page"].rows] == [wanted]
    assert response.context["sort"] == "oldest"


def test_change_check_counts_cases_updated_since_the_list_was_shown(agent_client):
    shown_at = timezone.now()
    factories.CaseFactory(status=S.NEEDS_ACTION)
    Case.objects.update(last_activity_at=shown_at + dt.timedelta(seconds=5))

    response = agent_client.get(
        reverse("staff:list_changes"),
        {"queue": "attention", "since": shown_at.isoformat()},
        HTTP_HX_REQUEST="true",
    )
    quiet = agent_client.get(
        reverse("staff:list_changes"),
        {"queue": "attention", "since": (shown_at + dt.timedelta(minutes=1)).isoformat()},
    )

    assert "1 case updated" in response.content.decode()
    assert "refresh" in response.content.decode()
    assert "updated" not in quiet.content.decode()


def test_needs_attention_pages_cover_every_case_once_in_order(agent_client):
    # Flagged cases and failed-reminder cases interleave in time; a stalled case with a failed
    # reminder is in both parts of the queue and must still show once.
    now = timezone.now()
    expected = []
    for n in range(30):
        case = stalled_case() if n % 3 else waiting_case()
        if n % 3 != 1:
            factories.ReminderFactory(
                case=case, state=Reminder.State.FAILED, due_at=now + dt.timedelta(days=1)
            )
        Case.objects.filter(pk=case.pk).update(last_activity_at=now - dt.timedelta(hours=n))
        expected.append(case.reference)

    shown, cursor = [], ""
    for _ in range(3):
        response = agent_client.get(
            reverse("staff:case_list"), {"queue": "attention", "after": cursor} if cursor else {}
        )
        page = response.context["page"]
        shown += [row.case.reference for row in page.rows]
        cursor = page.next_cursor
        if not cursor:
            break

    # Quiet longest first: the case idle for 29 hours leads.
    assert shown == list(reversed(expected))


def test_needs_attention_looks_back_a_month_for_failures_and_follow_ups(agent):
    now = timezone.now()
    long_ago = now - dt.timedelta(days=attention.LOOKBACK_DAYS + 5)
    old_failure = factories.CaseFactory(status=S.PREPARING)
    factories.ReminderFactory(case=old_failure, state=Reminder.State.FAILED, due_at=long_ago)
    old_follow_up = factories.CaseFactory(status=S.PREPARING)
    factories.ContactAttemptFactory(case=old_follow_up, follow_up_on=long_ago.date())
    Case.objects.filter(pk__in=[old_failure.pk, old_follow_up.pk]).update(
        last_activity_at=long_ago - dt.timedelta(days=1)
    )

    found = refs("attention", agent)

    assert old_failure.reference not in found
    assert old_follow_up.reference not in found
