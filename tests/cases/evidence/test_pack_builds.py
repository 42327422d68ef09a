"""Large proof packs: queued for a worker, progress on the page, kept for a day, then gone.

The task runs here in eager mode (`apply`): the same body a worker runs. The end-to-end
run with a real worker process is tests/worker/test_proof_pack_worker.py.
"""

import datetime as dt
import hashlib
import io
import zipfile

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import tasks
from cases.evidence import proof_pack
from cases.evidence import services as evidence_services
from cases.models import Case, CaseEvent, Evidence, ProofPackBuild
from tests import factories
from tests.cases.evidence import samples
from tests.cases.evidence.test_proof_pack import add_evidence

pytestmark = pytest.mark.django_db

State = ProofPackBuild.State


@pytest.fixture(autouse=True)
def _every_pack_is_large(settings):
    settings.PROOF_PACK_SYNC_MAX_BYTES = 100  # any real file is over it


@pytest.fixture
def case(customer):
    case = factories.CaseFactory(owner=customer, status=Case.Status.COMPLETED)
    add_evidence(case, samples.pdf_document(), "final-bill.pdf", kind="final_bill")
    add_evidence(case, samples.confirmation_email(), "Cancelled.eml")
    add_evidence(case, samples.phone_photo_jpeg(), "IMG_0042.JPG")
    return case


def pack_url(case: Case) -> str:
    return reverse("evidence:pack", args=[case.reference])


def request_pack(client, case: Case, django_capture_on_commit_callbacks) -> ProofPackBuild:
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(pack_url(case))
    assert response.status_code == 302
    assert response["Location"] == pack_url(case)
    assert len(queued) == 1  # the task is sent after commit
    return ProofPackBuild.objects.get(case=case)


def run_worker_task(build: ProofPackBuild) -> str:
    return tasks.build_proof_pack.apply(kwargs={"build_id": build.pk}).get()


