from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cases.selectors import my_cases
from config.keyset import decode_cursor
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/my-cases/"


def cases_for(owner, count: int) -> list[Case]:
    """`count` cases, one minute apart, oldest first."""
    start = timezone.now() - timedelta(days=1)
    cases = factories.CaseFactory.create_batch(count, owner=owner)
    for n, case in enumerate(cases):
        Case.objects.filter(pk=case.pk).update(created_at=start + timedelta(minutes=n))
    return list(Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("created_at"))


def test_needs_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/?next=")


def test_shows_only_own_cases_newest_first(client, customer, other_customer):
    older, newer = cases_for(customer, 2)
    strangers = factories.CaseFactory(owner=other_customer)
    client.force_login(customer)

    response = client.get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert newer.reference in page
    assert older.reference in page
    assert page.index(newer.reference) < page.index(older.reference)
    assert strangers.reference not in page
    assert newer.provider.name in page
    assert "Preparing" in page


def test_links_each_case_to_its_page(client, customer):
    case = factories.CaseFactory(owner=customer)
    client.force_login(customer)
    url = reverse("cases:detail", kwargs={"ref": case.reference})

    assert f'href="{url}"' in client.get(URL).content.decode()


def test_a_customer_with_cases_can_start_another(client, customer):
    factories.CaseFactory(owner=customer)
    client.force_login(customer)

    page = client.get(URL).content.decode()

    assert f'href="{reverse("cases:start")}">Start a cancellation' in page


def test_empty_state_offers_a_start(client, customer):
    client.force_login(customer)

    response = client.get(URL)

    assert "You have no cases yet" in response.content.decode()
    assert f'href="{reverse("cases:start")}">Start a cancellation' in response.content.decode()


def test_older_cases_follow_by_cursor_without_repeats(customer):
    cases = cases_for(customer, 5)

    first = my_cases(user=customer, size=2)
    second = my_cases(user=customer, cursor=first.next_cursor, size=2)
    third = my_cases(user=customer, cursor=second.next_cursor, size=2)

    assert first.cases == [cases[4], cases[3]]
    assert second.cases == [cases[2], cases[1]]
    assert third.cases == [cases[0]]
    assert third.next_cursor == ""


def test_cases_made_in_the_same_instant_are_not_skipped(customer):
    same = factories.CaseFactory.create_batch(3, owner=customer)
    Case.objects.filter(pk__in=[c.pk for c in same]).update(created_at=timezone.now())

    first = my_cases(user=customer, size=2)
    second = my_cases(user=customer, cursor=first.next_cursor, size=2)

    assert {c.pk for c in first.cases + second.cases} == {c.pk for c in same}


def test_older_cases_link_on_the_page(client, customer, settings):
    cases_for(customer, 21)
    client.force_login(customer)

    page = client.get(URL).content.decode()

    assert "Older cases" in page
    assert "?after=" in page


def test_a_garbled_cursor_shows_the_first_page(client, customer):
    case = factories.CaseFactory(owner=customer)
    client.force_login(customer)

    response = client.get(URL, {"after": "not-a-cursor!"})

    assert response.status_code == 200
    assert case.reference in response.content.decode()
    assert decode_cursor("bm9wZQ") is None


@pytest.mark.parametrize("count", [1, 30])
def test_query_count_is_fixed(client, customer, count, django_assert_max_num_queries):
    cases_for(customer, count)
    client.force_login(customer)

    with django_assert_max_num_queries(3):
        response = client.get(URL)

    assert response.status_code == 200


def test_nav_has_my_cases_when_signed_in(client, customer):
    assert 'href="/my-cases/"' not in client.get("/accounts/login/").content.decode()
    client.force_login(customer)

    assert 'href="/my-cases/"' in client.get("/accounts/preferences/").content.decode()
