"""Evidence pages as people use them: add proof, open it, delete it, download the pack."""

import datetime as dt
import hashlib
import io
import zipfile

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.evidence import proof_pack
from cases.evidence import services as evidence_services
from cases.evidence.emails import send_retention_warning
from cases.models import Case, CaseEvent, Evidence
from tests import factories
from tests.cases.evidence import samples
from tests.cases.evidence.test_proof_pack import add_evidence


@pytest.fixture(autouse=True)
def _locmem_rate_limits(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def case(customer):
    return factories.CaseFactory(owner=customer, status=Case.Status.AWAITING_REVIEW)


@pytest.fixture
def evidence(case):
    return add_evidence(case, samples.pdf_document(), "final-bill.pdf", kind="final_bill")


def upload(client, case, **rows):
    data = {"version": case.version, **rows}
    return client.post(reverse("evidence:add", args=[case.reference]), data)


def evidence_urls(evidence: Evidence) -> list[tuple[str, str]]:
    ref = evidence.case.reference
    return [
        ("get", reverse("evidence:add", args=[ref])),
        ("post", reverse("evidence:add", args=[ref])),
        ("get", reverse("evidence:pack", args=[ref])),
        ("post", reverse("evidence:pack", args=[ref])),
        ("get", reverse("evidence:delete_case", args=[ref])),
        ("get", reverse("evidence:show", args=[evidence.pk])),
        ("get", reverse("evidence:download", args=[evidence.pk])),
        ("get", reverse("evidence:thumbnail", args=[evidence.pk])),
        ("get", reverse("evidence:delete", args=[evidence.pk])),
        ("post", reverse("evidence:delete", args=[evidence.pk])),
    ]


def test_other_customer_gets_404_for_every_evidence_and_pack_url(client, other_customer, evidence):
    client.force_login(other_customer)
    for method, url in evidence_urls(evidence):
        assert getattr(client, method)(url).status_code == 404, url
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_anonymous_visitor_gets_404_for_every_evidence_and_pack_url(client, evidence):
    for method, url in evidence_urls(evidence):
        assert getattr(client, method)(url).status_code == 404, url


def test_owner_adds_several_files_with_a_kind_and_note_each(client, customer, case):
    client.force_login(customer)
    response = upload(
        client,
        case,
        file_1=SimpleUploadedFile("IMG_1.HEIC", samples.heic_photo(), "image/heic"),
        kind_1="confirmation",
        note_1="Screenshot of the app",
        file_2=SimpleUploadedFile("bill.pdf", samples.pdf_document(), "application/pdf"),
        kind_2="final_bill",
        pasted_text="Demo Mobile: your line is cancelled. Ref AB-1.",
        pasted_kind="correspondence",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.reference])
    kept = {e.original_name: e for e in Evidence.objects.filter(case=case)}
    assert set(kept) == {"IMG_1.HEIC", "bill.pdf", "pasted-message.txt"}
    assert kept["IMG_1.HEIC"].content_type == "image/jpeg"
    assert kept["IMG_1.HEIC"].note == "Screenshot of the app"
    assert kept["bill.pdf"].kind == "final_bill"
    assert kept["pasted-message.txt"].kind == "correspondence"
    event = case.events.get(kind=CaseEvent.Kind.EVIDENCE)
    assert "bill.pdf" in event.message
    case.refresh_from_db()
    assert case.version == 2
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert "bill.pdf" in page
    assert "Add proof" in page


def test_refused_file_is_explained_next_to_its_input(client, customer, case):
    client.force_login(customer)
    response = upload(
        client, case, file_1=SimpleUploadedFile("bill.pdf", samples.html_page(), "application/pdf")
    )
    assert response.status_code == 200
    assert "Closeout keeps PDF files" in response.content.decode()
    assert not Evidence.objects.filter(case=case).exists()


