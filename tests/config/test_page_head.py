"""The page head under a strict CSP: htmx without its inline indicator styles (ours
are in the stylesheet), django-htmx's script once, and a favicon."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_django_htmx_script_is_loaded_once(client, settings):
    settings.DEBUG = True
    page = client.get("/").text

    assert page.count("django-htmx.js") == 1


def test_htmx_adds_no_inline_styles_and_the_indicator_is_styled_in_css(client):
    page = client.get("/").text
    css = Path(finders.find("css/closeout.css")).read_text(encoding="utf-8")

    assert '"includeIndicatorStyles":false' in page
    assert ".htmx-indicator" in css
    assert ".htmx-request" in css


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")

    assert response.status_code in (301, 302)
    path = response.url.removeprefix(settings.STATIC_URL)
    assert finders.find(path)
    assert '<link rel="icon"' in client.get("/").text
