"""Proof in Chromium at 360 px: add several files on the case page, then download the proof
pack and check its manifest against the files, as `sha256sum -c manifest.sha256` would."""

import hashlib
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from cases.models import Case, CaseEvent, Evidence
from tests import factories
from tests.cases.evidence import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(page: Page, live_server, user) -> None:
    """The browser carries the session of a signed-in customer (sign-in has its own tests)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_add_proof_at_360px_then_download_a_pack_that_verifies(page: Page, live_server, tmp_path):
    customer = factories.UserFactory()
    case = factories.CaseFactory(
        owner=customer, status=Case.Status.AWAITING_REVIEW, provider_reference="REQ-77"
    )
    bill, email = tmp_path / "final bill.pdf", tmp_path / "Cancelled.eml"
    bill.write_bytes(samples.pdf_document())
    email.write_bytes(samples.confirmation_email())
    signed_in(page, live_server, customer)

    page.goto(f"{live_server.url}/cases/{case.reference}/")
    page.get_by_role("link", name="Add proof").click()
    expect(page.get_by_role("heading", name="Add proof")).to_be_visible()
    expect(page.get_by_text("Share an ID document only through")).to_be_visible()
    page.get_by_label("File 1").set_input_files(str(bill))
    page.locator("#id_kind_1").select_option("final_bill")
    page.locator("#id_note_1").fill("The last bill, nothing owed")
    page.get_by_label("File 2").set_input_files(str(email))
    page.locator("#id_kind_2").select_option("confirmation")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path="var/screenshots/evidence-add-360.png", full_page=True)
    page.get_by_role("button", name="Add proof").click()

    # Back on the case page, both files listed with their kinds.
    proof = page.locator("#evidence")
    expect(proof.get_by_role("link", name="final bill.pdf")).to_be_visible()
    expect(proof.get_by_role("link", name="Cancelled.eml")).to_be_visible()
    expect(proof).to_contain_text("The last bill, nothing owed")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    stored = {item.original_name: item for item in Evidence.objects.filter(case=case)}
    assert set(stored) == {"final bill.pdf", "Cancelled.eml"}
    assert stored["final bill.pdf"].kind == Evidence.Kind.FINAL_BILL

    proof.get_by_role("link", name="Download the proof pack").click()
    expect(page.get_by_role("heading", name="Proof pack")).to_be_visible()
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Download the proof pack").click()
    download = waiting.value
    assert download.suggested_filename.startswith(f"closeout-{case.reference}-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    with zipfile.ZipFile(saved) as archive:
        manifest = archive.read("manifest.sha256").decode()
        lines = [line.split("  ", 1) for line in manifest.splitlines()]
        for digest, name in lines:
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
        listed = {name for _digest, name in lines}
        assert listed == set(archive.namelist()) - {"manifest.sha256"}
        packed = {name: archive.read(name) for name in listed if name.startswith("evidence/")}
    # The PDF and the email went in byte for byte, with the hashes taken at upload.
    assert sorted(packed.values()) == sorted([bill.read_bytes(), email.read_bytes()])
    digests = {digest for digest, name in lines if name.startswith("evidence/")}
    assert digests == {item.sha256 for item in stored.values()}
    fingerprint = hashlib.sha256(manifest.encode()).hexdigest()
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.PROOF_PACK)
    assert event.text_params["sha256"] == fingerprint

    page.goto(f"{live_server.url}/cases/{case.reference}/")
    expect(page.locator("#evidence")).to_contain_text(f"fingerprint {fingerprint[:12]}")
    Path("var/screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path="var/screenshots/evidence-case-360.png", full_page=True)
