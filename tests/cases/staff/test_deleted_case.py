"""A case its customer deleted: on the staff side a read-only record, out of every queue."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.evidence import services as evidence_services
from cases.models import Case, CaseEvent
from cases.staff import selectors
from cases.transitions import TransitionNotAllowed
from tests import factories
from tests.cases.evidence import samples
from tests.cases.evidence.test_proof_pack import add_evidence

pytestmark = pytest.mark.django_db
S = Case.Status


def deleted_case(*, with_file: bool = False) -> Case:
    customer = factories.UserFactory()
    case = factories.CaseFactory(owner=customer, status=S.COMPLETED, completed_at=timezone.now())
    if with_file:
        add_evidence(case, samples.pdf_document(), "bill.pdf")
        case.refresh_from_db()
    return evidence_services.delete_case(case=case, by=customer, version=case.version)


def queue(slug: str, agent) -> set[str]:
    found = selectors.queue_cases(selectors.QUEUES_BY_SLUG[slug], agent=agent, now=timezone.now())
    return set(found.values_list("reference", flat=True))


def test_a_deleted_case_leaves_completed_recently_and_all_but_search_finds_it(agent_client, agent):
    deleted = deleted_case()
    kept = factories.CaseFactory(status=S.COMPLETED, completed_at=timezone.now())

    assert deleted.reference not in queue("completed", agent) | queue("all", agent)
    assert kept.reference in queue("completed", agent) & queue("all", agent)
    page = agent_client.get(reverse("staff:case_list"), {"queue": "all"}).content.decode()
    assert deleted.reference not in page
    found = agent_client.get(reverse("staff:case_list"), {"q": deleted.reference})
    assert deleted.reference in found.content.decode()


def test_the_staff_page_of_a_deleted_case_says_what_is_kept_and_offers_no_action(
    agent_client, django_assert_max_num_queries
):
    case = deleted_case()

    with django_assert_max_num_queries(14):
        response = agent_client.get(reverse("staff:case_detail", args=[case.reference]))

    page = response.content.decode()
    assert "Deleted by the customer" in page
    assert "What is kept" in page
    assert "It had no files." in page
    assert "not saved to an account yet" not in page
    assert "with 0 files" not in page
    assert "Their SHA-256: ·" not in page
    for action in ("case_assign", "case_note", "case_message", "case_move", "case_reminders"):
        assert reverse(f"staff:{action}", args=[case.reference]) not in page, action
    assert reverse("staff:contact_new", args=[case.reference]) not in page


def test_a_deleted_case_with_files_keeps_their_hashes_on_its_page(agent_client):
    case = deleted_case(with_file=True)
    event = case.events.get(kind=CaseEvent.Kind.CASE_DELETED)

    page = agent_client.get(reverse("staff:case_detail", args=[case.reference])).content.decode()

    assert event.text_params["hashes"].split(" ")[-1] in page
    assert "files" not in event.text or "%(count)s" not in event.text


def test_nothing_can_change_a_deleted_case(agent_client, agent):
    case = deleted_case()
    version = case.version

    for name, data in (
        ("case_note", {"version": version, "note": "Still here?"}),
        ("case_move", {"version": version, "to": S.NEEDS_ACTION, "note": "Still charged"}),
        ("case_assign", {"version": version, "action": "take"}),
    ):
        agent_client.post(reverse(f"staff:{name}", args=[case.reference]), data)

    case.refresh_from_db()
    assert case.version == version
    assert case.status == S.COMPLETED
    assert case.assigned_agent is None
    assert list(case.events.values_list("kind", flat=True)) == [CaseEvent.Kind.CASE_DELETED]
    with pytest.raises(TransitionNotAllowed):
        services.move_case(case=case, to=S.NEEDS_ACTION, by=agent, version=version, note="x")


def test_the_customer_is_told_their_case_was_deleted(client):
    customer = factories.UserFactory()
    case = factories.CaseFactory(owner=customer, status=S.COMPLETED, completed_at=timezone.now())
    client.force_login(customer)

    response = client.post(
        reverse("evidence:delete_case", args=[case.reference]),
        {"version": case.version},
        follow=True,
    )

    assert f"Case {case.reference} is deleted" in response.content.decode()
