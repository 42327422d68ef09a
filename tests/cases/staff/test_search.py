"""Search dispatches on what was typed, each kind through an index, and says which ran."""

import pytest
from django.urls import reverse

from cases.staff import search, selectors
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("CX-4K7M-2QPD", search.Kind.REFERENCE, "CX-4K7M-2QPD"),
        ("cx-4k7m-2qpd", search.Kind.REFERENCE, "CX-4K7M-2QPD"),
        ("CX4K7M2QPD", search.Kind.REFERENCE, "CX-4K7M-2QPD"),
        ("4k7m2qpd", search.Kind.REFERENCE, "CX-4K7M-2QPD"),
        (" 4K7M-2QPD ", search.Kind.REFERENCE, "CX-4K7M-2QPD"),
        ("Ana.Li@Exam", search.Kind.EMAIL, "ana.li@exam"),
        ("a@", search.Kind.TOO_SHORT, "a@"),
        ("0123", search.Kind.PHONE, "0123"),
        ("07700 900-123", search.Kind.PHONE, "07700900123"),
        ("+44 7700 900123", search.Kind.PHONE, "447700900123"),
        ("123", search.Kind.PROVIDER_REFERENCE, "123"),
        ("REQ 2024/77", search.Kind.PROVIDER_REFERENCE, "REQ 2024/77"),
        ("REQ-2024-77", search.Kind.WORD, "req-2024-77"),
        ("li.wei", search.Kind.WORD, "li.wei"),
        ("Alice", search.Kind.WORD, "alice"),
        ("cx-4k7m", search.Kind.REFERENCE_START, "CX-4K7M"),
        ("CX-4K7M-2Q", search.Kind.REFERENCE_START, "CX-4K7M-2Q"),
        ("cx4k7m2", search.Kind.REFERENCE_START, "CX-4K7M-2"),
    ],
)
def test_the_shape_of_the_term_picks_the_search(typed, kind, value):
    term = search.parse(typed)

    assert (term.kind, term.value) == (kind, value)


def found(typed: str) -> set[str]:
    return set(selectors.search_cases(search.parse(typed)).values_list("reference", flat=True))


def test_reference_with_or_without_dashes_in_any_case_finds_exactly_that_case():
    case, _other = factories.CaseFactory(), factories.CaseFactory()
    bare = case.reference.replace("-", "")

    assert found(case.reference) == {case.reference}
    assert found(bare.lower()) == {case.reference}
    assert found(bare[2:]) == {case.reference}


def test_email_prefix_finds_the_owners_cases():
    ana = factories.UserFactory(email="ana.li@example.com")
    mine = factories.CaseFactory(owner=ana)
    factories.CaseFactory(owner=factories.UserFactory(email="bob@example.com"))

    assert found("ANA.LI@EX") == {mine.reference}
    assert found("ana.li@example.com") == {mine.reference}
    assert found("zed@") == set()


def test_last_digits_find_the_phone_number_in_any_national_or_international_form():
    case = factories.CaseFactory(phone_number="+447700900123")
    factories.CaseFactory(phone_number="+447700900999")
    factories.CaseFactory(phone_number="+447711110123")  # same last 4, other number

    assert case.reference in found("0123")
    assert len(found("0123")) == 2
    assert found("900123") == {case.reference}
    assert found("07700 900123") == {case.reference}
    assert found("+44 7700 900123") == {case.reference}


def test_provider_reference_is_exact():
    case = factories.CaseFactory(provider_reference="REQ-2024-77")

    assert found("REQ-2024-77") == {case.reference}
    assert found("REQ-2024") == set()


def test_a_word_without_at_finds_the_emails_starting_with_it():
    wei = factories.CaseFactory(owner=factories.UserFactory(email="li.wei@example.cn"))
    alice = factories.CaseFactory(owner=factories.UserFactory(email="alice.w@example.com"))
    factories.CaseFactory(owner=factories.UserFactory(email="bob@example.com"))

    assert found("li.wei") == {wei.reference}
    assert found("Alice") == {alice.reference}
    assert found("alice.w@") == {alice.reference}


def test_a_word_is_also_a_provider_reference():
    by_ref = factories.CaseFactory(provider_reference="alice")
    by_email = factories.CaseFactory(owner=factories.UserFactory(email="alice@example.com"))

    assert found("alice") == {by_ref.reference, by_email.reference}


def test_the_start_of_a_case_reference_finds_the_cases_it_begins():
    case = factories.CaseFactory(reference="CX-4K7M-2QPD")
    near = factories.CaseFactory(reference="CX-4K7M-9ZZZ")
    factories.CaseFactory(reference="CX-5K7M-2QPD")

    assert found("CX-4K7M") == {case.reference, near.reference}
    assert found("cx-4k7m-2q") == {case.reference}
    assert found("4K7M-2Q") == {case.reference}  # without "CX", 4 characters or more


def test_the_page_says_what_a_word_searched(agent_client):
    case = factories.CaseFactory(owner=factories.UserFactory(email="li.wei@example.cn"))

    page = agent_client.get(reverse("staff:case_list"), {"q": "li.wei"}).content.decode()

    assert "Searched emails starting with “li.wei” and provider's references “li.wei”" in page
    assert case.reference in page


def test_the_page_says_it_searched_reference_starts(agent_client):
    case = factories.CaseFactory(reference="CX-4K7M-2QPD")

    page = agent_client.get(reverse("staff:case_list"), {"q": "cx-4k7m"}).content.decode()

    assert "Searched by case references starting with CX-4K7M" in page
    assert case.reference in page


def test_the_page_says_which_search_ran_and_finds_the_case(agent_client):
    case = factories.CaseFactory(provider_reference="REQ 2024/77")

    by_ref = agent_client.get(reverse("staff:case_list"), {"q": case.reference.lower()})
    by_provider_ref = agent_client.get(reverse("staff:case_list"), {"q": "REQ 2024/77"})

    assert f"Searched by case reference: {case.reference}" in by_ref.content.decode()
    assert case.reference in by_ref.content.decode()
    assert "Searched by provider's reference: REQ 2024/77" in by_provider_ref.content.decode()
    assert case.reference in by_provider_ref.content.decode()


def test_nothing_found_says_so_plainly(agent_client):
    page = agent_client.get(reverse("staff:case_list"), {"q": "nobody@nowhere"}).content.decode()

    assert "Searched by email address starting with “nobody@nowhere”" in page
    assert "No case found." in page


def test_htmx_search_swaps_only_the_table(agent_client):
    response = agent_client.get(reverse("staff:case_list"), {"q": "0123"}, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert page.lstrip().startswith('<section id="case-table"')
    assert "<html" not in page
