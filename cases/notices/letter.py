"""The cancellation notice: a dated letter made from the case, as text and as a PDF.

One composition (`compose`) feeds both forms, in the language asked for: the provider's
country's language or English for the letter sent, the customer's own for their copy. Only the
case's own fields go in (the signer, the line, the dates, the provider's official postal or
email address): never a note, the timeline or anything an agent wrote.
"""

import datetime as dt
import io
from dataclasses import dataclass, field, replace

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from cases import punctuation
from cases.models import Case
from cases.pdf import (
    LATIN_BOLD,
    LATIN_FONT,
    REPLACEMENT,
    BidiParagraph,
    cannot_set,
    markup,
    paragraph,
)
from providers.models import ContactChannel, EscalationRegion, localized

# The letter goes in the provider's country's language where Closeout has it, else English.
LETTER_LANGUAGES = {"CN": "zh-hans"}
ADDRESS_KINDS = (ContactChannel.Kind.POST, ContactChannel.Kind.EMAIL)


class MissingDetails(Exception):
    """The notice cannot be made: the signer's name or postal address is missing."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Add your full name and postal address first: a cancellation notice is not "
                "valid without them."
            )
        )


def provider_language(case: Case) -> str:
    country = case.provider.country if case.provider_id and case.provider else ""
    return LETTER_LANGUAGES.get(country, "en")


def languages_for(case: Case) -> list[str]:
    """The letter's language first, then the customer's copy if that differs."""
    letter = provider_language(case)
    return [letter] if case.language == letter else [letter, case.language]


def official_addresses(channels: list[ContactChannel]) -> list[ContactChannel]:
    """The provider's official postal and email addresses from the directory."""
    return [c for c in channels if c.kind in ADDRESS_KINDS and c.is_official]


@dataclass(frozen=True)
class Letter:
    """The notice in one language, ready to be set as text or PDF."""

    language: str
    sender: list[str]
    recipient: list[str]
    date: str
    subject: str
    opening: str
    paragraphs: list[str]
    line: list[tuple[str, str]] = field(default_factory=list)
    closing: str = ""
    signature: str = ""
    # The case's own address (cases/inbound/): in the text for an email, the provider's answer
    # is to go there, so it lands on the case.
    reply_to: str = ""
    reply_to_label: str = ""


def compose(
    *,
    case: Case,
    language: str,
    today: dt.date,
    channels: list[ContactChannel],
    region: EscalationRegion | None,
    reply_to: str = "",
) -> Letter:
    """The notice for `case` in `language`; raise MissingDetails without a name and address."""
    if not (case.notice_name.strip() and case.notice_address.strip()):
        raise MissingDetails
    with translation.override(language):
        letter = _compose(case, today=today, channels=channels, region=region)
        if reply_to:
            letter = replace(letter, reply_to=reply_to, reply_to_label=_("Reply-To"))
        return letter


def _compose(
    case: Case, *, today: dt.date, channels: list[ContactChannel], region: EscalationRegion | None
) -> Letter:
    provider = case.provider_label
    if case.provider is not None and case.provider.display_local_name:
        provider = f"{provider} {punctuation.bracketed(case.provider.display_local_name)}"
    recipient = [provider] + [
        f"{channel.get_kind_display()}: {channel.value}" for channel in official_addresses(channels)
    ]
    line = [(_("Phone number"), case.phone_number)]
    if case.is_operator_journey:
        line += [(_("Device model"), case.device_model), (_("IMEI"), case.imei)]
        line += [(_("EID"), case.eid), (_("ICCID"), case.iccid)]
    line += [(_("Your reference"), case.provider_reference), (_("Our reference"), case.reference)]
    if case.notice_effective_on:
        when = _("with effect from %(date)s") % {"date": _date(case.notice_effective_on)}
    else:
        when = _("at the earliest possible date")
    paragraphs = [
        _("I hereby cancel my contract for the mobile line below, %(when)s.") % {"when": when},
    ]
    if region is not None and region.notice_period_months:
        paragraphs.append(
            _(
                "If the contract has extended itself tacitly, I cancel it with the notice the "
                "law allows: %(rule)s"
            )
            % {"rule": localized(region, "notice_rule").strip()}
        )
    paragraphs += [
        _(
            "Please confirm this cancellation to me in writing, with the date on which the "
            "contract ends, and send me the final bill."
        ),
        _("Please do not charge this line after the contract has ended."),
    ]
    return Letter(
        language=translation.get_language() or "en",
        sender=[case.notice_name.strip(), *case.notice_address.strip().splitlines()],
        recipient=recipient,
        date=_date(today),
        subject=_("Cancellation of my mobile contract, number %(number)s")
        % {"number": case.phone_number or case.reference},
        opening=_("Dear Sir or Madam,"),
        paragraphs=paragraphs,
        line=[(label, value) for label, value in line if value],
        closing=_("Yours faithfully,"),
        signature=case.notice_name.strip(),
    )


