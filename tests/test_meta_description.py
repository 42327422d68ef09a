"""Every public page says what it is in one `<meta name="description">`, in the reader's
language: base.html gives a default, each public page its own (a provider's page names it)."""

from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from cases.reminders.emails import stop_token
from tests import factories

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "zh-hans"]
# A name that breaks out of the attribute (or the page) if it is not escaped.
NAME = 'Tele "<Mobile>" & Co'
NAME_ZH = '电信“<移动>" & 公司'


class Descriptions(HTMLParser):
    """The content of every <meta name="description"> of a page, as a browser reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("name") == "description":
            self.found.append(values.get("content") or "")


def descriptions(html: str) -> list[str]:
    parser = Descriptions()
    parser.feed(html)
    return parser.found


def _code_sent(client: Client) -> str:
    client.post(reverse("accounts:login"), {"email": "someone@example.com"})
    return reverse("accounts:confirm_code")


def _stop_link(client: Client) -> str:
    case = factories.CaseFactory(status="awaiting_review")
    return reverse("reminders:stop", kwargs={"token": stop_token(case)})


def _channel():
    provider = factories.ProviderFactory(name=NAME, name_zh=NAME_ZH, slug="tele-mobile")
    return factories.ContactChannelFactory(provider=provider)


def _provider(client: Client) -> str:
    return reverse("providers:provider_detail", kwargs={"slug": _channel().provider.slug})


def _report(client: Client) -> str:
    channel = _channel()
    kwargs = {"slug": channel.provider.slug, "channel_id": channel.pk}
    return reverse("providers:report_channel", kwargs=kwargs)


# Each public page kind (config/urls.py: what a signed-out visitor can open), and how to reach
# it. Sign-up redirects to sign-in; a draft's setup pages are that visitor's own case.
PUBLIC_PAGES: dict[str, Callable[[Client], str]] = {
    "home": lambda client: reverse("cases:home"),
    "start": lambda client: reverse("cases:start"),
    "directory": lambda client: reverse("providers:directory"),
    "provider": _provider,
    "report-channel": _report,
    "sign-in": lambda client: reverse("accounts:login"),
    "sign-in-code": _code_sent,
    "staff-sign-in": lambda client: reverse("accounts:staff_login"),
    "stop-reminders": _stop_link,
}


def visitor(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def page_html(kind: str, language: str) -> str:
    client = visitor(language)
    response = client.get(PUBLIC_PAGES[kind](client))
    assert response.status_code == 200, kind
    assert response.headers["Content-Language"] == language
    return response.text


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(PUBLIC_PAGES))
def test_public_page_has_one_description_in_the_readers_language(kind, language):
    found = descriptions(page_html(kind, language))

    assert len(found) == 1, found
    assert found[0].strip()
    assert has_chinese(found[0]) == (language == "zh-hans"), found[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_kind_of_public_page_has_its_own_description(language):
    found = {kind: descriptions(page_html(kind, language))[0] for kind in PUBLIC_PAGES}
    private = factories.UserFactory()
    client = visitor(language)
    client.force_login(private)
    default = descriptions(client.get(reverse("cases:my_cases")).text)

    assert len(set(found.values())) == len(found), found
    assert default, "a page without its own description keeps the default"
    assert default[0] not in found.values()


@pytest.mark.parametrize(("language", "name"), [("en", NAME), ("zh-hans", NAME_ZH)])
def test_provider_description_names_the_provider_escaped(language, name):
    html = page_html("provider", language)

    (description,) = descriptions(html)
    assert name in description
    meta = html[html.index('<meta name="description"') :].split(">", 1)[0]
    assert "&lt;" in meta
    assert "&quot;" in meta
    assert "<M" not in meta
    assert "<移" not in meta


def test_report_description_names_the_provider_escaped():
    (description,) = descriptions(page_html("report-channel", "en"))

    assert NAME in description
