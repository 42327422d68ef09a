"""A file stored for a write that then fails is deleted again: no file without its row."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection

from cases.evidence import files
from cases.evidence import services as evidence_services
from cases.models import Case, CaseEvent, Evidence
from cases.transitions import TransitionNotAllowed
from tests import factories
from tests.cases.evidence import samples

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    root = Path(settings.STORAGES["evidence"]["OPTIONS"]["location"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def new_evidence(content: bytes, name: str) -> files.NewEvidence:
    return files.NewEvidence(
        checked=files.check_upload(content, name=name), kind=Evidence.Kind.CONFIRMATION
    )


class FailInsertInto:
    """A database that refuses one table's INSERT, as a full disk or a lost connection would."""

    def __init__(self, table: str) -> None:
        self.prefix = f'INSERT INTO "{table}"'

    def __call__(self, execute, sql, params, many, context):
        if sql.startswith(self.prefix):
            raise OperationalError("could not extend file: No space left on device")
        return execute(sql, params, many, context)


def test_files_stored_before_a_failed_event_write_are_deleted(customer):
    case = factories.CaseFactory(owner=customer, status=Case.Status.AWAITING_REVIEW)
    upload = [
        new_evidence(samples.pdf_document(), "bill.pdf"),
        # A photo is stored twice: the clean image and its thumbnail.
        new_evidence(samples.phone_photo_jpeg(), "IMG_1.JPG"),
    ]

    with (
        connection.execute_wrapper(FailInsertInto("cases_caseevent")),
        pytest.raises(OperationalError),
    ):
        evidence_services.add_evidence(case=case, by=customer, version=case.version, files=upload)

    assert stored_files() == []
    assert not Evidence.objects.filter(case=case).exists()


def test_files_stored_before_a_failed_row_write_are_deleted(customer):
    case = factories.CaseFactory(owner=customer, status=Case.Status.AWAITING_REVIEW)
    upload = [new_evidence(samples.pdf_document(), "bill.pdf")]

    with (
        connection.execute_wrapper(FailInsertInto("cases_evidence")),
        pytest.raises(OperationalError),
    ):
        evidence_services.add_evidence(case=case, by=customer, version=case.version, files=upload)

    assert stored_files() == []


def test_a_refused_confirmation_deletes_the_files_it_stored(customer):
    # Preparing: "they confirmed" cannot complete a case that was never submitted.
    case = factories.CaseFactory(owner=customer, status=Case.Status.PREPARING)
    upload = [new_evidence(samples.confirmation_email(), "Cancelled.eml")]

    with pytest.raises(TransitionNotAllowed):
        evidence_services.confirm_with_evidence(
            case=case, by=customer, version=case.version, files=upload, reference="AB-1"
        )

    assert stored_files() == []
    assert not Evidence.objects.filter(case=case).exists()
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.EVIDENCE).exists()


def test_a_successful_upload_keeps_its_files(customer):
    case = factories.CaseFactory(owner=customer, status=Case.Status.AWAITING_REVIEW)
    upload = [new_evidence(samples.phone_photo_jpeg(), "IMG_1.JPG")]

    _case, [evidence] = evidence_services.add_evidence(
        case=case, by=customer, version=case.version, files=upload
    )

    assert sorted(stored_files()) == sorted(
        Path(evidence.file.path if name == "file" else evidence.thumbnail.path)
        for name in ("file", "thumbnail")
    )
