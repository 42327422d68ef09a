"""Customers have no password: the reset, set and change pages are not theirs (the design's
only way in for them is the emailed code); staff keep a password and its pages."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD_PAGES = ["account_reset_password", "account_change_password", "account_set_password"]


@pytest.mark.parametrize("name", PASSWORD_PAGES)
def test_a_signed_in_customer_gets_404_for_password_pages(client, customer, name):
    client.force_login(customer)

    assert client.get(reverse(name)).status_code == 404


def test_a_reset_requested_for_a_customer_sends_nothing(client, customer, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": customer.email})

    assert response.status_code == 302  # the same answer as for anyone: nothing to tell apart
    assert mailoutbox == []


def test_a_reset_requested_for_staff_still_sends_the_link(client, agent, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": agent.email})

    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_staff_keep_the_change_password_page(client, agent):
    client.force_login(agent)

    assert client.get(reverse("account_change_password")).status_code == 200


def test_the_reset_page_uses_the_sites_layout(client):
    page = client.get(reverse("account_reset_password")).text

    assert 'class="site-header"' in page
    assert 'class="skip-link"' in page
    assert "django-htmx" not in page.split("<body", 1)[1].split("</header>")[0]