def test_oversized_upload_is_refused_with_the_cap(client, customer, case, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 100 * 1024
    client.force_login(customer)
    big = samples.pdf_document() + b"%" * (1024 * 1024)
    response = upload(client, case, file_1=SimpleUploadedFile("bill.pdf", big))
    assert response.status_code == 200
    assert "larger than 100 KB" in response.content.decode()
    assert not Evidence.objects.filter(case=case).exists()


def test_identity_upload_warns_first_and_is_kept_30_days(client, customer, case):
    client.force_login(customer)
    form = client.get(reverse("evidence:add", args=[case.reference]), follow=True).content.decode()
    assert "official channel" in form
    assert "30 days" in form
    upload(
        client,
        case,
        file_1=SimpleUploadedFile("id.png", samples.image_bytes("PNG")),
        kind_1="identity",
    )
    evidence = Evidence.objects.get(case=case)
    assert evidence.retain_until is not None
    assert (evidence.retain_until - timezone.now()).days in (29, 30)


def test_pdf_is_served_as_an_attachment_only(client, customer, evidence):
    client.force_login(customer)
    response = client.get(reverse("evidence:download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_reencoded_image_and_thumbnail_show_inline(client, customer, case):
    image = add_evidence(case, samples.phone_photo_jpeg(), "photo.jpg")
    client.force_login(customer)
    response = client.get(reverse("evidence:download", args=[image.pk]))
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Cache-Control"] == "private, no-store"
    thumb = client.get(reverse("evidence:thumbnail", args=[image.pk]))
    assert thumb["Content-Type"] == "image/jpeg"
    assert thumb["Content-Disposition"] == "inline"


def test_eml_is_shown_as_escaped_text(client, customer, case):
    email = add_evidence(case, samples.confirmation_email(), "Cancelled.eml")
    client.force_login(customer)
    page = client.get(reverse("evidence:show", args=[email.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "您的号码已注销" in page
    download = client.get(reverse("evidence:download", args=[email.pk]))
    assert download["Content-Disposition"].startswith("attachment;")


def test_agent_view_of_an_identity_document_is_recorded(client, agent, case):
    identity = add_evidence(case, samples.image_bytes("PNG"), "passport.png", kind="identity")
    client.force_login(agent)
    assert client.get(reverse("evidence:download", args=[identity.pk])).status_code == 200
    event = case.events.get(kind=CaseEvent.Kind.EVIDENCE_VIEWED)
    assert event.visibility == CaseEvent.Visibility.INTERNAL
    assert event.actor == agent
    assert event.message == "passport.png"


def test_owner_deletes_a_file_and_the_timeline_keeps_its_name_and_hash(
    client, customer, evidence, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    storage, name = evidence.file.storage, evidence.file.name
    url = reverse("evidence:delete", args=[evidence.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"version": evidence.case.version})
    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert not storage.exists(name)
    tombstone = evidence.case.events.get(kind=CaseEvent.Kind.EVIDENCE_DELETED)
    assert "final-bill.pdf" in tombstone.summary
    assert evidence.sha256 in tombstone.summary


def test_owner_cannot_delete_files_of_a_closed_case_but_an_agent_can(client, customer, agent):
    closed = factories.CaseFactory(owner=customer, status=Case.Status.COMPLETED)
    evidence = add_evidence(closed, samples.pdf_document(), "bill.pdf")
    client.force_login(customer)
    client.post(reverse("evidence:delete", args=[evidence.pk]), {"version": closed.version})
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    client.force_login(agent)
    client.post(reverse("evidence:delete", args=[evidence.pk]), {"version": closed.version})
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


def test_proof_pack_download_is_recorded_and_shown_on_the_case(client, customer, evidence):
    case = evidence.case
    client.force_login(customer)
    response = client.post(reverse("evidence:pack", args=[case.reference]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert proof_pack.verify_manifest(archive) == []
    fingerprint = response["X-Proof-Pack-Fingerprint"]
    assert hashlib.sha256(archive.read("manifest.sha256")).hexdigest() == fingerprint
    event = case.events.get(kind=CaseEvent.Kind.PROOF_PACK)
    assert event.text_params["sha256"] == fingerprint
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert f"fingerprint {fingerprint[:12]}" in page


def test_agent_downloads_the_proof_pack_too(client, agent, evidence):
    client.force_login(agent)
    response = client.post(reverse("evidence:pack", args=[evidence.case.reference]))
    assert response["Content-Type"] == "application/zip"


def test_a_tampered_file_stops_the_pack_with_a_message(client, customer, evidence):
    with evidence.file.storage.open(evidence.file.name, "wb") as stored:
        stored.write(b"%PDF-1.4 changed later\n%%EOF")
    client.force_login(customer)
    response = client.post(reverse("evidence:pack", args=[evidence.case.reference]))
    assert response.status_code == 409
    assert "does not match the fingerprint" in response.content.decode()
    assert not evidence.case.events.filter(kind=CaseEvent.Kind.PROOF_PACK).exists()


def test_they_confirmed_with_a_pasted_message_instead_of_a_reference(client, customer, case):
    client.force_login(customer)
    response = client.post(
        reverse("cases:outcome", args=[case.reference]),
        {
            "version": case.version,
            "outcome": "confirmed",
            "reference": "",
            "confirmation_text": "Your cancellation is complete. Thank you.",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED
    kept = Evidence.objects.get(case=case)
    assert kept.kind == Evidence.Kind.CONFIRMATION
    assert kept.content_type == "text/plain"


def test_they_confirmed_with_a_confirmation_file(client, customer, case):
    client.force_login(customer)
    client.post(
        reverse("cases:outcome", args=[case.reference]),
        {
            "version": case.version,
            "outcome": "confirmed",
            "confirmation_file": SimpleUploadedFile("ok.eml", samples.confirmation_email()),
        },
    )
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED
    assert Evidence.objects.get(case=case).content_type == "message/rfc822"


def test_they_confirmed_without_reference_or_proof_is_refused(client, customer, case):
    client.force_login(customer)
    response = client.post(
        reverse("cases:outcome", args=[case.reference]),
        {"version": case.version, "outcome": "confirmed"},
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_REVIEW


def test_customer_deletes_a_finished_case_leaving_an_anonymous_row(client, customer):
    case = factories.CaseFactory(
        owner=customer, status=Case.Status.COMPLETED, imei="356938035643809"
    )
    evidence = add_evidence(case, samples.pdf_document(), "bill.pdf")
    factories.CaseEventFactory(case=case, message="private note")
    client.force_login(customer)
    assert client.get(reverse("evidence:delete_case", args=[case.reference])).status_code == 200
    response = client.post(
        reverse("evidence:delete_case", args=[case.reference]), {"version": case.version}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.owner is None
    assert case.phone_number == case.imei == case.phone_last4 == ""
    assert case.provider_id
    assert case.status == Case.Status.COMPLETED
    assert not Evidence.objects.filter(case=case).exists()
    events = list(case.events.all())
    assert [e.kind for e in events] == [CaseEvent.Kind.CASE_DELETED]
    assert evidence.sha256 in events[0].summary
    assert client.get(reverse("cases:detail", args=[case.reference])).status_code == 404


def test_open_case_cannot_be_deleted(client, customer, case):
    client.force_login(customer)
    client.post(reverse("evidence:delete_case", args=[case.reference]), {"version": case.version})
    case.refresh_from_db()
    assert case.owner == customer


def test_retention_warns_then_purges_exactly_what_it_should(customer, settings):
    settings.CASE_RETENTION_DAYS = 180
    start = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        old = factories.CaseFactory(
            owner=customer, status=Case.Status.COMPLETED, completed_at=timezone.now()
        )
        old_file = add_evidence(old, samples.pdf_document(), "bill.pdf")
        recent = factories.CaseFactory(owner=customer, status=Case.Status.COMPLETED)
        open_case = factories.CaseFactory(owner=customer, status=Case.Status.AWAITING_REVIEW)
        identity = add_evidence(open_case, samples.image_bytes("PNG"), "id.png", kind="identity")
        identity.retain_until = timezone.now() + dt.timedelta(days=30)
        identity.save()
        kept = add_evidence(open_case, samples.pdf_document(), "letter.pdf")

    def run(days: int) -> dict:
        with time_machine.travel(start + dt.timedelta(days=days), tick=False):
            if days > 100:
                Case.objects.filter(pk=recent.pk).update(completed_at=timezone.now())
            return evidence_services.purge_expired(
                now=timezone.now(), send_warning=send_retention_warning
            )

    assert run(29) == {"warned": 0, "purged_cases": 0, "purged_identity": 0}
    assert run(31) == {"warned": 0, "purged_cases": 0, "purged_identity": 1}
    assert not Evidence.objects.filter(pk=identity.pk).exists()
    assert Evidence.objects.filter(pk=kept.pk).exists()

    assert run(166) == {"warned": 1, "purged_cases": 0, "purged_identity": 0}
    assert len(mail.outbox) == 1
    assert reverse("evidence:pack", args=[old.reference]) in mail.outbox[0].body
    assert run(167)["warned"] == 0  # once

    assert run(180)["purged_cases"] == 1
    old.refresh_from_db()
    assert old.purged_at is not None
    assert old.phone_number == ""
    assert old.owner == customer
    assert not Evidence.objects.filter(pk=old_file.pk).exists()
    assert old_file.sha256 in old.events.get(kind=CaseEvent.Kind.RETENTION).summary
    assert Evidence.objects.filter(pk=kept.pk).exists()
    recent.refresh_from_db()
    assert recent.purged_at is None


# --- A mixed upload: good files kept, the bad one named (what it really is) --------------------


def test_good_files_are_kept_and_the_bad_one_is_named_with_what_it_really_is(
    client, customer, case
):
    client.force_login(customer)
    response = upload(
        client,
        case,
        file_1=SimpleUploadedFile("photo.jpg", samples.phone_photo_jpeg(), "image/jpeg"),
        file_2=SimpleUploadedFile("bill.pdf", samples.pdf_document(), "application/pdf"),
        file_3=SimpleUploadedFile("report.pdf", samples.zip_archive(), "application/pdf"),
        kind_3="final_bill",
    )

    # Back to the form, to add the refused file again; the two good ones are on the case.
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:add", args=[case.reference])
    kept = Evidence.objects.filter(case=case).order_by("original_name")
    assert [e.original_name for e in kept] == ["bill.pdf", "photo.jpg"]
    page = client.get(response["Location"], follow=True).content.decode()
    assert "Added 2 files: photo.jpg, bill.pdf." in page
    assert "report.pdf is really a ZIP archive, not a PDF." in page
    assert "Choose a file to add" not in page


def test_an_upload_of_only_bad_files_keeps_nothing_and_names_each(client, customer, case):
    client.force_login(customer)
    response = upload(
        client,
        case,
        file_1=SimpleUploadedFile("report.pdf", samples.zip_archive(), "application/pdf"),
        file_2=SimpleUploadedFile("scan.jpg", samples.windows_executable(), "image/jpeg"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "report.pdf is really a ZIP archive, not a PDF." in page
    assert "scan.jpg is really a program, not a JPEG photo." in page
    assert not Evidence.objects.filter(case=case).exists()


def test_when_nothing_can_be_kept_the_good_files_to_choose_again_are_named(client, customer, case):
    client.force_login(customer)
    response = upload(
        client,
        case,
        file_1=SimpleUploadedFile("photo.jpg", samples.phone_photo_jpeg(), "image/jpeg"),
        note_1="x" * 501,  # too long: this row cannot be kept as it is
        file_2=SimpleUploadedFile("report.pdf", samples.zip_archive(), "application/pdf"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was added yet. Once the rest is right, choose photo.jpg again." in page
    assert not Evidence.objects.filter(case=case).exists()


def test_a_successful_upload_is_confirmed_on_the_page_it_returns_to(client, customer, case):
    client.force_login(customer)
    response = upload(client, case, file_1=SimpleUploadedFile("bill.pdf", samples.pdf_document()))
    assert response["Location"] == reverse("cases:detail", args=[case.reference])
    page = client.get(response["Location"], follow=True).content.decode()
    assert "Added 1 file: bill.pdf." in page


def test_the_upload_script_is_told_where_to_go_so_the_confirmation_survives(client, customer, case):
    client.force_login(customer)
    response = client.post(
        reverse("evidence:add", args=[case.reference]),
        {"version": case.version, "file_1": SimpleUploadedFile("bill.pdf", samples.pdf_document())},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("cases:detail", args=[case.reference])
    assert "Added 1 file: bill.pdf." in client.get(response["HX-Redirect"]).content.decode()


def test_an_oversized_file_gets_one_message_naming_it_and_the_limit(
    client, customer, case, settings
):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 100 * 1024
    client.force_login(customer)
    big = samples.pdf_document() + b"%" * (1024 * 1024)
    response = upload(
        client,
        case,
        file_1=SimpleUploadedFile("photo.jpg", samples.phone_photo_jpeg(), "image/jpeg"),
        file_2=SimpleUploadedFile("statement.pdf", big),
    )
    page = response.content.decode()
    assert "statement.pdf is larger than 100 KB" in page
    assert "choose any other files again" in page
    assert "Choose a file to add" not in page
    assert page.count("statement.pdf is larger than") == 2  # the summary and beside its row
    assert 'id="id_file_2_error"' in page
    assert not Evidence.objects.filter(case=case).exists()


def test_each_upload_row_has_its_legend_and_a_label_of_its_own(client, customer, case):
    client.force_login(customer)
    page = client.get(reverse("evidence:add", args=[case.reference]), follow=True).content.decode()
    assert "<legend>File 1</legend>" in page
    assert "<legend>File 2</legend>" in page
    assert page.count(">Choose the file</label>") == 3
    assert ">File 1</label>" not in page
