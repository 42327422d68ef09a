"""The timeline reads in the viewer's language, whatever language was active when written."""

import pytest
from django.urls import reverse
from django.utils import translation

from cases import services
from cases.models import Case, CaseStep
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
