"""The precautions page: one clear state per card (to do, done, skipped knowingly) and an undo."""

import re

import pytest
from django.urls import reverse

from cases.models import Case, CaseStep
from providers.models import StepKind
from tests import factories

pytestmark = pytest.mark.django_db
S = Case.Status


def url(case: Case) -> str:
    return reverse("cases:precautions", kwargs={"ref": case.reference})


@pytest.fixture
def case(customer):
    case = factories.CaseFactory(owner=customer, status=S.PREPARING)
    for position, state in enumerate(("todo", "done", "skipped"), start=1):
        factories.CaseStepFactory(
            case=case,
            position=position,
            kind=StepKind.CHECKLIST,
            state=state,
            skip_acknowledged=state == "skipped",
        )
    factories.CaseStepFactory(case=case, position=4)
    return case


def card(page: str, position: int) -> str:
    match = re.search(rf'<li id="precaution-{position}".*?</li>\s*(?=<li id=|</ol>)', page, re.S)
    assert match, f"no card {position}"
    return match.group(0)


def buttons(html: str) -> set[str]:
    return set(re.findall(r'name="action" value="(\w+)"', html))


def test_each_card_offers_only_what_fits_its_state(client, customer, case):
    client.force_login(customer)
    page = client.get(url(case)).text

    assert buttons(card(page, 1)) == {"done", "skip"}
    assert buttons(card(page, 2)) == {"undo"}
    assert buttons(card(page, 3)) == {"undo"}
    assert "If I skip this, I understand the risk" not in card(page, 2)
    assert "Skipped" in card(page, 3)


def test_the_page_does_not_ask_to_tick_a_button(client, customer, case):
    client.force_login(customer)
    page = client.get(url(case)).text

    assert "Tick each one" not in page


@pytest.mark.parametrize("position", [2, 3])
def test_undo_puts_a_precaution_back_to_do(client, customer, case, position):
    client.force_login(customer)

    client.post(url(case), {"version": case.version, "step": position, "action": "undo"})

    step = case.steps.get(position=position)
    assert step.state == CaseStep.State.TODO
    assert not step.skip_acknowledged
    assert step.done_at is None
    assert case.events.filter(text="Undone: %(title)s").exists()


def test_undo_with_htmx_returns_the_list_with_the_card_to_do(client, customer, case):
    client.force_login(customer)

    response = client.post(
        url(case),
        {"version": case.version, "step": 2, "action": "undo"},
        HTTP_HX_REQUEST="true",
    )

    assert buttons(card(response.text, 2)) == {"done", "skip"}
