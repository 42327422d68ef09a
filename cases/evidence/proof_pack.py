"""The proof pack: one ZIP with a summary PDF, every evidence file and `manifest.sha256`.

The manifest has one `sha256sum -c` line per file in the pack (the summary included), so
anyone can check a copy with standard tools; its own SHA-256 is the pack's fingerprint,
recorded on the case. Every evidence file is hashed again while it is copied in: a file that
no longer matches the hash taken at upload stops the pack with `PackIntegrityError`, so a
pack never ships a silent difference. Only what the customer may see goes in: the
customer-visible timeline, never internal notes or agent-only events.
"""

import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cases import punctuation, selectors
from cases.evidence.files import clean_name
from cases.models import Case, CaseEvent, ContactAttempt, Evidence, InboundAddress
from cases.pdf import (
    LATIN_BOLD,
    LATIN_FONT,
    MONO_FONT,
    REPLACEMENT,
    cannot_set,
    paragraph,
    zone,
)

MANIFEST_NAME = "manifest.sha256"
SUMMARY_NAME = "summary.pdf"
EVIDENCE_DIR = "evidence"
CHUNK_SIZE = 1024 * 1024


class PackIntegrityError(Exception):
    """A stored evidence file is missing or no longer matches the hash taken at upload."""

    def __init__(self, evidence: Evidence, *, actual: str = "") -> None:
        self.evidence = evidence
        self.expected = evidence.sha256
        self.actual = actual
        what = "missing" if not actual else f"sha256 {actual}, expected {evidence.sha256}"
        super().__init__(f"Evidence {evidence.pk} ({evidence.original_name!r}): {what}")

    @property
    def message(self) -> str:
        return _(
            "The file “%(name)s” does not match the fingerprint taken when it was added, so "
            "no proof pack was made. An agent has to look at it."
        ) % {"name": self.evidence.original_name}


@dataclass(frozen=True)
class PackedFile:
    """One evidence file as it went into the pack."""

    evidence_id: int
    name: str  # its path inside the ZIP
    original_name: str
    kind: str
    sha256: str
    size: int
    uploaded_at: dt.datetime
    note: str


@dataclass(frozen=True)
class ProofPack:
    """What was packed: the manifest, its fingerprint and the time the pack was made."""

    created_at: dt.datetime
    manifest: str
    manifest_sha256: str
    files: list[PackedFile]
    summary_sha256: str

    @property
    def fingerprint(self) -> str:
        """The short form shown on the case (the first 12 hex digits)."""
        return self.manifest_sha256[:12]


def pack_name(case: Case, created_at: dt.datetime) -> str:
    return f"closeout-{case.reference}-{created_at:%Y%m%d-%H%M%S}.zip"


