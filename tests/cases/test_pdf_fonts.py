"""Characters beyond Latin and Chinese in the PDFs: each set in a font that has it, or shown
as a visible box with a note, never as garbage; Arabic joined, right-to-left runs drawn right
to left. Read back with pypdf, and as drawn, glyph by glyph, from the page's content stream."""

import datetime as dt
import io
import re
import unicodedata

import pytest
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import SimpleDocTemplate

from cases.evidence import proof_pack
from cases.models import Case
from cases.pdf import FALLBACK_FONT, REPLACEMENT, cannot_set, markup, paragraph
from tests import factories
from tests.cases.notices.test_notice import case as notice_case  # noqa: F401 (a fixture)
from tests.cases.notices.test_notice import pdf_url, with_details

pytestmark = pytest.mark.django_db
EMOJI, EXTENSION_B, ARABIC, HEBREW = "😀", "𠀀", "مرحبا", "שלום"
WORLD = "بالعالم"
# "Hello world" as typed, letter by letter, and as DejaVu Sans joins it: meem initial, reh
# final, hah initial, beh medial, alef final; then beh initial, alef final, lam initial, ain
# medial, alef final, lam initial, meem final.
JOINED_HELLO = "\ufee3\ufeae\ufea3\ufe92\ufe8e"
JOINED_WORLD = "\ufe91\ufe8e\ufedf\ufecc\ufe8e\ufedf\ufee2"
# One field in four scripts, a number inside the right-to-left run: what a customer may type.
MIXED = f"Ref 42 {ARABIC} {WORLD} 7 {HEBREW} 李"
# How it must be seen, left to right: the Hebrew word leftmost, "hello" rightmost, 7 between.
MIXED_SEEN = f"Ref 42 {HEBREW[::-1]} 7 {WORLD[::-1]} {ARABIC[::-1]} 李"


def text_and_fonts(content: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(content))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    return "\n".join(page.extract_text() for page in reader.pages), fonts


def drawn_lines(content: bytes) -> list[str]:
    """Each line of text as the page draws it, left to right: the characters behind the glyphs
    (each font's ToUnicode map), in the order of the content stream. ReportLab ends each line
    of a paragraph with T*."""
    reader = PdfReader(io.BytesIO(content))
    lines: list[str] = []
    for page in reader.pages:
        fonts = {name: font.get_object() for name, font in page["/Resources"]["/Font"].items()}
        maps: dict[str, dict[int, str]] = {}
        for name, font in fonts.items():
            if "/ToUnicode" in font:
                cmap = font["/ToUnicode"].get_data().decode()
                pairs = re.findall(r"<([0-9A-Fa-f]+)> <([0-9A-Fa-f]+)>", cmap)
                maps[name] = {int(code, 16): chr(int(char, 16)) for code, char in pairs}
        line, font_name = "", ""
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                font_name = operands[0]
            elif operator == b"Tj":
                raw = operands[0]
                raw = raw if isinstance(raw, bytes) else raw.get_original_bytes()
                if font_name in maps:
                    line += "".join(maps[font_name][code] for code in raw)
                elif fonts[font_name].get("/Encoding") == "/UniGB-UCS2-H":
                    line += raw.decode("utf-16-be")
                else:
                    line += raw.decode("cp1252")
            elif operator in (b"T*", b"ET") and line:
                lines.append(line)
                line = ""
    return lines


def seen(content: bytes, start: str) -> str:
    """The drawn line that begins with `start`, joined forms folded back to letters (NFKC)."""
    line = next(line for line in drawn_lines(content) if line.startswith(start))
    return unicodedata.normalize("NFKC", line)


def test_each_character_goes_to_the_first_font_that_has_it():
    assert markup("Li 李") == 'Li <font name="STSong-Light">李</font>'
    # Arabic joined, still in the order it was typed (lines are broken first, then turned).
    assert markup(ARABIC) == f'<font name="{FALLBACK_FONT}">{JOINED_HELLO}</font>'
    assert markup("لا") == f'<font name="{FALLBACK_FONT}">\ufefb</font>'  # lam-alef ligature
    assert markup("שלום טוב") == f'<font name="{FALLBACK_FONT}">שלום טוב</font>'
    # A mark after its letter, as typed: beh initial, fatha, teh final.
    assert markup("بَت") == f'<font name="{FALLBACK_FONT}">\ufe91\u064e\ufe96</font>'
    assert markup(f"\u202e{ARABIC} Ada\u200f") == markup(f"{ARABIC} Ada")  # no override
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
        assert script in unicodedata.normalize("NFKC", text), script
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


def test_the_summary_joins_arabic_and_draws_it_right_to_left_beside_latin_and_chinese():
    case = factories.CaseFactory(provider=None, provider_name="Mobile", provider_reference=MIXED)

    content = proof_pack.summary_pdf(case=case, files=[], created_at=dt.datetime.now(dt.UTC))

    line = next(line for line in drawn_lines(content) if line.startswith("Ref 42"))
    # Drawn left to right, each word's last letter first, in the forms that join.
    assert JOINED_HELLO[::-1] in line
    assert JOINED_WORLD[::-1] in line
    assert seen(content, "Ref 42") == MIXED_SEEN
    # Copy and search read the Arabic back as it was typed (pypdf's own reordering is not the
    # whole algorithm: around the number it errs, so the order is checked as drawn, above).
    assert f"{ARABIC} {WORLD}" in unicodedata.normalize("NFKC", text_and_fonts(content)[0])


def test_the_notice_joins_arabic_in_the_name_and_draws_it_right_to_left(
    client,
    customer,
    notice_case,  # noqa: F811
):
    with_details(notice_case, notice_name=f"Ada {ARABIC} {WORLD} {HEBREW} 李")
    client.force_login(customer)

    content = client.get(pdf_url(notice_case, "en")).content

    assert JOINED_HELLO[::-1] in next(line for line in drawn_lines(content) if "Ada" in line)
    assert seen(content, "Ada") == f"Ada {HEBREW[::-1]} {WORLD[::-1]} {ARABIC[::-1]} 李"


def test_a_wrapped_right_to_left_sentence_starts_on_the_first_line():
    words = ["كلمة", "أولى", "ثم", "كلمات", "كثيرة", "تملأ", "السطر", "الأول", "وتلتف", "آخرها"]
    out = io.BytesIO()
    document = SimpleDocTemplate(out, leftMargin=0, rightMargin=0, pagesize=(140, 400))
    document.build([paragraph(" ".join(words), ParagraphStyle("p", fontSize=12, leading=15))])

    lines = drawn_lines(out.getvalue())

    assert len(lines) > 1
    # Each line read from its right end: the first words on the first line, in order.
    read = [word[::-1] for line in lines for word in reversed(line.split(" "))]
    assert [unicodedata.normalize("NFKC", word) for word in read] == words


def test_a_glyph_without_a_character_of_its_own_is_drawn_and_read_as_arabic():
    # Shadda with fatha: DejaVu Sans draws them as one glyph that no code point maps to.
    name = "مُحَمَّد"
    out = io.BytesIO()
    SimpleDocTemplate(out).build([paragraph(f"Ali {name}", ParagraphStyle("p"))])

    line = drawn_lines(out.getvalue())[0]

    private = [c for c in line if "\ue000" <= c <= "\uf8ff"]
    assert len(private) == 1
    assert line.startswith("Ali ")
    assert line.endswith("\ufee3")  # meem initial, the first letter, drawn last (rightmost)
