"""The staff pages' query counts stay fixed whatever the rows, steps, events and reminders."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import CaseEvent, Reminder
from cases.staff import selectors
from tests import factories
from tests.cases.staff.conftest import stalled_case, waiting_case

pytestmark = pytest.mark.django_db

# Each includes one read of the reminder heartbeats ("reminders are not being sent"); none
# asks for the agent's group or authenticator: the session remembers them.
LIST_MAX = 9
DETAIL_MAX = 12


def queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def add_cases(count: int, agent) -> list:
    cases = []
    for n in range(count):
        case = stalled_case(assigned_agent=agent if n % 2 else None)
        factories.ReminderFactory(case=case, state=Reminder.State.FAILED)
        cases.append(case)
    return cases


@pytest.mark.parametrize("queue", [queue.slug for queue in selectors.QUEUES])
def test_each_queue_page_costs_the_same_for_2_or_30_rows(agent_client, agent, queue):
    url = reverse("staff:case_list")
    add_cases(2, agent)
    few = queries(agent_client, url, queue=queue)
    add_cases(28, agent)
    many = queries(agent_client, url, queue=queue)

    assert few == many
    assert many <= LIST_MAX


def test_filtered_list_and_next_page(agent_client, agent, provider, django_assert_max_num_queries):
    add_cases(30, agent)
    url = reverse("staff:case_list")
    first = agent_client.get(url, {"queue": "all"})
    with django_assert_max_num_queries(LIST_MAX):
        agent_client.get(url, {"queue": "all", "after": first.context["page"].next_cursor})
    with django_assert_max_num_queries(LIST_MAX):
        agent_client.get(
            url,
            {
                "queue": "all",
                "status": "awaiting_review",
                "provider": provider.pk,
                "agent": agent.pk,
            },
        )


@pytest.mark.parametrize("kind", ["reference", "email", "phone", "provider_reference"])
def test_each_search_costs_the_same_whatever_it_finds(agent_client, agent, kind):
    cases = add_cases(3, agent)
    cases[0].provider_reference = "REQ-1"
    cases[0].save()
    terms = {
        "reference": cases[0].reference,
        "email": cases[0].owner.email[:6],
        "phone": "0123",
        "provider_reference": "REQ-1",
    }
    few = queries(agent_client, reverse("staff:case_list"), q=terms[kind])
    for case in add_cases(20, agent):
        case.provider_reference = "REQ-1"
        case.save()
    many = queries(agent_client, reverse("staff:case_list"), q=terms[kind])

    assert few == many <= LIST_MAX


@pytest.mark.parametrize("typed", ["li.wei", "CX-4K7M", "4K7M-2Q"])
def test_a_word_or_a_reference_start_costs_the_same_whatever_it_finds(agent_client, agent, typed):
    """A word is three searches (email start, provider's reference, reference start), each a
    query through its own index."""

    def add(count: int, first: int) -> None:
        for number in range(first, first + count):
            owner = factories.UserFactory(email=f"li.wei{number}@example.cn")
            reference = f"CX-4K7M-2Q{'23456789ABCDEFGHJKMNPQRSTVWXYZ'[number]}{number % 8 + 2}"
            factories.CaseFactory(owner=owner, reference=reference, provider_reference="li.wei")

    add(2, 0)
    few = queries(agent_client, reverse("staff:case_list"), q=typed)
    add(20, 2)
    many = queries(agent_client, reverse("staff:case_list"), q=typed)

    assert few == many <= LIST_MAX + 2


def test_counts_and_change_check(agent_client, agent, django_assert_max_num_queries):
    add_cases(5, agent)
    with django_assert_max_num_queries(len(selectors.QUEUES) + 2):
        agent_client.get(reverse("staff:queue_counts"))
    with django_assert_max_num_queries(LIST_MAX):
        agent_client.get(reverse("staff:list_changes"), {"since": "2020-01-01T00:00:00+00:00"})


def test_case_page_costs_the_same_for_a_small_and_a_huge_case(agent_client, agent):
    small = waiting_case()
    big = waiting_case(assigned_agent=agent)
    for n in range(15):
        factories.CaseStepFactory(case=big, position=100 + n, note="noted")
    for _ in range(150):
        factories.CaseEventFactory(case=big, actor=agent, visibility=CaseEvent.Visibility.INTERNAL)
    for n in range(12):
        factories.ReminderFactory(case=big, sequence=n + 1, state=Reminder.State.SENT)
    for _ in range(3):
        factories.ContactAttemptFactory(case=big)
        factories.EvidenceFactory(case=big)
    factories.ContactChannelFactory.create_batch(4, provider=big.provider)

    small_count = queries(
        agent_client, reverse("staff:case_detail", kwargs={"ref": small.reference})
    )
    big_count = queries(agent_client, reverse("staff:case_detail", kwargs={"ref": big.reference}))

    # The huge case reads its status changes once more: its timeline preview is cut short.
    assert big_count <= small_count + 1
    assert big_count <= DETAIL_MAX
