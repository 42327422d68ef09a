"""Evidence on the staff case page: the files, "Add proof", the latest pack, ID views on record."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from cases.evidence import services as evidence_services
from cases.models import CaseEvent, Evidence
from tests import factories
from tests.cases.evidence import samples
from tests.cases.evidence.test_proof_pack import add_evidence
from tests.cases.staff.conftest import waiting_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem_rate_limits(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def staff_page(client, case) -> str:
    response = client.get(reverse("staff:case_detail", kwargs={"ref": case.reference}))
    assert response.status_code == 200
    return response.content.decode()


def test_agent_sees_the_files_and_the_latest_proof_pack(agent_client):
    case = waiting_case()
    bill = add_evidence(case, samples.pdf_document(), "final-bill.pdf", kind="final_bill")
    add_evidence(case, samples.phone_photo_jpeg(), "IMG_0042.JPG", note="The app's screen")
    agent_client.post(reverse("evidence:pack", args=[case.reference]))
    fingerprint = case.events.get(kind=CaseEvent.Kind.PROOF_PACK).text_params["sha256"]

    page = staff_page(agent_client, case)

    assert "final-bill.pdf" in page
    assert "The app&#x27;s screen" in page
    assert reverse("evidence:show", args=[bill.pk]) in page
    assert bill.sha256[:16] in page
    assert reverse("evidence:add", args=[case.reference]) in page
    assert reverse("evidence:pack", args=[case.reference]) in page
    assert f"fingerprint {fingerprint[:12]}" in page
    assert page.count('id="evidence"') == 1


def test_agent_adds_proof_from_the_staff_page_and_comes_back_to_it(agent_client, agent):
    case = waiting_case()
    assert (
        agent_client.get(reverse("evidence:add", args=[case.reference]), follow=True).status_code
        == 200
    )

    response = agent_client.post(
        reverse("evidence:add", args=[case.reference]),
        {
            "version": case.version,
            "file_1": SimpleUploadedFile("letter.pdf", samples.pdf_document()),
            "kind_1": "correspondence",
            "file_2": SimpleUploadedFile("Cancelled.eml", samples.confirmation_email()),
            "kind_2": "confirmation",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:case_detail", kwargs={"ref": case.reference})
    added = Evidence.objects.filter(case=case)
    assert sorted(added.values_list("original_name", flat=True)) == [
        "Cancelled.eml",
        "letter.pdf",
    ]
    assert {item.uploaded_by for item in added} == {agent}
    assert "letter.pdf" in staff_page(agent_client, case)


def test_evidence_pages_lead_an_agent_back_to_the_staff_case_page(agent_client):
    case = waiting_case()
    evidence = add_evidence(case, samples.pdf_document(), "bill.pdf")
    back = f'href="{reverse("staff:case_detail", kwargs={"ref": case.reference})}"'

    for url in (
        reverse("evidence:show", args=[evidence.pk]),
        reverse("evidence:delete", args=[evidence.pk]),
        reverse("evidence:pack", args=[case.reference]),
    ):
        assert back in agent_client.get(url).content.decode(), url


def test_the_staff_page_shows_no_id_image_and_opening_the_document_is_recorded(agent_client, agent):
    case = waiting_case()
    identity = add_evidence(case, samples.phone_photo_jpeg(), "passport.jpg", kind="identity")

    page = staff_page(agent_client, case)

    assert "passport.jpg" in page
    assert reverse("evidence:thumbnail", args=[identity.pk]) not in page
    assert not case.events.filter(kind=CaseEvent.Kind.EVIDENCE_VIEWED).exists()
    agent_client.get(reverse("evidence:show", args=[identity.pk]))
    [viewed] = case.events.filter(kind=CaseEvent.Kind.EVIDENCE_VIEWED)
    assert viewed.actor == agent
    assert viewed.visibility == CaseEvent.Visibility.INTERNAL
    assert "passport.jpg" in staff_page(agent_client, case)


def test_internal_notes_and_agent_id_views_never_reach_the_pack(agent_client, agent):
    case = waiting_case()
    identity = add_evidence(case, samples.pdf_document(), "id-card.pdf", kind="identity")
    agent_client.post(
        reverse("staff:case_note", kwargs={"ref": case.reference}),
        {"version": case.version, "note": "INTERNAL fraud check pending"},
    )
    evidence_services.record_identity_view(evidence=identity, by=agent)
    assert case.events.filter(visibility=CaseEvent.Visibility.INTERNAL).count() == 2

    response = agent_client.post(reverse("evidence:pack", args=[case.reference]))

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    reader = PdfReader(io.BytesIO(archive.read("summary.pdf")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert case.reference in text
    assert "INTERNAL" not in text
    assert "fraud" not in text
    assert "Identity document viewed" not in text


def test_staff_case_page_costs_the_same_with_no_files_or_many(agent_client):
    empty = waiting_case()
    full = waiting_case()
    for n in range(8):
        factories.EvidenceFactory(case=full, original_name=f"file-{n}.txt")
    for _ in range(3):
        factories.CaseEventFactory(
            case=full, kind=CaseEvent.Kind.PROOF_PACK, text_params={"sha256": "ab" * 32}
        )
    counts = []
    for case in (empty, full):
        with CaptureQueriesContext(connection) as captured:
            staff_page(agent_client, case)
        counts.append(len(captured))

    assert counts[0] == counts[1]


def test_agent_upload_keeps_the_good_files_names_the_bad_one_and_confirms(agent_client):
    case = waiting_case()
    add_url = reverse("evidence:add", args=[case.reference])
    response = agent_client.post(
        add_url,
        {
            "version": case.version,
            "file_1": SimpleUploadedFile("photo.jpg", samples.phone_photo_jpeg(), "image/jpeg"),
            "file_2": SimpleUploadedFile("report.pdf", samples.zip_archive(), "application/pdf"),
        },
    )
    assert response["Location"] == add_url
    page = agent_client.get(add_url, follow=True).content.decode()
    assert "Added 1 file: photo.jpg." in page
    assert "report.pdf is really a ZIP archive, not a PDF." in page

    response = agent_client.post(
        add_url,
        {
            "version": case.version + 1,
            "file_1": SimpleUploadedFile("bill.pdf", samples.pdf_document(), "application/pdf"),
        },
    )
    assert response["Location"] == reverse("staff:case_detail", kwargs={"ref": case.reference})
    assert "Added 1 file: bill.pdf." in staff_page(agent_client, case)
    assert sorted(Evidence.objects.filter(case=case).values_list("original_name", flat=True)) == [
        "bill.pdf",
        "photo.jpg",
    ]
