"""A large proof pack end to end: the page queues it, a real Celery worker makes it, the page
shows it ready, and the download verifies like `sha256sum -c`."""

import hashlib
import io
import json
import zipfile

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from cases.evidence import proof_pack
from cases.models import Case, CaseEvent, ProofPackBuild
from tests import factories
from tests.cases.evidence import samples
from tests.cases.evidence.test_proof_pack import add_evidence
from tests.worker.conftest import wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def test_worker_builds_a_large_pack_that_the_page_then_offers(client, worker_env, settings):
    settings.PROOF_PACK_SYNC_MAX_BYTES = 100
    # The worker reads the same evidence folder as this process (tests/conftest.py).
    location = django_settings.STORAGES["evidence"]["OPTIONS"]["location"]
    worker_env.start(EVIDENCE_STORAGE_OPTIONS=json.dumps({"location": location}))
    customer = factories.UserFactory()
    case = factories.CaseFactory(owner=customer, status=Case.Status.COMPLETED)
    for number in range(4):
        add_evidence(case, samples.pdf_document(f"Letter {number}"), f"letter-{number}.pdf")
    client.force_login(customer)

    response = client.post(reverse("evidence:pack", args=[case.reference]))
    assert response.status_code == 302

    def ready() -> ProofPackBuild | None:
        build = ProofPackBuild.objects.get(case=case)
        assert build.state != ProofPackBuild.State.FAILED, worker_env.workers[0].log
        return build if build.state == ProofPackBuild.State.READY else None

    build = wait_for(ready, timeout=60, what="the worker to make the pack")
    assert isinstance(build, ProofPackBuild)
    page = client.get(reverse("evidence:pack", args=[case.reference])).content.decode()
    assert "Your proof pack is ready." in page
    download = client.get(reverse("evidence:pack_download", args=[case.reference, build.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert proof_pack.verify_manifest(archive) == []
    assert hashlib.sha256(archive.read("manifest.sha256")).hexdigest() == build.manifest_sha256
    assert (build.files_done, build.files_total) == (4, 4)
    event = case.events.get(kind=CaseEvent.Kind.PROOF_PACK)
    assert event.text_params["sha256"] == build.manifest_sha256
    assert "build_proof_pack" in worker_env.workers[0].log
