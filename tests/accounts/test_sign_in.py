import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from accounts.adapter import client_ip
from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
CONFIRM = "/accounts/login/code/confirm/"
CODE_IN_MAIL = re.compile(r"^ {4}(\S+)$", re.MULTILINE)


def ask_for_code(client, email: str, next_url: str = "", **extra):
    data = {"email": email}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data, **extra)


def code_from(mail) -> str:
    return CODE_IN_MAIL.search(mail.body).group(1)


def signed_in_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


def visible_page(response, email: str) -> str:
    """The page as a person sees it, minus what differs between any two requests."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r"hx-headers=\'[^\']+\'", "", html)
    html = re.sub(r'nonce="[^"]+"', "", html)
    return html.replace(email, "EMAIL")


def test_sign_in_page_has_stable_labels(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<label for="id_email">Email address</label>' in page
    assert ">Email me a code</button>" in page
    assert reverse("account_request_login_code") == "/accounts/login/code/"


def test_new_email_gets_an_account_and_a_code_that_signs_in(client, mailoutbox):
    response = ask_for_code(client, "New.Person@Example.com", next_url="/providers/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith(CONFIRM)
    user = User.objects.get(email="new.person@example.com")
    assert not user.has_usable_password()
    assert not user.is_staff
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.person@example.com"]
    assert mailoutbox[0].subject == "Closeout: Your sign-in code"

    confirm = client.get(response.headers["Location"])
    assert '<label for="id_code">Code</label>' in confirm.content.decode()
    assert ">Sign in</button>" in confirm.content.decode()

    response = client.post(CONFIRM, {"code": code_from(mailoutbox[0]), "next": "/providers/"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/providers/"
    assert signed_in_user_id(client) == str(user.pk)


def test_returning_customer_signs_in_the_same_way(client, mailoutbox, customer):
    ask_for_code(client, customer.email.upper())

    assert User.objects.filter(email__iexact=customer.email).count() == 1
    response = client.post(CONFIRM, {"code": code_from(mailoutbox[0])})

    assert response.status_code == 302
    assert response.headers["Location"] == reverse("cases:my_cases")
    assert signed_in_user_id(client) == str(customer.pk)


def test_code_is_accepted_in_lower_case(client, mailoutbox, customer):
    ask_for_code(client, customer.email)

    client.post(CONFIRM, {"code": code_from(mailoutbox[0]).lower()})

    assert signed_in_user_id(client) == str(customer.pk)


def test_known_and_unknown_addresses_get_the_same_answer(client, customer, mailoutbox):
    known = ask_for_code(client, customer.email)
    known_page = client.get(known.headers["Location"])
    client.cookies.clear()
    unknown = ask_for_code(client, "nobody@example.net")
    unknown_page = client.get(unknown.headers["Location"])

    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert known_page.status_code == unknown_page.status_code == 200
    assert visible_page(known_page, customer.email) == visible_page(
        unknown_page, "nobody@example.net"
    )


def test_staff_get_no_code_and_the_same_answer(client, agent, customer, mailoutbox):
    staff = ask_for_code(client, agent.email)
    staff_page = client.get(staff.headers["Location"])

    assert mailoutbox == []
    client.cookies.clear()
    customer_response = ask_for_code(client, customer.email)
    customer_page = client.get(customer_response.headers["Location"])
    assert staff.headers["Location"] == customer_response.headers["Location"]
    assert visible_page(staff_page, agent.email) == visible_page(customer_page, customer.email)


def test_staff_cannot_sign_in_with_any_code(client, agent):
    ask_for_code(client, agent.email)

    response = client.post(CONFIRM, {"code": "ABCD-EFGH"})

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_inactive_account_gets_no_code_and_stays_shut(client, mailoutbox):
    factories.UserFactory(email="gone@example.com", is_active=False)

    response = ask_for_code(client, "gone@example.com")

    assert response.status_code == 302
    assert mailoutbox == []
    assert User.objects.filter(email__iexact="gone@example.com").count() == 1


def test_wrong_code_is_rejected_beside_the_field(client, customer, mailoutbox):
    ask_for_code(client, customer.email)

    response = client.post(CONFIRM, {"code": "WRNG-CODE"})

    assert response.status_code == 200
    page = response.content.decode()
    assert '<p class="field-error" id="id_code_error">Incorrect code.</p>' in page
    assert 'aria-invalid="true"' in page
    assert 'href="#id_code"' in page  # the error summary links to the field
    assert signed_in_user_id(client) is None


def test_wrong_codes_are_capped_then_even_the_right_one_fails(client, customer, mailoutbox):
    ask_for_code(client, customer.email)
    code = code_from(mailoutbox[0])

    for _attempt in range(4):
        assert client.post(CONFIRM, {"code": "WRNG-CODE"}).status_code == 200
    last = client.post(CONFIRM, {"code": "WRNG-CODE"})
    assert last.status_code == 302

    client.post(CONFIRM, {"code": code})
    assert signed_in_user_id(client) is None


def test_expired_code_is_rejected(client, customer, mailoutbox):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        ask_for_code(client, customer.email)
        traveller.shift(timedelta(minutes=11))

        response = client.post(CONFIRM, {"code": code_from(mailoutbox[0])})

    assert response.status_code == 302
    assert response.headers["Location"] == reverse("account_request_login_code")
    assert signed_in_user_id(client) is None


def test_unsafe_next_is_ignored(client, customer, mailoutbox):
    ask_for_code(client, customer.email, next_url="https://evil.example/")

    response = client.post(
        CONFIRM, {"code": code_from(mailoutbox[0]), "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]
    assert signed_in_user_id(client) == str(customer.pk)


def test_requests_for_one_address_are_rate_limited(client, mailoutbox):
    for _attempt in range(3):
        assert ask_for_code(client, "busy@example.com").status_code == 302

    response = ask_for_code(client, "busy@example.com")

    assert response.status_code == 200
    assert "Too many" in response.content.decode()
    assert len(mailoutbox) == 3


def test_requests_from_one_address_are_rate_limited(client, mailoutbox):
    for n in range(10):
        assert ask_for_code(client, f"person{n}@example.com").status_code == 302

    response = ask_for_code(client, "person10@example.com")

    assert response.status_code == 200
    assert not User.objects.filter(email="person10@example.com").exists()


def test_rate_limit_counts_the_real_client_behind_trusted_proxies(client, settings, mailoutbox):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(10):
        ask_for_code(client, f"a{n}@example.com", HTTP_X_FORWARDED_FOR=f"6.6.6.6, 203.0.113.{n}")

    # Ten different clients as far as the proxy saw; a forged left-hand entry changes nothing.
    response = ask_for_code(client, "b@example.com", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.99")

    assert response.status_code == 302
    assert len(mailoutbox) == 11


def test_client_ip_trusts_only_the_configured_proxies(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2, 3.3.3.3", REMOTE_ADDR="10.0.0.1")

    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "3.3.3.3"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "2.2.2.2"
    settings.TRUSTED_PROXY_COUNT = 5
    assert client_ip(request) == "10.0.0.1"


def test_code_email_is_in_the_customers_language(client, mailoutbox):
    factories.UserFactory(email="li@example.com", preferred_language="zh-hans")

    ask_for_code(client, "li@example.com")

    assert "这是您登录 Closeout 的验证码" in mailoutbox[0].body
    assert mailoutbox[0].subject == "Closeout: 您的登录验证码"


def test_new_account_takes_the_language_of_the_page(client, mailoutbox):
    client.cookies["django_language"] = "zh-hans"

    ask_for_code(client, "wang@example.com")

    assert User.objects.get(email="wang@example.com").preferred_language == "zh-hans"
    assert "验证码" in mailoutbox[0].body


def test_sign_in_restores_the_saved_language(client, mailoutbox):
    factories.UserFactory(email="li@example.com", preferred_language="zh-hans")
    ask_for_code(client, "li@example.com")

    response = client.post(CONFIRM, {"code": code_from(mailoutbox[0])})

    assert response.cookies["django_language"].value == "zh-hans"


def test_asking_again_sends_a_new_code(client, customer, mailoutbox):
    ask_for_code(client, customer.email)
    response = ask_for_code(client, customer.email)

    assert response.status_code == 302
    assert len(mailoutbox) == 2
    client.post(CONFIRM, {"code": code_from(mailoutbox[1])})
    assert signed_in_user_id(client) == str(customer.pk)


def test_a_different_address_can_be_used_while_a_code_is_pending(client, customer, mailoutbox):
    ask_for_code(client, "typo@example.con", next_url="/my-cases/")
    assert client.get(LOGIN).headers["Location"].startswith(CONFIRM)

    response = client.post(LOGIN, {"restart": "1", "next": "/my-cases/"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=%2Fmy-cases%2F"
    assert client.get(response.headers["Location"]).status_code == 200


def test_signup_page_leads_to_sign_in(client):
    response = client.get("/accounts/signup/?next=/my-cases/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=%2Fmy-cases%2F"


def test_sign_out_is_a_post_ending_in_a_full_redirect(client, customer):
    client.force_login(customer)

    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    assert signed_in_user_id(client) == str(customer.pk)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert signed_in_user_id(client) is None
