"""The proof pack: complete, checkable with sha256sum, and never holding internal notes."""

import hashlib
import io
import re
import shutil
import subprocess
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext, pgettext
from pypdf import PdfReader

from cases.evidence import files, proof_pack
from cases.models import Case, CaseEvent, Evidence
from tests import factories
from tests.cases.evidence import samples


def add_evidence(case: Case, content: bytes, name: str, **fields) -> Evidence:
    checked = files.check_upload(content, name=name)
    evidence = Evidence(
        case=case,
        kind=fields.pop("kind", Evidence.Kind.CONFIRMATION),
        original_name=checked.original_name,
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        **fields,
    )
    evidence.file.save("ignored", ContentFile(checked.content), save=False)
    if checked.thumbnail:
        evidence.thumbnail.save("ignored", ContentFile(checked.thumbnail), save=False)
    evidence.save()
    return evidence


@pytest.fixture
def case(db):
    case = factories.CaseFactory(
        status=Case.Status.COMPLETED,
        provider=factories.ProviderFactory(name="Demo Mobile", local_name="演示移动"),
        provider_reference="AB-123456",
    )
    factories.CaseEventFactory(
        case=case,
        kind=CaseEvent.Kind.STATUS,
        status_from=Case.Status.AWAITING_REVIEW,
        status_to=Case.Status.COMPLETED,
        message="Confirmed by email",
    )
    factories.CaseEventFactory(
        case=case,
        kind=CaseEvent.Kind.NOTE,
        visibility=CaseEvent.Visibility.INTERNAL,
        message="INTERNAL: customer sounded upset, check fraud flag",
    )
    factories.ContactAttemptFactory(
        case=case, channel_text="Hotline 0800 123", provider_reference="CALL-778899"
    )
    add_evidence(case, samples.confirmation_email(), "Cancelled.eml")
    add_evidence(case, samples.pdf_document(), "账单 (final).pdf", kind="final_bill")
    add_evidence(case, samples.phone_photo_jpeg(), "IMG_0042.JPG", note="Screenshot of the app")
    return case


def build(case: Case, **kwargs) -> tuple[zipfile.ZipFile, proof_pack.ProofPack]:
    out = io.BytesIO()
    pack = proof_pack.write_proof_pack(case=case, out=out, **kwargs)
    return zipfile.ZipFile(io.BytesIO(out.getvalue())), pack


def pdf_text(archive: zipfile.ZipFile) -> str:
    reader = PdfReader(io.BytesIO(archive.read("summary.pdf")))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_fonts(archive: zipfile.ZipFile) -> set[str]:
    reader = PdfReader(io.BytesIO(archive.read("summary.pdf")))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    return fonts


def test_pack_holds_every_file_the_summary_and_the_manifest(case):
    archive, pack = build(case)
    names = archive.namelist()
    assert names == [
        "evidence/01-Cancelled.eml",
        "evidence/02-账单_final.pdf",
        "evidence/03-IMG_0042.jpg",
        "summary.pdf",
        "manifest.sha256",
    ]
    for packed in pack.files:
        stored = Evidence.objects.get(pk=packed.evidence_id)
        assert archive.read(packed.name) == stored.file.open("rb").read()


def test_manifest_verifies_line_by_line_like_sha256sum(case):
    archive, pack = build(case)
    manifest = archive.read("manifest.sha256").decode()
    lines = manifest.splitlines()
    assert len(lines) == 4
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    assert proof_pack.verify_manifest(archive) == []
    assert pack.manifest == manifest
    assert pack.manifest_sha256 == hashlib.sha256(manifest.encode()).hexdigest()
    assert pack.fingerprint == pack.manifest_sha256[:12]


@pytest.mark.skipif(not shutil.which("sha256sum"), reason="needs coreutils sha256sum")
def test_manifest_passes_sha256sum_check(case, tmp_path):
    archive, _pack = build(case)
    archive.extractall(tmp_path / "pack")
    result = subprocess.run(
        ["sha256sum", "--check", "--strict", "manifest.sha256"],
        cwd=tmp_path / "pack",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": OK") == 4


def test_a_changed_file_in_a_copy_fails_the_check(case):
    archive, _pack = build(case)
    copy = io.BytesIO()
    with zipfile.ZipFile(copy, "w") as changed:
        for name in archive.namelist():
            content = archive.read(name)
            if name.endswith(".eml"):
                content = content.replace(b"AB-123456", b"AB-999999")
            changed.writestr(name, content)
    assert proof_pack.verify_manifest(zipfile.ZipFile(copy)) == ["evidence/01-Cancelled.eml"]


