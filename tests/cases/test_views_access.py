"""Access, caching and query counts on every page that takes a case reference."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from tests import factories
from tests.cases.test_views_journey import build_case

pytestmark = pytest.mark.django_db
S = Case.Status

# (url name, extra kwargs, method): every customer URL that takes a reference.
CASE_URLS = [
    ("kind", {}, "get"),
    ("kind", {}, "post"),
    ("discard", {}, "post"),
    ("keep_number", {}, "get"),
    ("keep_number", {}, "post"),
    ("porting", {}, "get"),
    ("provider", {}, "get"),
    ("provider", {}, "post"),
    ("line_details", {}, "get"),
    ("line_details", {}, "post"),
    ("save", {}, "get"),
    ("save", {}, "post"),
    ("detail", {}, "get"),
    ("timeline", {}, "get"),
    ("precautions", {}, "get"),
    ("precautions", {}, "post"),
    ("start_steps", {}, "post"),
    ("step", {"number": 1}, "get"),
    ("step", {"number": 1}, "post"),
    ("outcome", {}, "post"),
    ("billing_check", {}, "post"),
    ("esim_fact", {}, "post"),
]


def case_url(name: str, case: Case, extra: dict) -> str:
    return reverse(f"cases:{name}", kwargs={"ref": case.reference, **extra})


@pytest.mark.parametrize(("name", "extra", "method"), CASE_URLS)
def test_other_customer_gets_404(client, customer, other_customer, name, extra, method):
    case = build_case(owner=customer, status=S.AWAITING_REVIEW)
    client.force_login(other_customer)

    response = getattr(client, method)(case_url(name, case, extra), {"version": case.version})

    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == S.AWAITING_REVIEW


@pytest.mark.parametrize(("name", "extra", "method"), CASE_URLS)
def test_anonymous_visitor_without_the_draft_token_is_sent_to_sign_in(client, name, extra, method):
    case = build_case(owner=None, status=S.DRAFT, provider=None, provider_name="Some Telecom")

    response = getattr(client, method)(case_url(name, case, extra), {"version": case.version})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login") + "?next=")
    case.refresh_from_db()
    assert case.status == S.DRAFT


def test_unknown_reference_is_404(client, customer):
    client.force_login(customer)

    assert client.get(reverse("cases:detail", kwargs={"ref": "CX-AAAA-BBBB"})).status_code == 404


@pytest.mark.parametrize(
    ("name", "extra"),
    [("detail", {}), ("timeline", {}), ("precautions", {}), ("step", {"number": 1})],
)
def test_case_pages_are_private_no_store_and_vary_on_htmx(client, customer, name, extra):
    case = build_case(owner=customer, status=S.IN_PROGRESS)
    client.force_login(customer)

    response = client.get(case_url(name, case, extra))

    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control
    assert "HX-Request" in response["Vary"]


def test_start_page_is_not_cached(client):
    response = client.get(reverse("cases:start"))

    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("name", "extra", "status"),
    [
        ("detail", {}, S.AWAITING_REVIEW),
        ("detail", {}, S.IN_PROGRESS),
        ("timeline", {}, S.COMPLETED),
        ("precautions", {}, S.PREPARING),
        ("step", {"number": 2}, S.IN_PROGRESS),
    ],
)
def test_query_count_does_not_grow_with_steps_or_events(client, customer, name, extra, status):
    small = build_case(owner=customer, status=status, steps=3, events=3)
    large = build_case(owner=customer, status=status, steps=30, events=30)
    for extra_case in (small, large):
        factories.ContactChannelFactory.create_batch(3, provider=extra_case.provider)
    client.force_login(customer)
    client.get(case_url(name, small, extra))  # warm the session and the user
    # A case page's first view also makes the case's email address (one statement, once).
    client.get(case_url(name, large, extra))

    with CaptureQueriesContext(connection) as few:
        assert client.get(case_url(name, small, extra)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(case_url(name, large, extra)).status_code == 200

    assert len(many) == len(few)
    # Session, user, case, steps, channels, timeline, billing check; the case page adds its
    # files, its latest proof pack, its contact log and, while waiting, the escalation routes.
    assert len(few) <= 11
