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
from tests.browser import site
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
    page.get_by_role("group", name="File 1").get_by_label("Choose the file").set_input_files(
        str(bill)
    )
    page.locator("#id_kind_1").select_option("final_bill")
    page.locator("#id_note_1").fill("The last bill, nothing owed")
    page.get_by_role("group", name="File 2").get_by_label("Choose the file").set_input_files(
        str(email)
    )
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


MIXED_UPLOAD = {
    "en": {
        "open": "Add proof",
        "row": "File %d",
        "choose": "Choose the file",
        "added": "Added 2 files: photo.jpg, bill.pdf.",
        "refused": "report.pdf is really a ZIP archive, not a PDF.",
    },
    "zh-hans": {
        "open": "添加凭证",
        "row": "文件 %d",
        "choose": "选择文件",
        "added": "已添加 2 个文件：photo.jpg、bill.pdf。",
        "refused": "report.pdf 实际上是ZIP 压缩包，而不是PDF 文件。",
    },
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_mixed_upload_keeps_the_good_files_and_names_the_bad_one_at_360px(
    page: Page, live_server, tmp_path, language
):
    words = MIXED_UPLOAD[language]
    customer = factories.UserFactory()
    case = factories.CaseFactory(owner=customer, status=Case.Status.AWAITING_REVIEW)
    photo, bill, report = tmp_path / "photo.jpg", tmp_path / "bill.pdf", tmp_path / "report.pdf"
    photo.write_bytes(samples.phone_photo_jpeg())
    bill.write_bytes(samples.pdf_document())
    report.write_bytes(samples.zip_archive())
    signed_in(page, live_server, customer)
    site.set_language(page.context, live_server.url, language)

    page.goto(f"{live_server.url}/cases/{case.reference}/proof/add/")
    for number, path in enumerate([photo, bill, report], start=1):
        row = page.get_by_role("group", name=words["row"] % number)
        row.get_by_label(words["choose"]).set_input_files(str(path))
    page.get_by_role("button", name=words["open"]).click()

    # Back on the form: the two good files were added, the bad one is named for what it is.
    expect(page.locator(".message-success")).to_have_text(words["added"])
    expect(page.locator(".message-error")).to_contain_text(words["refused"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert sorted(Evidence.objects.filter(case=case).values_list("original_name", flat=True)) == [
        "bill.pdf",
        "photo.jpg",
    ]
    Path("var/screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=f"var/screenshots/evidence-mixed-360-{language}.png", full_page=True)
