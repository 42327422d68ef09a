"""Characters beyond Latin and Chinese in the PDFs: each set in a font that has it, or shown
as a visible box with a note, never as garbage. Read back with pypdf."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cases.evidence import proof_pack
from cases.models import Case
from cases.pdf import FALLBACK_FONT, REPLACEMENT, cannot_set, markup
from tests import factories
from tests.cases.notices.test_notice import case as notice_case  # noqa: F401 (a fixture)
from tests.cases.notices.test_notice import pdf_url, with_details

pytestmark = pytest.mark.django_db
EMOJI, EXTENSION_B, ARABIC, HEBREW = "😀", "𠀀", "مرحبا", "שלום"


def text_and_fonts(content: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(content))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    return "\n".join(page.extract_text() for page in reader.pages), fonts


def test_each_character_goes_to_the_first_font_that_has_it():
    assert markup("Li 李") == 'Li <font name="STSong-Light">李</font>'
    # Set left to right as they are read: the words of a right-to-left run, reversed whole.
    assert f'<font name="{FALLBACK_FONT}">{ARABIC[::-1]}</font>' in markup(ARABIC)
    hebrew = f'<font name="{FALLBACK_FONT}">בוט</font> <font name="{FALLBACK_FONT}">םולש</font>'
    assert markup("שלום טוב") == hebrew  # "good day": its first word ends up on the right
    assert REPLACEMENT in markup(EXTENSION_B)
    assert EXTENSION_B not in markup(EXTENSION_B)
    assert cannot_set(EXTENSION_B)
    assert not cannot_set(f"{ARABIC} {HEBREW} 李 é {EMOJI}\ufe0f")


def test_the_summary_sets_emoji_arabic_and_hebrew_and_boxes_extension_b():
    case = factories.CaseFactory(
        provider=None,
        provider_name=f"Mobile {EMOJI} {ARABIC} {HEBREW} {EXTENSION_B}",
        status=Case.Status.AWAITING_REVIEW,
    )

    content = proof_pack.summary_pdf(case=case, files=[], created_at=dt.datetime.now(dt.UTC))

    text, fonts = text_and_fonts(content)
    for script in (ARABIC, HEBREW):  # pypdf reads right-to-left text back in reading order
        assert script in text, script
    # The emoji is drawn from DejaVu Sans; ReportLab's text layer for it is one pypdf cannot
    # read, so it is checked in the markup: set in that font, not boxed.
    assert f'<font name="{FALLBACK_FONT}">{EMOJI}</font>' in markup(EMOJI)
    assert EXTENSION_B not in text
    assert REPLACEMENT in text
    assert "Some characters could not be set in this PDF's fonts" in text
    assert any(font.endswith(FALLBACK_FONT) for font in fonts), fonts


def test_a_summary_every_font_can_set_has_no_note():
    case = factories.CaseFactory(provider=None, provider_name=f"Mobile {ARABIC}")

    content = proof_pack.summary_pdf(case=case, files=[], created_at=dt.datetime.now(dt.UTC))

    assert "could not be set" not in text_and_fonts(content)[0]


def test_the_notice_sets_a_name_in_any_script(client, customer, notice_case):  # noqa: F811
    with_details(notice_case, notice_name=f"Ada {EMOJI} {HEBREW} {EXTENSION_B}")
    client.force_login(customer)

    response = client.get(pdf_url(notice_case, "en"))

    text, fonts = text_and_fonts(response.content)
    assert HEBREW in text
    assert REPLACEMENT in text
    assert "could not be set" in text
    assert any(font.endswith(FALLBACK_FONT) for font in fonts), fonts


def test_the_chinese_notice_closes_on_two_lines(client, customer, notice_case):  # noqa: F811
    notice_case.provider.country = "CN"
    notice_case.provider.save()
    with_details(notice_case)
    client.force_login(customer)

    response = client.get(pdf_url(notice_case, "zh-hans"))
    text = text_and_fonts(response.content)[0]
    plain = client.get(
        reverse("notices:notice_text", kwargs={"ref": notice_case.reference, "language": "zh-hans"})
    ).content.decode()

    lines = [line.strip() for line in text.splitlines()]
    assert "此致" in lines
    assert lines[lines.index("此致") + 1].startswith("敬礼")
    assert "此致\n敬礼！" in plain
