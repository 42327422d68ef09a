"""Steps and precautions that an earlier answer makes moot are left out of the case."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases import services
from cases.models import Case
from providers.models import PlaybookStep, ServiceKind, StepAnswer, StepKind
from tests import factories

pytestmark = pytest.mark.django_db
S = Case.Status


def url(name: str, case: Case, **kwargs) -> str:
    return reverse(f"cases:{name}", kwargs={"ref": case.reference, **kwargs})


@pytest.fixture
def playbook():
    book = factories.PlaybookFactory(service_kind=ServiceKind.ESIM)
    factories.PlaybookStepFactory(
        playbook=book, position=1, kind=StepKind.CHECKLIST, title="Settle bills"
    )
    factories.PlaybookStepFactory(
        playbook=book,
        position=2,
        kind=StepKind.CHECKLIST,
        title="Keep the number? Port it",
        hidden_when=[StepAnswer.NUMBER_CAN_GO],
    )
    factories.PlaybookStepFactory(
        playbook=book,
        position=3,
        kind=StepKind.CHECKLIST,
        title="Back up the device",
        hidden_when=[StepAnswer.DEVICE_LOST],
    )
    factories.PlaybookStepFactory(playbook=book, position=4, title="Call the operator")
    return book


def titles(case: Case) -> list[str]:
    return list(case.steps.order_by("position").values_list("title", flat=True))


def prepared(customer, **fields) -> Case:
    case = factories.CaseFactory(
        owner=customer, status=S.DRAFT, service_kind=ServiceKind.ESIM, **fields
    )
    return services.prepare_case(case=case, by=customer, version=case.version)


def test_every_step_is_kept_when_no_answer_makes_it_moot(customer, playbook):
    case = prepared(customer)

    assert titles(case) == [
        "Settle bills",
        "Keep the number? Port it",
        "Back up the device",
        "Call the operator",
    ]


def test_the_port_instead_precaution_is_left_out_once_the_number_can_go(customer, playbook):
    case = prepared(customer, number_can_go=True)

    assert "Keep the number? Port it" not in titles(case)
    assert "Back up the device" in titles(case)


def test_backing_up_a_lost_device_is_left_out(customer, playbook):
    case = prepared(customer, reason=Case.Reason.DEVICE_LOST)

    assert "Back up the device" not in titles(case)


def test_answering_no_the_number_can_go_is_remembered(client):
    client.get(reverse("cases:start"))
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.ESIM})
    case = Case.objects.get()

    client.post(url("keep_number", case), {"version": case.version, "keep_number": "no"})

    case.refresh_from_db()
    assert case.number_can_go


def test_cancelling_after_all_from_the_porting_page_is_remembered(client):
    client.get(reverse("cases:start"))
    client.post(reverse("cases:start"), {"service_kind": ServiceKind.ESIM})
    case = Case.objects.get()
    client.post(url("keep_number", case), {"version": case.version, "keep_number": "yes"})
    case.refresh_from_db()
    assert not case.number_can_go
    page = client.get(url("porting", case)).text
    assert f'action="{url("keep_number", case)}"' in page

    response = client.post(url("keep_number", case), {"version": case.version, "keep_number": "no"})

    case.refresh_from_db()
    assert case.number_can_go
    assert response.url == url("provider", case)


def test_changing_the_reason_while_preparing_updates_the_precautions(client, customer, playbook):
    case = prepared(customer, number_can_go=True)
    client.force_login(customer)

    client.post(
        url("line_details", case),
        {
            "version": case.version,
            "phone_number": "+447700900123",
            "reason": "device_lost",
        },
    )

    assert "Back up the device" not in titles(case)


def test_the_shipped_playbooks_name_the_answers_that_hide_their_precautions():
    call_command("load_shipped_data", verbosity=0)

    port = PlaybookStep.objects.filter(title__startswith="Want to keep the number?")
    backup = PlaybookStep.objects.filter(title="Back up your device")
    assert port.exists()
    assert backup.exists()
    assert all(step.hidden_when == [StepAnswer.NUMBER_CAN_GO] for step in port)
    assert all(step.hidden_when == [StepAnswer.DEVICE_LOST] for step in backup)


# --- Porting advice where porting applies -------------------------------------------------------


def porting_page(client, kind: str, provider=None) -> str:
    client.get(reverse("cases:start"))
    client.post(reverse("cases:start"), {"service_kind": kind})
    case = Case.objects.get(service_kind=kind)
    if provider is not None:
        Case.objects.filter(pk=case.pk).update(provider=provider)
    return client.get(url("porting", case)).text


def test_an_app_managed_number_gets_no_pac_or_carrier_porting_advice(client):
    page = porting_page(client, ServiceKind.VIRTUAL)

    assert "PAC to 65075" not in page
    assert "携号转网" not in page
    assert "rarely" in page


def test_an_app_managed_number_gets_its_providers_own_porting_route(client):
    app = factories.ProviderFactory(porting_info="Export the number from Settings → Port out.")

    page = porting_page(client, ServiceKind.VIRTUAL, provider=app)

    assert "Export the number from Settings" in page
    assert "PAC to 65075" not in page


@pytest.mark.parametrize("kind", [ServiceKind.ESIM, ServiceKind.PHYSICAL_SIM])
def test_a_mobile_line_gets_the_porting_routes(client, kind):
    page = porting_page(client, kind)

    assert "PAC to 65075" in page
    assert "携号转网" in page
