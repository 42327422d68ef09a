"""seed_demo: the demo logins bin/run prints, safe to run again and again."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_creates_a_customer_an_agent_and_an_admin_and_prints_their_logins(settings):
    settings.DEBUG = True
    output = seed()
    customer = User.objects.get(email="customer@demo.closeout.local")
    agent = User.objects.get(email="agent@demo.closeout.local")
    admin = User.objects.get(email="admin@demo.closeout.local")
    assert not customer.is_staff
    assert not customer.has_usable_password(), "customers sign in by emailed code"
    assert agent.is_staff
    assert not agent.is_superuser
    assert admin.is_superuser
    assert authenticate(email="agent@demo.closeout.local", password="closeout-demo") == agent
    for email in (customer.email, agent.email, admin.email):
        assert email in output
    assert "password: closeout-demo" in output
    # The demo shows the Edit links on a provider's channels, and says why it may.
    assert agent.has_perm("providers.change_contactchannel")
    assert "may edit providers' contact channels" in output


def test_running_it_again_changes_nothing_and_restores_the_printed_password(settings):
    settings.DEBUG = True
    seed()
    agent = User.objects.get(email="agent@demo.closeout.local")
    agent.set_password("something else entirely")
    agent.save()

    seed()

    assert User.objects.filter(email__endswith="@demo.closeout.local").count() == 3
    assert authenticate(email="agent@demo.closeout.local", password="closeout-demo") == agent


def test_refuses_the_well_known_password_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--password"):
        seed()
    assert not User.objects.exists()

    seed(password="a long chosen password")
    assert authenticate(email="admin@demo.closeout.local", password="a long chosen password")