def _date(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def as_text(letter: Letter) -> str:
    """The notice as plain text, to paste into the provider's web form or an email."""
    separator = "：" if letter.language.startswith("zh") else ": "
    parts = [
        "\n".join(letter.sender),
        "\n".join(letter.recipient),
        letter.date,
        letter.subject,
        letter.opening,
        letter.paragraphs[0],
        "\n".join(f"{label}{separator}{value}" for label, value in letter.line),
        *letter.paragraphs[1:],
        f"{letter.closing}\n{letter.signature}",
    ]
    text = "\n\n".join(part for part in parts if part) + "\n"
    if letter.reply_to:
        # A header line for an email: whoever pastes the notice sets it as the Reply-To.
        text = f"{letter.reply_to_label}{separator}{letter.reply_to}\n\n{text}"
    return text


def _replaced_note() -> str:
    return _(
        "Some characters could not be set in this PDF's fonts and show as %(box)s; "
        "the case page shows them as they were typed."
    ) % {"box": REPLACEMENT}


class _Bold(BidiParagraph):
    """Bold for Chinese too: the CID font has no bold face, so its strokes are thickened as
    well (text render mode 2, fill then stroke), to match the Latin bold beside it."""

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.setLineWidth(0.3)
        self.canv.addLiteral("2 Tr")
        super().draw()
        self.canv.restoreState()


def as_pdf(letter: Letter, *, reference: str) -> bytes:
    """The notice as an A4 PDF; Chinese is set in the proof pack's CJK font."""
    body = ParagraphStyle("body", fontName=LATIN_FONT, fontSize=10.5, leading=15, spaceAfter=6)
    bold = ParagraphStyle("bold", parent=body, fontName=LATIN_BOLD)

    replaced = []

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        replaced.append(cannot_set(text))
        if style is bold:
            return _Bold(markup(text), style)
        return paragraph(text, style)

    with translation.override(letter.language):
        title = letter.subject
        separator = "：" if letter.language.startswith("zh") else ": "
        story = [
            p("\n".join(letter.sender)),
            Spacer(1, 6 * mm),
            p("\n".join(letter.recipient)),
            Spacer(1, 6 * mm),
            p(letter.date),
            Spacer(1, 4 * mm),
            p(letter.subject, bold),
            p(letter.opening),
            p(letter.paragraphs[0]),
            p("\n".join(f"{label}{separator}{value}" for label, value in letter.line)),
            *(p(text) for text in letter.paragraphs[1:]),
            Spacer(1, 4 * mm),
            p(letter.closing),
            Spacer(1, 12 * mm),
            p(letter.signature),
        ]
        if any(replaced):
            small = ParagraphStyle("small", parent=body, fontSize=8, leading=10.5)
            story += [Spacer(1, 8 * mm), paragraph(_replaced_note(), small)]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=22 * mm,
        bottomMargin=22 * mm,
        title=title,
        author="Closeout",
        creator="Closeout",
        subject=reference,
        lang=letter.language,
    ).build(story)
    return out.getvalue()