def write_proof_pack(
    *,
    case: Case,
    out: BinaryIO,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ProofPack:
    """Write the case's proof pack to `out`; raise PackIntegrityError on a changed file.

    `out` holds a partial ZIP after an error: the caller writes to a temporary file and
    throws it away. `progress(done, total)` is called after each evidence file.
    """
    created_at = now or timezone.now()
    evidence = list(
        Evidence.objects.filter(case=case).select_related("step").order_by("uploaded_at", "id")
    )
    packed: list[PackedFile] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, item in enumerate(evidence, start=1):
            name = f"{EVIDENCE_DIR}/{number:02d}-{safe_name(item.original_name, item)}"
            size = _copy_verified(item, archive=archive, name=name, created_at=created_at)
            packed.append(
                PackedFile(
                    evidence_id=item.pk,
                    name=name,
                    original_name=item.original_name,
                    kind=item.kind,
                    sha256=item.sha256,
                    size=size,
                    uploaded_at=item.uploaded_at,
                    note=item.note,
                )
            )
            if progress is not None:
                progress(number, len(evidence))
        summary = summary_pdf(case=case, files=packed, created_at=created_at)
        summary_sha256 = hashlib.sha256(summary).hexdigest()
        archive.writestr(_entry(SUMMARY_NAME, created_at), summary)
        lines = [(item.sha256, item.name) for item in packed] + [(summary_sha256, SUMMARY_NAME)]
        manifest = "".join(f"{digest}  {name}\n" for digest, name in lines)
        archive.writestr(_entry(MANIFEST_NAME, created_at), manifest.encode())
    return ProofPack(
        created_at=created_at,
        manifest=manifest,
        manifest_sha256=hashlib.sha256(manifest.encode()).hexdigest(),
        files=packed,
        summary_sha256=summary_sha256,
    )


def _entry(name: str, created_at: dt.datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=created_at.astimezone(dt.UTC).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _copy_verified(
    item: Evidence, *, archive: zipfile.ZipFile, name: str, created_at: dt.datetime
) -> int:
    """Copy one stored file into the ZIP, hashing it on the way; raise if it changed."""
    digest = hashlib.sha256()
    size = 0
    try:
        source = item.file.storage.open(item.file.name or "", "rb")
    except (FileNotFoundError, OSError) as error:
        raise PackIntegrityError(item) from error
    with source, archive.open(_entry(name, created_at), "w") as target:
        while chunk := source.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    if digest.hexdigest() != item.sha256:
        raise PackIntegrityError(item, actual=digest.hexdigest())
    return size


SAFE_CHARACTERS = re.compile(r"[^\w.\-]+")


def safe_name(original_name: str, item: Evidence | None = None) -> str:
    """A file name for inside the ZIP and the manifest: letters, digits, . - _ only."""
    name = clean_name(original_name)
    stem, dot, extension = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,10}", extension):
        stem, extension = name, ""
    stem = SAFE_CHARACTERS.sub("_", stem).strip("._")[:80] or "evidence"
    if item is not None:
        extension = _extension_for(item.content_type) or extension
    return f"{stem}.{extension.lower()}" if extension else stem


def _extension_for(content_type: str) -> str:
    return {
        "application/pdf": "pdf",
        "image/png": "png",
        "image/jpeg": "jpg",
        "image/webp": "webp",
        "text/plain": "txt",
        "message/rfc822": "eml",
    }.get(content_type, "")


def verify_manifest(archive: zipfile.ZipFile) -> list[str]:
    """What `sha256sum -c manifest.sha256` would report as failing (empty when all match)."""
    failures = []
    for line in archive.read(MANIFEST_NAME).decode().splitlines():
        digest, _separator, name = line.partition("  ")
        try:
            content = archive.read(name)
        except KeyError:
            failures.append(name)
            continue
        if hashlib.sha256(content).hexdigest() != digest:
            failures.append(name)
    return failures


# --- The summary PDF -----------------------------------------------------------------------------


def case_email(case: Case) -> str:
    """The case's private address, if it has one (mail to it is part of this record)."""
    found = InboundAddress.objects.filter(case=case).first()
    return found.address if found is not None else ""


def summary_pdf(*, case: Case, files: list[PackedFile], created_at: dt.datetime) -> bytes:
    """The case on paper, in the case's language, with Chinese set in a CJK font."""
    with translation.override(case.language):
        return _SummaryWriter(case=case, files=files, created_at=created_at).pdf()


class _SummaryWriter:
    def __init__(self, *, case: Case, files: list[PackedFile], created_at: dt.datetime) -> None:
        self.case = case
        self.files = files
        self.created_at = created_at
        self.zone = zone(case.time_zone)
        self.has_replacements = False
        self.body = ParagraphStyle("body", fontName=LATIN_FONT, fontSize=9.5, leading=13)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8, leading=10.5)
        self.mono = ParagraphStyle("mono", parent=self.small, fontName=MONO_FONT, fontSize=7)
        self.title = ParagraphStyle(
            "title", parent=self.body, fontName=LATIN_BOLD, fontSize=16, leading=21
        )
        self.heading = ParagraphStyle(
            "heading",
            parent=self.body,
            fontName=LATIN_BOLD,
            fontSize=11.5,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
        )

    def day(self, value: dt.date | None) -> str:
        return formats.date_format(value, "DATE_FORMAT") if value is not None else ""

    def when(self, value: dt.datetime | None) -> str:
        if value is None:
            return ""
        return formats.date_format(value.astimezone(self.zone), "DATETIME_FORMAT")

    def p(self, text: object, style: ParagraphStyle | None = None) -> Paragraph:
        self.has_replacements = self.has_replacements or cannot_set(text)
        return paragraph(text, style or self.body)

    def pdf(self) -> bytes:
        out = io.BytesIO()
        document = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            title=_("Proof pack %(reference)s") % {"reference": self.case.reference},
            author="Closeout",
            creator="Closeout",
            lang=self.case.language,
        )
        story = [
            self.p(_("Proof pack %(reference)s") % {"reference": self.case.reference}, self.title),
            self.p(
                _("Made by Closeout on %(time)s (%(zone)s).")
                % {"time": self.when(self.created_at), "zone": self.case.time_zone}
            ),
            self.p(
                _(
                    "Every file in this pack is listed with its SHA-256 in manifest.sha256. "
                    "Check them with: sha256sum -c manifest.sha256"
                ),
                self.small,
            ),
            Spacer(1, 4 * mm),
            *self.case_section(),
            *self.dates_section(),
            *self.references_section(),
            *self.status_section(),
            *self.timeline_section(),
            *self.files_section(),
        ]
        if self.has_replacements:
            story.append(Spacer(1, 4 * mm))
            story.append(
                self.p(
                    _(
                        "Some characters could not be set in this PDF's fonts and show as %(box)s; "
                        "the case page shows them as they were typed."
                    )
                    % {"box": REPLACEMENT},
                    self.small,
                )
            )
        document.build(story)
        return out.getvalue()

    def table(self, rows: list[list], widths: list[float]) -> Table:
        table = Table(rows, colWidths=widths, repeatRows=1 if len(rows) > 1 else 0, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return table

    def pairs(self, heading: str, pairs: list[tuple[str, str]]) -> list:
        rows = [[self.p(label), self.p(value)] for label, value in pairs if value]
        if not rows:
            return []
        return [self.p(heading, self.heading), self.table(rows, [55 * mm, 119 * mm])]

    def case_section(self) -> list:
        case = self.case
        provider = case.provider_label
        if case.provider is not None and case.provider.display_local_name:
            provider = f"{provider} {punctuation.bracketed(case.provider.display_local_name)}"
        return self.pairs(
            _("The case"),
            [
                (_("Case reference"), case.reference),
                (_("Provider"), provider),
                (_("Service"), case.get_service_kind_display()),
                (_("Phone number"), case.masked_phone),
                (_("Device model"), case.device_model),
                (_("IMEI"), case.masked_imei),
                (_("EID"), case.masked_eid),
                (_("ICCID"), case.masked_iccid),
                (_("Status"), case.get_status_display()),
                (_("Provider's reference"), case.provider_reference),
                (_("Case email address"), case_email(case)),
            ],
        )

    def dates_section(self) -> list:
        case = self.case
        return self.pairs(
            _("Dates"),
            [
                (_("Started"), self.when(case.created_at)),
                (_("Request submitted"), self.when(case.submitted_at)),
                (_("Expected by"), self.when(case.expected_by)),
                (_("Completed"), self.when(case.completed_at)),
                (_("eSIM profile deleted"), self.when(case.esim_profile_deleted_at)),
                (_("Contract ended"), self.when(case.contract_ended_at)),
                (_("Billing verified stopped"), self.when(case.billing_verified_at)),
                (_("Provider refused"), self.when(case.refused_at)),
                (_("Cancellation notice sent"), self.when(case.notice_sent_at)),
                (_("Answer to the notice due"), self.day(case.notice_answer_due_on)),
                (_("Notice takes effect on"), self.day(case.notice_effective_on)),
                (_("Escalated"), self.when(case.escalated_at)),
                (_("Status last changed"), self.when(case.status_changed_at)),
            ],
        )

    def references_section(self) -> list:
        rows = [[self.p(_("Case reference")), self.p(self.case.reference)]]
        # Every reference the case page lists (request, confirmation, others given on a step
        # or with an outcome), then any the contact log holds.
        shown = set()
        for reference in selectors.references(self._with_steps()):
            rows.append([self.p(reference.label), self.p(reference.value)])
            shown.add(reference.value)
        if self.case.provider_reference and self.case.provider_reference not in shown:
            rows.append([self.p(_("Provider's reference")), self.p(self.case.provider_reference)])
        contacts = (
            ContactAttempt.objects.filter(case=self.case)
            .exclude(provider_reference="")
            .select_related("channel")
            .order_by("occurred_at", "id")
        )
        for contact in contacts:
            channel = contact.channel.value if contact.channel else contact.channel_text
            label = ", ".join(part for part in (self.when(contact.occurred_at), channel) if part)
            rows.append([self.p(label), self.p(contact.provider_reference)])
        return [self.p(_("References"), self.heading), self.table(rows, [55 * mm, 119 * mm])]

    def _with_steps(self) -> Case:
        if not hasattr(self.case, "step_list"):
            self.case.step_list = list(self.case.steps.order_by("position"))
        return self.case

    def customer_events(self):
        return CaseEvent.objects.filter(
            case=self.case, visibility=CaseEvent.Visibility.CUSTOMER
        ).order_by("created_at", "id")

    def status_section(self) -> list:
        header = [self.p(_("When"), self.small), self.p(_("Status"), self.small)]
        rows = [header]
        for event in self.customer_events().filter(kind=CaseEvent.Kind.STATUS):
            moved = event.status_to_label
            if event.status_from:
                moved = f"{Case.Status(event.status_from).label} → {moved}"
            if event.summary:
                moved = f"{moved}: {event.summary}"
            rows.append([self.p(self.when(event.created_at), self.small), self.p(moved)])
        if len(rows) == 1:
            return []
        return [self.p(_("Status history"), self.heading), self.table(rows, [40 * mm, 134 * mm])]

    def timeline_section(self) -> list:
        header = [self.p(_("When"), self.small), self.p(_("What happened"), self.small)]
        rows = [header]
        colon = pgettext("between a heading and its detail", ": ")
        for event in self.customer_events():
            heading, detail = str(event.line_heading), event.line_detail
            text = f"{heading}{colon}{detail}" if heading and detail else heading or detail
            rows.append([self.p(self.when(event.created_at), self.small), self.p(text)])
        if len(rows) == 1:
            return []
        return [self.p(_("Timeline"), self.heading), self.table(rows, [40 * mm, 134 * mm])]

    def files_section(self) -> list:
        heading = self.p(_("Files in this pack"), self.heading)
        if not self.files:
            return [heading, self.p(_("No files were added to this case."))]
        header = [
            self.p(pgettext("file number", "No."), self.small),
            self.p(_("File"), self.small),
            self.p(_("Added"), self.small),
            self.p("SHA-256", self.small),
        ]
        rows = [header]
        for number, item in enumerate(self.files, start=1):
            label = Evidence.Kind(item.kind).label
            described = f"{item.original_name}\n{label} · {_size(item.size)}\n{item.name}"
            if item.note:
                described += f"\n{item.note}"
            digest = f"{item.sha256[:32]}\n{item.sha256[32:]}"
            rows.append(
                [
                    self.p(number, self.small),
                    self.p(described, self.small),
                    self.p(self.when(item.uploaded_at), self.small),
                    paragraph(digest, self.mono),
                ]
            )
        return [heading, self.table(rows, [9 * mm, 72 * mm, 35 * mm, 58 * mm])]


def _size(size: int) -> str:
    return (
        formats.number_format(size / 1024, 0, use_l10n=True) + " KB"
        if size >= 1024
        else (f"{size} B")
    )
