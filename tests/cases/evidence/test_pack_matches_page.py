"""The proof pack's summary holds every reference and date the case page shows: the page is
rendered, its references and dates read off it, and each looked for in the PDF's text."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Case
from cases.transitions import Outcome
from providers.models import StepKind
from tests import factories
from tests.cases.evidence.test_proof_pack import build, pdf_text

pytestmark = pytest.mark.django_db
S = Case.Status
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
DATE = re.compile(r"(?:Jan|Feb|March|April|May|June|July|Aug|Sept|Oct|Nov|Dec)\.? \d{1,2}, \d{4}")
PAIR = re.compile(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", re.S)


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def page_references(page: str) -> dict[str, str]:
    """Each "… reference" the page lists, label to value."""
    return {
        text_of(label): text_of(value)
        for label, value in PAIR.findall(page)
        if "reference" in text_of(label).lower() and text_of(value) not in ("", "—")
    }


@pytest.fixture
def case(customer):
    with time_machine.travel(NOW - dt.timedelta(days=9), tick=False):
        case = factories.CaseFactory(
            owner=customer, status=S.IN_PROGRESS, time_zone="Europe/London"
        )
        factories.CaseStepFactory(case=case, position=1, kind=StepKind.ACTION)
        factories.CaseStepFactory(case=case, position=2, starts_waiting=True)
        factories.CaseStepFactory(case=case, position=3, kind=StepKind.WAIT)
        for step in case.steps.exclude(kind=StepKind.WAIT).order_by("position"):
            case = services.complete_step(
                case=case, step=step, by=customer, version=case.version, reference="REQ-5521"
            )
    with time_machine.travel(NOW - dt.timedelta(days=6), tick=False):
        case = services.record_outcome(
            case=case, by=customer, version=case.version, outcome=Outcome.NEEDS_MORE,
            reference="OTHER-0917", note="They asked for the account PIN letter.",
        )  # fmt: skip
    with time_machine.travel(NOW - dt.timedelta(days=5), tick=False):
        case = services.record_outcome(
            case=case, by=customer, version=case.version, outcome=Outcome.SENT_MORE
        )
    Case.objects.filter(pk=case.pk).update(
        notice_name="Ada Lovelace",
        notice_address="12 Example Street",
        notice_sent_at=NOW - dt.timedelta(days=3),
        notice_answer_due_on=(NOW + dt.timedelta(days=11)).date(),
        refused_at=NOW - dt.timedelta(days=4),
    )
    return Case.objects.get(pk=case.pk)


def test_every_reference_and_date_on_the_case_page_is_in_the_summary(client, customer, case):
    client.force_login(customer)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
        archive, _pack = build(Case.objects.get(pk=case.pk))
    summary = " ".join(pdf_text(archive).split())

    references = page_references(page)
    dates = set(DATE.findall(text_of(page)))

    assert "REQ-5521" in references.values()
    assert "OTHER-0917" in references.values()  # given on a step with "they need more"
    assert len(dates) >= 3  # the notice, its answer, the timeline
    missing = [f"{label}: {value}" for label, value in references.items() if value not in summary]
    missing += [date for date in dates if date not in summary]
    assert not missing, f"on the case page but not in the proof pack: {missing}"
