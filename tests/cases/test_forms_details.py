"""The line-details question says the right thing for the kind of SIM and the reason."""

import pytest
from django.core.management import call_command
from django.utils import translation

from cases.forms import DetailsForm
from cases.models import Case
from providers.models import Playbook, ServiceKind
from tests import factories

pytestmark = pytest.mark.django_db

VALID_IMEI = "490154203237518"


def form(kind: str, **data) -> DetailsForm:
    case = factories.CaseFactory(status=Case.Status.DRAFT, service_kind=kind)
    values = {"version": case.version, "phone_number": "+447700900123", "reason": "cost"}
    return DetailsForm({**values, **data}, case=case)


def errors(form: DetailsForm, name: str) -> str:
    form.is_valid()
    return " ".join(form.errors.get(name, []))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_physical_sim_asks_no_eid_and_leaves_the_phone_optional(language):
    with translation.override(language):
        physical = form(ServiceKind.PHYSICAL_SIM)

        assert physical.is_valid(), physical.errors
        assert "eid" not in physical.fields
        for name in ("device_model", "imei"):
            assert "（选填）" in physical.fields[name].label or "(optional)" in str(
                physical.fields[name].label
            )


def test_a_physical_sims_imei_given_is_still_checked():
    assert "typo" in errors(form(ServiceKind.PHYSICAL_SIM, imei="490154203237519"), "imei")


def test_the_sim_card_playbook_asks_for_the_iccid_not_the_eid_or_imei():
    call_command("load_shipped_data", verbosity=0)
    generic = Playbook.objects.get(provider=None, service_kind=ServiceKind.PHYSICAL_SIM)
    texts = " ".join(f"{step.title} {step.instructions}" for step in generic.steps.all())
    assert "ICCID" in texts
    assert "EID" not in texts
    assert "IMEI" not in texts


def test_an_esims_device_error_names_the_esim():
    assert "eSIM" in errors(form(ServiceKind.ESIM, imei=VALID_IMEI), "device_model")


def test_an_esims_iccid_help_and_error_do_not_point_at_a_printed_card():
    esim = form(ServiceKind.ESIM, device_model="Pixel 9", imei=VALID_IMEI, iccid="1234")

    assert "printed" not in errors(esim, "iccid")
    assert "settings" in errors(esim, "iccid")
    assert "settings" in str(esim.fields["iccid"].help_text)


def test_a_physical_sims_iccid_is_printed_on_the_card():
    physical = form(ServiceKind.PHYSICAL_SIM, device_model="Pixel 9", imei=VALID_IMEI, iccid="1234")

    assert "printed on the SIM card" in errors(physical, "iccid")


@pytest.mark.parametrize("kind", [ServiceKind.ESIM, ServiceKind.PHYSICAL_SIM])
def test_device_and_imei_are_optional_when_the_device_is_lost(kind):
    lost = form(kind, reason="device_lost")

    assert lost.is_valid(), lost.errors


def test_an_esims_device_and_imei_are_still_asked_for_otherwise():
    kept = form(ServiceKind.ESIM, reason="cost")

    assert not kept.is_valid()
    assert "device_model" in kept.errors
    assert "imei" in kept.errors


def test_the_imei_help_says_where_else_to_find_it():
    help_text = str(form(ServiceKind.ESIM).fields["imei"].help_text)

    assert "*#06#" in help_text
    assert "box" in help_text
    assert "receipt" in help_text
    assert "account page" in help_text


def test_a_lost_device_still_gets_a_typo_in_an_imei_that_was_given():
    lost = form(ServiceKind.ESIM, reason="device_lost", imei="490154203237519")

    assert "typo" in errors(lost, "imei")
