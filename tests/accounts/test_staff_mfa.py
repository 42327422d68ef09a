import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth import SESSION_KEY

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def mfa_required(settings):
    settings.STAFF_MFA_REQUIRED = True


def current_code(secret: str) -> str:
    counter = next(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counter))


def enrol(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def test_admin_login_form_is_replaced_by_staff_sign_in(client):
    response = client.get("/admin/login/?next=/admin/cases/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/staff/sign-in/?next=%2Fadmin%2Fcases%2F"


def test_staff_sign_in_page_has_stable_labels(client):
    page = client.get("/accounts/staff/sign-in/").content.decode()

    assert "Staff sign-in" in page
    assert 'name="password"' in page


@pytest.mark.usefixtures("mfa_required")
def test_staff_without_an_authenticator_must_enrol(client, agent):
    client.force_login(agent)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/2fa/totp/activate/?next=%2Fadmin%2F"


@pytest.mark.usefixtures("mfa_required")
def test_staff_whose_session_skipped_the_second_factor_are_asked_for_it(client, agent):
    enrol(agent)
    client.force_login(agent)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/2fa/reauthenticate/")


@pytest.mark.usefixtures("mfa_required")
def test_password_then_totp_opens_the_admin(client, agent):
    secret = enrol(agent)

    response = client.post(
        "/accounts/staff/sign-in/", {"login": agent.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/2fa/authenticate/")
    assert SESSION_KEY not in client.session  # the password alone does not sign in

    response = client.post(response.headers["Location"], {"code": current_code(secret)})

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert client.session[SESSION_KEY] == str(agent.pk)
    assert client.get("/admin/").status_code == 200


def test_demo_mode_lets_staff_in_without_a_second_factor(client, agent, settings):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(agent)

    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("mfa_required")
def test_customers_are_not_sent_to_enrol(client, customer):
    client.force_login(customer)

    response = client.get("/admin/", follow=True)

    assert response.status_code == 200
    assert "/2fa/" not in response.redirect_chain[-1][0]
    assert SESSION_KEY in client.session


def test_staff_page_never_sends_a_code(client, agent, mailoutbox):
    response = client.post("/accounts/staff/sign-in/", {"login": agent.email})

    assert response.status_code == 200
    assert "Enter your password." in response.content.decode()
    assert mailoutbox == []


def test_no_code_mail_reaches_staff_whatever_the_path(agent, rf, mailoutbox):
    from allauth.core import context

    from accounts.adapter import AccountAdapter

    with context.request_context(rf.get("/")):
        AccountAdapter().send_mail("account/email/login_code", agent.email, {"code": "X"})

    assert mailoutbox == []


def test_staff_sign_in_mentions_the_authenticator_only_when_it_is_asked(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    off = client.get("/accounts/staff/sign-in/").content.decode()
    settings.STAFF_MFA_REQUIRED = True
    on = client.get("/accounts/staff/sign-in/").content.decode()

    assert "authenticator" not in off
    assert "authenticator" in on