def test_large_pack_is_queued_and_the_page_shows_it_waiting(
    client, customer, case, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    build = request_pack(client, case, django_capture_on_commit_callbacks)

    assert build.state == State.QUEUED
    assert build.files_total == 3
    assert build.requested_by == customer
    page = client.get(pack_url(case)).content.decode()
    assert "Making the proof pack" in page
    assert "Waiting for its turn." in page
    assert 'hx-trigger="every 2s"' in page  # htmx polls; without JS a reload shows the same
    assert "Check again" in page
    assert not case.events.filter(kind=CaseEvent.Kind.PROOF_PACK).exists()


def test_polling_gets_only_the_progress_fragment(
    client, customer, case, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    build = request_pack(client, case, django_capture_on_commit_callbacks)
    ProofPackBuild.objects.filter(pk=build.pk).update(
        state=State.BUILDING, files_done=2, started_at=timezone.now()
    )

    response = client.get(pack_url(case), headers={"HX-Request": "true"})

    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section id="pack-build"')
    assert "2 of 3 files packed." in fragment
    assert '<progress class="pack-progress" max="3" value="2">' in fragment
    assert "<html" not in fragment
    assert "HX-Request" in response["Vary"]
    assert "no-store" in response["Cache-Control"]


def test_a_second_click_does_not_start_a_second_build(
    client, customer, case, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    first = request_pack(client, case, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks() as queued:
        client.post(pack_url(case))

    assert list(ProofPackBuild.objects.filter(case=case)) == [first]
    assert queued == []


def test_a_build_nobody_started_is_queued_again_on_the_next_click(
    client, customer, case, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    build = request_pack(client, case, django_capture_on_commit_callbacks)
    ProofPackBuild.objects.filter(pk=build.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks() as queued:
        client.post(pack_url(case))

    assert ProofPackBuild.objects.filter(case=case).count() == 1
    assert len(queued) == 1


def test_a_build_whose_worker_died_offers_the_button_again_after_its_lease(
    client, customer, case, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    build = request_pack(client, case, django_capture_on_commit_callbacks)
    started = timezone.now() - evidence_services.BUILD_LEASE + dt.timedelta(minutes=1)
    ProofPackBuild.objects.filter(pk=build.pk).update(state=State.BUILDING, started_at=started)
    assert "Make the proof pack" not in client.get(pack_url(case)).content.decode()

    ProofPackBuild.objects.filter(pk=build.pk).update(started_at=started - dt.timedelta(minutes=2))
    assert "Make the proof pack" in client.get(pack_url(case)).content.decode()
    with django_capture_on_commit_callbacks() as queued:
        client.post(pack_url(case))
    assert len(queued) == 1
    # The task takes the build over from the dead worker and finishes it.
    assert run_worker_task(build) == "ready"


def test_the_finished_pack_downloads_verifies_and_is_on_the_case(
    client, customer, case, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    build = request_pack(client, case, django_capture_on_commit_callbacks)

    assert run_worker_task(build) == "ready"

    build.refresh_from_db()
    assert build.state == State.READY
    assert (build.files_done, build.files_total) == (3, 3)
    page = client.get(pack_url(case), headers={"HX-Request": "true"}).content.decode()
    assert "Your proof pack is ready." in page
    assert "hx-trigger" not in page  # polling stops
    assert f"fingerprint {build.fingerprint}" in page
    response = client.get(reverse("evidence:pack_download", args=[case.reference, build.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    assert response["X-Content-Type-Options"] == "nosniff"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert proof_pack.verify_manifest(archive) == []
    assert len([n for n in archive.namelist() if n.startswith("evidence/")]) == 3
    fingerprint = hashlib.sha256(archive.read("manifest.sha256")).hexdigest()
    assert fingerprint == build.manifest_sha256 == response["X-Proof-Pack-Fingerprint"]
    event = case.events.get(kind=CaseEvent.Kind.PROOF_PACK)
    assert event.text_params["sha256"] == fingerprint
    assert event.actor == customer
    case_page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert f"fingerprint {fingerprint[:12]}" in case_page


def test_a_redelivered_task_does_not_build_twice(
    client, customer, case, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    build = request_pack(client, case, django_capture_on_commit_callbacks)

    assert run_worker_task(build) == "ready"
    assert run_worker_task(build) == "skipped"
    assert case.events.filter(kind=CaseEvent.Kind.PROOF_PACK).count() == 1


def test_a_tampered_file_fails_the_build_with_its_name(
    client, customer, case, django_capture_on_commit_callbacks
):
    evidence = Evidence.objects.filter(case=case).first()
    assert evidence is not None
    with evidence.file.storage.open(evidence.file.name, "wb") as stored:
        stored.write(b"changed later")
    client.force_login(customer)
    build = request_pack(client, case, django_capture_on_commit_callbacks)

    assert run_worker_task(build) == "failed"

    build.refresh_from_db()
    assert build.state == State.FAILED
    assert not build.file
    page = client.get(pack_url(case)).content.decode()
    assert f"The file “{evidence.original_name}” does not match the fingerprint" in page
    assert not case.events.filter(kind=CaseEvent.Kind.PROOF_PACK).exists()
    # A new try is possible: the button is back.
    assert "Make the proof pack" in page


def test_a_pack_is_kept_for_a_day_then_deleted(
    client, customer, case, settings, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    build = request_pack(client, case, django_capture_on_commit_callbacks)
    run_worker_task(build)
    build.refresh_from_db()
    storage, name = build.file.storage, build.file.name
    url = reverse("evidence:pack_download", args=[case.reference, build.pk])
    assert storage.exists(name)

    later = timezone.now() + dt.timedelta(seconds=settings.PROOF_PACK_KEEP_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert client.get(url).status_code == 404
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.purge_expired_proof_packs.apply().get() == 1
        assert "Your proof pack is ready." not in client.get(pack_url(case)).content.decode()

    assert not storage.exists(name)
    assert not ProofPackBuild.objects.exists()
    # The fingerprint stays on the case.
    assert case.events.filter(kind=CaseEvent.Kind.PROOF_PACK).exists()


def test_a_fresh_pack_survives_the_hourly_purge(
    client, customer, case, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    build = request_pack(client, case, django_capture_on_commit_callbacks)
    run_worker_task(build)

    assert evidence_services.purge_expired_proof_packs(now=timezone.now()) == 0
    assert ProofPackBuild.objects.filter(pk=build.pk, state=State.READY).exists()


def test_deleting_a_file_deletes_the_kept_pack_that_holds_it(
    client, agent, case, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    build = request_pack(client, case, django_capture_on_commit_callbacks)
    run_worker_task(build)
    build.refresh_from_db()
    storage, name = build.file.storage, build.file.name
    evidence = Evidence.objects.filter(case=case).first()
    assert evidence is not None
    case.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("evidence:delete", args=[evidence.pk]), {"version": case.version})

    assert not ProofPackBuild.objects.filter(case=case).exists()
    assert not storage.exists(name)


def test_a_case_deleted_while_its_pack_is_made_keeps_no_pack(
    client, customer, case, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    build = request_pack(client, case, django_capture_on_commit_callbacks)
    case.refresh_from_db()
    evidence_services.delete_case(case=case, by=customer, version=case.version)

    assert run_worker_task(build) == "skipped"
    assert not ProofPackBuild.objects.exists()


def test_a_small_pack_still_downloads_at_once(client, customer, settings):
    settings.PROOF_PACK_SYNC_MAX_BYTES = 20 * 1024 * 1024
    case = factories.CaseFactory(owner=customer, status=Case.Status.COMPLETED)
    add_evidence(case, samples.pdf_document(), "final-bill.pdf")
    client.force_login(customer)

    response = client.post(pack_url(case))

    assert response["Content-Type"] == "application/zip"
    assert not ProofPackBuild.objects.exists()


def test_stranger_and_anonymous_get_404_for_a_kept_pack(
    client, customer, other_customer, case, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    build = request_pack(client, case, django_capture_on_commit_callbacks)
    run_worker_task(build)
    url = reverse("evidence:pack_download", args=[case.reference, build.pk])
    other_case = factories.CaseFactory(owner=other_customer, status=Case.Status.COMPLETED)

    client.logout()
    assert client.get(url).status_code == 404
    client.force_login(other_customer)
    assert client.get(url).status_code == 404
    assert client.get(pack_url(case), headers={"HX-Request": "true"}).status_code == 404
    # Their own case's reference with this pack's id is no way in either.
    other_url = reverse("evidence:pack_download", args=[other_case.reference, build.pk])
    assert client.get(other_url).status_code == 404
