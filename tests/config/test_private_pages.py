"""Every page a signed-in person gets is private and never stored (Cache-Control: private,
no-store), by one rule over the whole URLconf, so a new page cannot forget it."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from cases.reminders import emails
from tests.cases.test_views_journey import build_case

pytestmark = pytest.mark.django_db


def walk(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def concrete(route: str, *, ref: str, token: str) -> str | None:
    """A path for the route with its parameters filled in; None for regex routes we skip."""
    route = route.lstrip("^").rstrip("$")
    if "(?P" in route or "\\" in route:
        return None
    values = {"ref": ref, "number": "1", "token": token}
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "1"), route)
    return "/" + path


def paths(case) -> list[str]:
    token = emails.stop_token(case)
    routes = walk(get_resolver().url_patterns)
    found = {concrete(route, ref=case.reference, token=token) for route in routes}
    return sorted(p for p in found if p and not p.startswith(("/static/", "/admin/")))


def test_the_walk_finds_the_customer_pages(customer):
    case = build_case(owner=customer)
    found = paths(case)

    assert "/my-cases/" in found
    assert "/accounts/preferences/" in found
    assert "/accounts/email/" in found
    assert f"/cases/{case.reference}/" in found


def test_every_page_a_signed_in_customer_gets_is_private_and_not_stored(client, customer):
    case = build_case(owner=customer)
    client.force_login(customer)
    public = []
    for path in paths(case):
        response = client.get(path)
        cache_control = response.get("Cache-Control", "")
        if "private" not in cache_control or "no-store" not in cache_control:
            public.append(f"{path} ({response.status_code}): {cache_control!r}")

    assert public == []
