"""The Simplified Chinese text reads as one voice: 您, 工单, full-width punctuation.

Checked in the catalogue (every msgstr) and in the shipped data (every *_zh_hans field of
the playbooks and the directory). Placeholders, tags, URLs and times are left out first, so
"%(name)s" or "09:00" never count as half-width punctuation.
"""

import html
import re
from collections.abc import Iterator

import pytest
import yaml

from providers.importer import shipped_files
from tests.test_translations import PO_PATH, parse_po

HAN = r"\u3400-\u9fff"
# Chinese characters and full-width punctuation: what a half-width mark must not touch.
CHINESE = rf"{HAN}\u3000-\u303f\uff00-\uffef"
SKIPPED = re.compile(r"%\(\w+\)[sdfi]|%[sdfi]|\{[^}]*\}|<[^>]+>|https?://[^\s)]+|\d{1,2}:\d{2}")
HALF_WIDTH = (
    re.compile(rf"[{CHINESE}]\s*[():]"),  # 热线(  状态:
    re.compile(rf"[():]\s*[{HAN}\u3000-\u303f]"),  # )服务  :请
    re.compile(rf"\([^()]*[{HAN}][^()]*\)"),  # (中文) in half-width brackets
)


def chinese_texts() -> Iterator[tuple[str, str]]:
    """(where, text) for every Chinese string we ship."""
    for entry in parse_po(PO_PATH):
        if entry.msgid:
            for text in entry.msgstr.values():
                yield f"django.po:{entry.line}", text
    for path in shipped_files():
        yield from _zh_fields(path.name, yaml.safe_load(path.read_text(encoding="utf-8")))


def _zh_fields(where: str, node) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and (str(key).endswith("_zh_hans") or key == "name_zh"):
                yield f"{where}:{key}", value
            else:
                yield from _zh_fields(f"{where}:{key}", value)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _zh_fields(f"{where}[{index}]", value)


def half_width_marks(text: str) -> list[str]:
    text = SKIPPED.sub(" ", text)
    return [match.group(0) for pattern in HALF_WIDTH for match in pattern.finditer(text)]


@pytest.mark.parametrize(
    ("text", "is_wrong"),
    [
        ("24 小时热线(852) 12580", True),
        ("状态:等待", True),
        ("请选择 (必填)", True),
        ("工单 CX-4K7M-2QPD (已保存)", True),
        ("拨打 12580（24 小时）", False),
        ("每日 11:00–20:00，%(name)s 的工单", False),
        ("steps[%(other)d]：已使用", False),
        ("GSMA SGP.22 (eSIM)", False),
    ],
)
def test_the_check_finds_half_width_brackets_and_colons_next_to_chinese(text, is_wrong):
    assert bool(half_width_marks(text)) is is_wrong


def test_chinese_text_uses_full_width_brackets_and_colons():
    problems = [
        f"{where}: {marks} in {text!r}"
        for where, text in chinese_texts()
        if (marks := half_width_marks(text))
    ]
    assert not problems, "\n".join(problems)


def test_chinese_text_says_您_not_你():
    problems = [f"{where}: {text!r}" for where, text in chinese_texts() if "你" in text]
    assert not problems, "\n".join(problems)


def test_a_case_is_always_a_工单():
    problems = [
        f"{where}: {text!r}" for where, text in chinese_texts() if re.search("案件|个案|案例", text)
    ]
    assert not problems, "\n".join(problems)


def test_no_space_after_a_full_stop_in_chinese():
    problems = [
        f"{where}: {text!r}" for where, text in chinese_texts() if re.search(r"[。！？；] ", text)
    ]
    assert not problems, "\n".join(problems)


def _page_text(html_page: str) -> str:
    """The page's text; where an element ends, a bar: text of two elements is not one phrase."""
    body = re.sub(r"(?s)<(script|style|head)\b.*?</\1>", " ", html_page)
    # Text marked as another language (the English letter on a Chinese page) keeps its marks.
    body = re.sub(r'(?s)<(\w+)\b[^>]*\blang="(?!zh)[^"]*"[^>]*>.*?</\1>', " | ", body)
    body = re.sub(r"</(p|li|dd|dt|h\d|td|th|label|a|button|option|div|section)>", " | ", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.mark.django_db(transaction=True)
def test_chinese_pages_as_rendered_use_full_width_brackets_and_colons(client):
    """What the catalogue cannot show: a colon or bracket a template or the code puts beside
    a translated string ("{{ label }}: {{ value }}", "({% translate … %})")."""
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from tests.browser import site as pages

    call_command("load_shipped_data", verbosity=0)
    site = pages.build_site()
    states = pages.build_case_states(site)
    customer, agent = Client(), Client()
    customer.force_login(site.customer)
    agent.force_login(site.agent)
    urls = [
        (customer, pages.case_url("cases:detail", site.waiting)),
        (customer, pages.case_url("cases:detail", site.completed)),
        (customer, pages.case_url("cases:timeline", site.waiting)),
        (customer, pages.case_url("notices:notice", states.notice_sent)),
        (customer, pages.case_url("cases:detail", states.refused)),
        (customer, pages.case_url("cases:detail", states.escalated)),
        (agent, pages.case_url("staff:case_detail", site.waiting)),
        (agent, pages.case_url("staff:case_detail", states.escalated)),
        (agent, reverse("staff:case_list") + "?queue=all"),
    ]
    from providers.models import Provider

    names = sorted(Provider.objects.values_list("name", flat=True), key=len, reverse=True)
    problems = []
    for browser, url in urls:
        browser.cookies["django_language"] = "zh-hans"
        response = browser.get(url, follow=True)
        assert response.status_code == 200, url
        # Names stay as the provider writes them ("Demo Mobile (fictional)"): not the check's.
        text = _page_text(response.content.decode())
        for name in names:
            text = text.replace(name, " | ")
        cleaned = SKIPPED.sub(" ", text)
        problems += [
            f"{url}: {cleaned[max(0, found.start() - 12) : found.end() + 12]!r}"
            for pattern in HALF_WIDTH
            for found in pattern.finditer(cleaned)
        ]
    assert not problems, "\n".join(sorted(set(problems)))