def test_summary_pdf_has_the_reference_dates_and_file_hashes(case):
    archive, pack = build(case)
    text = pdf_text(archive)
    assert case.reference in text
    assert "AB-123456" in text
    assert "CALL-778899" in text
    assert "0123" in text  # the line, masked (pypdf does not extract the bullets)
    assert "+447700900123" not in text
    assert "Confirmed by email" in text
    for packed in pack.files:
        assert packed.sha256[:32] in text
        assert packed.sha256[32:] in text
    assert "Screenshot of the app" in text


def test_summary_pdf_sets_chinese_in_the_cjk_font(case):
    archive, _pack = build(case)
    assert "演示移动" in pdf_text(archive)
    assert "/STSong-Light" in pdf_fonts(archive)


def test_chinese_case_gets_a_chinese_summary(case):
    case.language = "zh-hans"
    case.save()
    archive, _pack = build(case)
    text = pdf_text(archive)
    assert case.reference in text
    assert "证据包" in text or "凭证" in text
    assert "/STSong-Light" in pdf_fonts(archive)


def test_internal_notes_never_reach_the_pack(case):
    archive, _pack = build(case)
    assert "INTERNAL" not in pdf_text(archive)
    assert b"fraud" not in b"".join(archive.read(name) for name in archive.namelist())


def test_a_file_changed_in_storage_stops_the_pack(case):
    evidence = case.evidence.get(original_name="Cancelled.eml")
    with evidence.file.storage.open(evidence.file.name, "wb") as stored:
        stored.write(samples.confirmation_email().replace(b"AB-123456", b"AB-999999"))

    with pytest.raises(proof_pack.PackIntegrityError) as error:
        build(case)

    assert error.value.evidence == evidence
    assert error.value.actual
    assert error.value.actual != evidence.sha256
    assert "Cancelled.eml" in error.value.message


def test_a_file_missing_from_storage_stops_the_pack(case):
    evidence = case.evidence.get(original_name="IMG_0042.JPG")
    evidence.file.storage.delete(evidence.file.name)
    with pytest.raises(proof_pack.PackIntegrityError):
        build(case)


def test_progress_is_reported_per_file(case):
    seen = []
    build(case, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_case_without_evidence_still_gets_a_summary(db):
    archive, pack = build(factories.CaseFactory())
    assert archive.namelist() == ["summary.pdf", "manifest.sha256"]
    assert proof_pack.verify_manifest(archive) == []
    assert pack.files == []


def test_safe_name_keeps_letters_and_drops_path_and_markup():
    assert proof_pack.safe_name("../../etc/passwd") == "passwd"
    assert proof_pack.safe_name("确认 短信.txt") == "确认_短信.txt"
    assert proof_pack.safe_name("a\nb c.pdf") == "ab_c.pdf"
    assert proof_pack.safe_name("...") == "evidence"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_pack_timeline_reads_like_the_case_page_timeline(case, client, language):
    factories.CaseEventFactory(
        case=case,
        kind=CaseEvent.Kind.NOTE,
        text=CaseEvent.SUPPORT_MESSAGE,
        message="We called them",
    )
    factories.CaseEventFactory(case=case, kind=CaseEvent.Kind.CONTACT, message="Phoned the hotline")
    case.language = language
    case.save(update_fields=["language"])
    client.force_login(case.owner)
    page = client.get(f"/cases/{case.reference}/timeline/", HTTP_ACCEPT_LANGUAGE=language)
    archive, _pack = build(case)

    def squeezed(text: str) -> str:
        return "".join(text.split())

    page_text = squeezed(re.sub(r"<[^>]+>", "", page.content.decode()))
    pack_text = squeezed(pdf_text(archive))
    with translation.override(language):
        lines = []
        for event in CaseEvent.objects.filter(
            case=case, visibility=CaseEvent.Visibility.CUSTOMER
        ).exclude(kind=CaseEvent.Kind.STEP):
            heading, detail = str(event.line_heading), event.line_detail
            colon = pgettext("between a heading and its detail", ": ")
            lines.append(f"{heading}{colon}{detail}" if heading and detail else heading or detail)
    assert any("We called them" in line for line in lines)
    for line in lines:
        assert squeezed(escape(line)) in page_text, line
        assert squeezed(line) in pack_text, line
        # The support message is headed as on the page, not filed under the generic "Note".
        generic = f"{CaseEvent.Kind.NOTE.label}{colon}{gettext(CaseEvent.SUPPORT_MESSAGE)}"
    assert squeezed(generic) not in pack_text
