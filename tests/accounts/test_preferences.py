import pytest

pytestmark = pytest.mark.django_db

URL = "/accounts/preferences/"


def test_needs_sign_in(client):
    assert client.get(URL).status_code == 302


def test_shows_the_current_preferences(client, customer):
    customer.time_zone = "Asia/Shanghai"
    customer.save()
    client.force_login(customer)

    page = client.get(URL).content.decode()

    assert '<label for="id_time_zone">Time zone</label>' in page
    assert '<option value="Asia/Shanghai" selected>' in page
    assert "简体中文" in page


def test_saving_redirects_and_sets_the_language_cookie(client, customer):
    client.force_login(customer)

    response = client.post(
        URL,
        {"display_name": "Li Wei", "preferred_language": "zh-hans", "time_zone": "Asia/Shanghai"},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == URL
    assert response.cookies["django_language"].value == "zh-hans"
    customer.refresh_from_db()
    assert (customer.display_name, customer.preferred_language, customer.time_zone) == (
        "Li Wei",
        "zh-hans",
        "Asia/Shanghai",
    )
    assert "偏好设置已保存" in client.get(URL).content.decode()


def test_a_zone_not_offered_is_refused_beside_the_field(client, customer):
    client.force_login(customer)

    response = client.post(
        URL, {"display_name": "Kept", "preferred_language": "en", "time_zone": "Mars/Olympus"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_time_zone_error">Choose a time zone from the list.</p>' in page
    assert 'value="Kept"' in page  # nothing typed is lost
    customer.refresh_from_db()
    assert customer.time_zone == "UTC"


def test_an_unusual_zone_already_chosen_stays_selectable(client, customer):
    customer.time_zone = "America/Anchorage"
    customer.save()
    client.force_login(customer)

    response = client.post(
        URL, {"display_name": "", "preferred_language": "en", "time_zone": "America/Anchorage"}
    )

    assert response.status_code == 302


def test_language_switch_is_remembered_when_signed_in(client, customer):
    client.force_login(customer)

    response = client.post("/i18n/set-language/", {"language": "zh-hans", "next": "/my-cases/"})

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.preferred_language == "zh-hans"


def test_language_switch_still_works_signed_out(client):
    response = client.post("/i18n/set-language/", {"language": "zh-hans", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "zh-hans"


def test_times_are_shown_in_the_users_zone(client, customer):
    from django.utils import timezone

    from accounts.middleware import UserTimeZoneMiddleware

    customer.time_zone = "Asia/Shanghai"
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return None

    class Request:
        user = customer

    UserTimeZoneMiddleware(view)(Request())

    assert seen["zone"] == "Asia/Shanghai"
