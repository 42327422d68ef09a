"""The staff pages document their keyboard shortcuts: a link to the list on every page, which
works without JavaScript (an in-page section), and the script that binds "?" loaded once."""

import pytest
from django.urls import reverse

from tests import factories
from tests.cases.staff.conftest import waiting_case

pytestmark = pytest.mark.django_db


def staff_pages(case, provider) -> list[str]:
    return [
        reverse("staff:case_list"),
        reverse("staff:case_detail", kwargs={"ref": case.reference}),
        reverse("staff:provider_list"),
        reverse("staff:provider_detail", kwargs={"slug": provider.slug}),
        reverse("staff:stats_page"),
    ]


def test_every_staff_page_links_to_its_keyboard_shortcuts(agent_client):
    case = waiting_case()
    for url in staff_pages(case, case.provider):
        page = agent_client.get(url).text
        assert 'href="#keyboard-shortcuts"' in page, url
        assert 'id="keyboard-shortcuts"' in page, url
        for key in ("j", "k", "Enter", "/", "n", "?"):
            assert f"<kbd>{key}</kbd>" in page, (url, key)
        assert page.count("js/staff.js") == 1, url


def test_the_shortcuts_read_in_chinese(agent_client):
    factories.CaseFactory()
    page = agent_client.get(reverse("staff:case_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").text

    assert "键盘快捷键" in page
    assert "跳到搜索框" in page
