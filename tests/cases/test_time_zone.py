"""The time zone is proposed from the phone number (and the browser), confirmed on the save
page and kept in Preferences, so reminder hours are the person's own."""

import pytest
from django.urls import reverse

from cases.identifiers import time_zone_for_number
from cases.models import Case
from tests import factories

pytestmark = pytest.mark.django_db
S = Case.Status


def save_url(case: Case) -> str:
    return reverse("cases:save", kwargs={"ref": case.reference})


@pytest.mark.parametrize(
    ("number", "zone"),
    [
        ("+8613800138000", "Asia/Shanghai"),
        ("+447700900123", "Europe/London"),
        ("+85291234567", "Asia/Hong_Kong"),
        ("+12125550123", "America/New_York"),
        ("+61412345678", None),
        ("", None),
    ],
)
def test_a_zone_is_proposed_from_the_phone_number(number, zone):
    assert time_zone_for_number(number) == zone


@pytest.fixture
def draft(customer):
    customer.time_zone = "UTC"
    customer.save()
    return factories.CaseFactory(
        owner=customer, status=S.DRAFT, phone_number="+8613800138000", time_zone="UTC"
    )


def test_the_save_page_proposes_the_numbers_zone(client, customer, draft):
    client.force_login(customer)

    page = client.get(save_url(draft)).text

    assert '<option value="Asia/Shanghai" selected>' in page
    assert "08:00" in page  # says what the zone is for


def test_the_save_page_proposes_the_accounts_zone_when_it_has_one(client, customer, draft):
    customer.time_zone = "Europe/Berlin"
    customer.save()
    client.force_login(customer)

    assert '<option value="Europe/Berlin" selected>' in client.get(save_url(draft)).text


def test_the_browser_may_suggest_a_zone_when_nothing_else_does(client, customer, draft):
    draft.phone_number = "+61412345678"  # Australia spans several zones
    draft.save()
    client.force_login(customer)
    page = client.get(save_url(draft)).text

    assert "js/time-zone.js" in page
    assert "data-suggest-browser-zone" in page


def test_saving_confirms_the_zone_on_the_case_and_in_preferences(client, customer, draft):
    client.force_login(customer)

    response = client.post(
        save_url(draft), {"version": draft.version, "time_zone": "Asia/Shanghai"}
    )

    draft.refresh_from_db()
    customer.refresh_from_db()
    assert response.status_code == 302
    assert draft.status == S.PREPARING
    assert draft.time_zone == "Asia/Shanghai"
    assert customer.time_zone == "Asia/Shanghai"
    prefs = client.get(reverse("accounts:preferences")).text
    assert '<option value="Asia/Shanghai" selected>' in prefs


def test_an_unknown_zone_is_refused_beside_the_field(client, customer, draft):
    client.force_login(customer)

    response = client.post(save_url(draft), {"version": draft.version, "time_zone": "Mars/Base"})

    assert response.status_code == 200
    assert "Choose a time zone from the list." in response.text
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
