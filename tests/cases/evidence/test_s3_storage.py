"""Evidence in an S3-compatible bucket (django-storages' S3Storage), as several web nodes use it.

A real S3 API over HTTP: moto's server on a free port of 127.0.0.1, one fresh bucket per
test. Upload, serve, proof pack (streamed and worker-made) and delete all go through it.
"""

import hashlib
import io
import socket
import uuid
import zipfile

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from cases import tasks
from cases.evidence import proof_pack
from cases.models import Case, CaseEvent, Evidence, ProofPackBuild
from tests import factories
from tests.cases.evidence import samples

pytestmark = pytest.mark.django_db

CREDENTIALS = {"aws_access_key_id": "closeout-test", "aws_secret_access_key": "closeout-test"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    """A fresh bucket, and the evidence storage pointed at it as EVIDENCE_STORAGE_* would."""
    name = f"closeout-evidence-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **CREDENTIALS)
    client.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "addressing_style": "path",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    return Bucket(client=client, name=name)


class Bucket:
    def __init__(self, *, client, name: str) -> None:
        self.client = client
        self.name = name

    def object_keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def write(self, key: str, content: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=content)


@pytest.fixture
def case(customer):
    return factories.CaseFactory(owner=customer, status=Case.Status.AWAITING_REVIEW)


def upload(client, case: Case, **rows) -> Evidence:
    case.refresh_from_db()  # the version the page would show now
    response = client.post(
        reverse("evidence:add", args=[case.reference]), {"version": case.version, **rows}
    )
    assert response.status_code == 302, response.content.decode()
    return Evidence.objects.filter(case=case).latest("uploaded_at")


def test_upload_lands_in_the_bucket_under_a_random_key(client, customer, case, bucket):
    client.force_login(customer)
    pdf = samples.pdf_document()

    evidence = upload(
        client, case, file_1=SimpleUploadedFile("Bill March.pdf", pdf), kind_1="final_bill"
    )

    assert bucket.object_keys() == [evidence.file.name]
    assert evidence.file.name.startswith("evidence/")
    assert "Bill" not in evidence.file.name
    assert bucket.read(evidence.file.name) == pdf
    assert hashlib.sha256(pdf).hexdigest() == evidence.sha256


def test_a_photo_and_its_thumbnail_are_served_from_the_bucket(client, customer, case, bucket):
    client.force_login(customer)
    evidence = upload(
        client, case, file_1=SimpleUploadedFile("IMG_1.JPG", samples.phone_photo_jpeg())
    )
    assert bucket.object_keys() == sorted([evidence.file.name, evidence.thumbnail.name])

    served = client.get(reverse("evidence:download", args=[evidence.pk]))
    thumbnail = client.get(reverse("evidence:thumbnail", args=[evidence.pk]))

    content = b"".join(served.streaming_content)
    assert content == bucket.read(evidence.file.name)
    assert hashlib.sha256(content).hexdigest() == evidence.sha256
    assert served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "private, no-store"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(thumbnail.streaming_content)[:3] == b"\xff\xd8\xff"
    # Never a bucket URL: the file only leaves through the view that checks access.
    page = client.get(reverse("evidence:show", args=[evidence.pk])).content.decode()
    assert bucket.name not in page


def test_stranger_gets_404_for_a_file_in_the_bucket(client, customer, other_customer, case, bucket):
    client.force_login(customer)
    evidence = upload(client, case, file_1=SimpleUploadedFile("bill.pdf", samples.pdf_document()))
    client.force_login(other_customer)

    assert client.get(reverse("evidence:download", args=[evidence.pk])).status_code == 404


def test_proof_pack_streams_from_the_bucket_and_verifies(client, customer, case, bucket):
    client.force_login(customer)
    upload(client, case, file_1=SimpleUploadedFile("bill.pdf", samples.pdf_document()))
    upload(client, case, file_1=SimpleUploadedFile("Cancelled.eml", samples.confirmation_email()))

    response = client.post(reverse("evidence:pack", args=[case.reference]))

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert proof_pack.verify_manifest(archive) == []
    assert len([name for name in archive.namelist() if name.startswith("evidence/")]) == 2


def test_worker_made_pack_is_kept_in_the_bucket(
    client, customer, case, bucket, settings, django_capture_on_commit_callbacks
):
    settings.PROOF_PACK_SYNC_MAX_BYTES = 100
    client.force_login(customer)
    upload(client, case, file_1=SimpleUploadedFile("bill.pdf", samples.pdf_document()))
    client.post(reverse("evidence:pack", args=[case.reference]))
    build = ProofPackBuild.objects.get(case=case)

    assert tasks.build_proof_pack.apply(kwargs={"build_id": build.pk}).get() == "ready"

    build.refresh_from_db()
    assert build.file.name.startswith("proof-packs/")
    assert build.file.name in bucket.object_keys()
    download = client.get(reverse("evidence:pack_download", args=[case.reference, build.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert proof_pack.verify_manifest(archive) == []
    assert hashlib.sha256(archive.read("manifest.sha256")).hexdigest() == build.manifest_sha256


def test_a_file_changed_in_the_bucket_stops_the_pack(client, customer, case, bucket):
    client.force_login(customer)
    evidence = upload(client, case, file_1=SimpleUploadedFile("bill.pdf", samples.pdf_document()))
    bucket.write(evidence.file.name, b"%PDF-1.4 changed in the bucket\n%%EOF")

    response = client.post(reverse("evidence:pack", args=[case.reference]))

    assert response.status_code == 409
    assert not case.events.filter(kind=CaseEvent.Kind.PROOF_PACK).exists()


def test_deleting_a_file_removes_it_from_the_bucket_after_commit(
    client, customer, case, bucket, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    evidence = upload(
        client, case, file_1=SimpleUploadedFile("IMG_1.JPG", samples.phone_photo_jpeg())
    )
    case.refresh_from_db()
    assert len(bucket.object_keys()) == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("evidence:delete", args=[evidence.pk]), {"version": case.version}
        )

    assert response.status_code == 302
    assert bucket.object_keys() == []
    tombstone = case.events.get(kind=CaseEvent.Kind.EVIDENCE_DELETED)
    assert tombstone.text_params["sha256"] == evidence.sha256
