"""Switching language in the middle of the line-details form keeps what was typed: the switch
posts that form's fields, they come back once on the page it returns to, in the new language."""

import pytest
from django.urls import reverse

from cases.models import Case
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(client):
    owner = factories.UserFactory()
    client.force_login(owner)
    return factories.CaseFactory(owner=owner, status=Case.Status.PREPARING, phone_number="")


def details_url(case) -> str:
    return reverse("cases:line_details", kwargs={"ref": case.reference})


def switch(client, case, language: str, **typed):
    """What the browser posts when the switch's button submits the line-details form."""
    return client.post(
        f"{reverse('set_language')}?next={details_url(case)}",
        {"version": case.version, "language": language, **typed},
    )


def test_the_details_page_switch_posts_its_form(client, case):
    page = client.get(details_url(case)).text

    assert '<form id="line-details"' in page
    assert 'id="language-select" name="language" form="line-details"' in page
    assert f'form="line-details" formaction="{reverse("set_language")}?next=' in page


def test_what_was_typed_comes_back_after_switching_to_chinese(client, case):
    response = switch(
        client, case, "zh-hans", phone_number="07700 900123", reason_detail="Moving to Spain"
    )

    assert response.status_code == 302
    assert response["Location"] == details_url(case)
    page = client.get(details_url(case), HTTP_ACCEPT_LANGUAGE="en").text
    assert '<html lang="zh-hans">' in page
    assert 'value="07700 900123"' in page
    assert "Moving to Spain" in page
    case.refresh_from_db()
    assert case.phone_number == ""  # shown again, not saved: the person still sends the form


def test_it_comes_back_once_only(client, case):
    switch(client, case, "en", reason_detail="Moving to Spain")
    client.get(details_url(case))

    assert "Moving to Spain" not in client.get(details_url(case)).text


def test_an_htmx_switch_reloads_the_whole_page_in_the_new_language(client, case):
    response = client.post(
        f"{reverse('set_language')}?next={details_url(case)}",
        {"version": case.version, "language": "zh-hans", "reason_detail": "Moving to Spain"},
        HTTP_HX_REQUEST="true",
    )

    assert response["HX-Redirect"] == details_url(case)
    assert response.cookies["django_language"].value == "zh-hans"
    assert "Moving to Spain" in client.get(details_url(case)).text


def test_a_switch_on_a_page_without_a_form_keeps_nothing(client, case):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    assert "kept_form" not in client.session
