"""One error-summary heading everywhere, and a message that says what to do instead of
"This field is required." on sign-in, the code and snooze."""

import pytest

from tests.cases.reminders.helpers import waiting_case

pytestmark = pytest.mark.django_db

HEADING = "Please check the following"
GENERIC = "This field is required."


def test_an_empty_sign_in_asks_for_the_email_address(client):
    page = client.post("/accounts/login/", {"email": ""}).text

    assert HEADING in page
    assert "Enter your email address." in page
    assert GENERIC not in page


def test_an_empty_code_asks_for_the_code(client, customer):
    client.post("/accounts/login/", {"email": customer.email})

    page = client.post("/accounts/login/code/confirm/", {"code": ""}).text

    assert HEADING in page
    assert "Enter the code from the email we sent you." in page
    assert GENERIC not in page


def test_an_empty_staff_sign_in_asks_for_email_and_password(client):
    page = client.post("/accounts/staff/sign-in/", {"login": "", "password": ""}).text

    assert HEADING in page
    assert "Enter your email address." in page
    assert "Enter your password." in page
    assert GENERIC not in page


def test_an_empty_snooze_asks_for_a_day(client, customer):
    case = waiting_case(owner=customer)
    client.force_login(customer)

    page = client.post(f"/reminders/case/{case.reference}/snooze/", {"until": ""}).text

    assert HEADING in page
    assert "Choose the day until which to snooze reminders." in page
    assert GENERIC not in page
    assert "There is a problem" not in page
