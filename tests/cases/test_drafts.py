"""Anonymous drafts: purged when nobody claims them, and not created without limit."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case
from providers.models import ServiceKind
from tests import factories

pytestmark = pytest.mark.django_db


def test_unclaimed_drafts_older_than_a_week_are_purged_and_others_kept(customer):
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(days=8)):
        stale = services.start_case(service_kind=ServiceKind.ESIM)
        claimed_old = services.start_case(service_kind=ServiceKind.ESIM, owner=customer)
    with time_machine.travel(now - dt.timedelta(days=6)):
        fresh = services.start_case(service_kind=ServiceKind.ESIM)

    assert services.purge_unclaimed_drafts(now=now) == 1

    remaining = set(Case.objects.values_list("pk", flat=True))
    assert stale.pk not in remaining
    assert {claimed_old.pk, fresh.pk} <= remaining


def test_purge_leaves_an_owned_case_of_any_age(customer):
    with time_machine.travel(timezone.now() - dt.timedelta(days=400)):
        case = factories.CaseFactory(owner=customer, status=Case.Status.AWAITING_REVIEW)
    assert services.purge_unclaimed_drafts(now=timezone.now()) == 0
    assert Case.objects.filter(pk=case.pk).exists()


@pytest.fixture
def small_start_limit(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "start_case": "3/h/ip"}
    cache.clear()
    yield
    cache.clear()


def test_starting_many_drafts_from_one_address_is_refused_with_a_message(client, small_start_limit):
    for _ in range(3):
        client.cookies.clear()  # a new visitor each time, from the same address
        assert client.post(reverse("cases:start"), {"service_kind": "esim"}).status_code == 302
    client.cookies.clear()

    refused = client.post(reverse("cases:start"), {"service_kind": "esim"})

    assert refused.status_code == 429
    assert "You have started many cases in a short time" in refused.text
    assert Case.objects.count() == 3
