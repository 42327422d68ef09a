"""The timeline reads in the viewer's language, whatever language was active when written."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from cases import selectors, services
from cases.models import Case, CaseEvent, CaseStep
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_step_done_in_english_reads_in_chinese_for_a_chinese_viewer(client, customer):
    case = factories.CaseFactory(owner=customer, status=Case.Status.IN_PROGRESS)
    factories.CaseStepFactory(
        case=case, position=1, title="Settle your bills", title_zh_hans="结清账单"
    )
    step = CaseStep.objects.get(case=case, position=1)
    with translation.override("en"):
        services.complete_step(case=case, step=step, by=customer, version=case.version)
    client.force_login(customer)

    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(reverse("cases:detail", kwargs={"ref": case.reference}))
    client.cookies["django_language"] = "en"
    english = client.get(reverse("cases:detail", kwargs={"ref": case.reference}))

    assert "已完成：结清账单" in chinese.text
    assert "Settle your bills" not in chinese.text
    assert "Done: Settle your bills" in english.text


def test_what_a_person_typed_is_shown_verbatim_after_the_system_text(client, customer):
    case = factories.CaseFactory(owner=customer, status=Case.Status.AWAITING_REVIEW)
    services.record_outcome(
        case=case, by=customer, version=case.version, outcome="refused", note="No ID <b>photo</b>"
    )
    client.force_login(customer)

    page = client.get(reverse("cases:detail", kwargs={"ref": case.reference}))

    assert "The provider refused the request. No ID &lt;b&gt;photo&lt;/b&gt;" in page.text


# --- Long timelines: the case page shows the newest, the timeline page all of them -----------


def _numbered_events(case: Case, count: int) -> None:
    for number in range(1, count + 1):
        factories.CaseEventFactory(case=case, message=f"Event number {number}.")
    factories.CaseEventFactory(
        case=case, visibility=CaseEvent.Visibility.INTERNAL, message="Agent-only remark"
    )


def _shown(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"Event number (\d+)\.", html)]


def test_case_page_shows_the_newest_events_and_links_to_the_rest(client, customer):
    case = factories.CaseFactory(owner=customer, status=Case.Status.AWAITING_REVIEW)
    _numbered_events(case, selectors.TIMELINE_PREVIEW + 5)
    client.force_login(customer)

    page = client.get(reverse("cases:detail", kwargs={"ref": case.reference}))

    newest = selectors.TIMELINE_PREVIEW + 5
    assert _shown(page.text) == list(range(newest, 5, -1))
    assert reverse("cases:timeline", kwargs={"ref": case.reference}) in page.text


def test_a_short_timeline_is_whole_on_the_case_page_without_a_link(client, customer):
    case = factories.CaseFactory(owner=customer, status=Case.Status.AWAITING_REVIEW)
    _numbered_events(case, 3)
    client.force_login(customer)

    page = client.get(reverse("cases:detail", kwargs={"ref": case.reference}))

    assert _shown(page.text) == [3, 2, 1]
    assert reverse("cases:timeline", kwargs={"ref": case.reference}) not in page.text


def test_timeline_page_walks_every_customer_event_once_newest_first(client, customer):
    case = factories.CaseFactory(owner=customer, status=Case.Status.COMPLETED)
    total = selectors.TIMELINE_PAGE_SIZE * 2 + 7
    _numbered_events(case, total)
    client.force_login(customer)
    url = reverse("cases:timeline", kwargs={"ref": case.reference})

    seen, pages = [], 0
    while url:
        page = client.get(url)
        assert page.status_code == 200
        assert "Agent-only remark" not in page.text
        seen += _shown(page.text)
        pages += 1
        older = re.search(r'href="(\?before=[^"]+)"', page.text)
        url = (
            reverse("cases:timeline", kwargs={"ref": case.reference}) + unescape(older.group(1))
            if older
            else ""
        )

    assert pages == 3
    assert seen == list(range(total, 0, -1))


def test_an_unreadable_cursor_shows_the_newest_events(client, customer):
    case = factories.CaseFactory(owner=customer, status=Case.Status.COMPLETED)
    _numbered_events(case, 2)
    client.force_login(customer)

    page = client.get(
        reverse("cases:timeline", kwargs={"ref": case.reference}), {"before": "not-a-cursor"}
    )

    assert page.status_code == 200
    assert _shown(page.text) == [2, 1]
