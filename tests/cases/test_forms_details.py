"""The line-details question says the right thing for the kind of SIM and the reason."""

import pytest
from django.utils import translation

from cases.forms import DetailsForm
from cases.models import Case
from providers.models import ServiceKind
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


def test_a_physical_sims_device_error_names_the_sim_card_not_an_esim():
    message = errors(form(ServiceKind.PHYSICAL_SIM, imei=VALID_IMEI), "device_model")

    assert "eSIM" not in message
    assert "SIM card" in message


def test_a_physical_sims_device_error_in_chinese_names_the_sim_card():
    with translation.override("zh-hans"):
        message = errors(form(ServiceKind.PHYSICAL_SIM, imei=VALID_IMEI), "device_model")

    assert "eSIM" not in message
    assert "SIM 卡" in message


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


@pytest.mark.parametrize("kind", [ServiceKind.ESIM, ServiceKind.PHYSICAL_SIM])
def test_device_and_imei_are_still_asked_for_otherwise(kind):
    kept = form(kind, reason="cost")

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
