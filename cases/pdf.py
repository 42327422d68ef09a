"""What every PDF Closeout makes shares: the fonts and the markup that mixes scripts.

A fallback chain, character by character: Helvetica for what cp1252 holds; ReportLab's built-in
Adobe CID font for Chinese (all of GBK, without any font file on the machine: the reader's PDF
viewer supplies the glyphs); then DejaVu Sans, embedded, for the rest it has (Arabic, Hebrew,
Greek, Cyrillic, many symbols), from Debian's fonts-dejavu-core (the Bitstream Vera licence,
permissive); .ci/run and the Dockerfile install it. What none of them has (emoji, CJK
Extension B) is replaced visibly by REPLACEMENT, and `cannot_set` lets a document say so,
never the boxes of garbage a font without the glyph leaves. Arabic and Hebrew are set right to left
by `_visual` (each run of right-to-left words reversed as a whole), in unjoined letter
forms: ReportLab shapes Arabic only with uharfbuzz, which Closeout does not install. Emoji
from DejaVu show in the PDF, but ReportLab writes their text layer in a form pypdf (and some
viewers' copy and search) cannot read back.
"""

import datetime as dt
import itertools
import re
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
MONO_FONT = "Courier"
FALLBACK_FONT = "DejaVuSans"
FALLBACK_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),  # Debian, Ubuntu
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),  # Fedora
)
# White square, in GBK: set in the CJK font wherever a character has no font.
REPLACEMENT = "\u25a1"
# Invisible joiners and emoji variation selectors: dropped, never shown as a box of their own.
_INVISIBLE = frozenset("\u200d\ufe0e\ufe0f")
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _register_fallback() -> frozenset[int]:
    """Register DejaVu Sans if the machine has it; the code points it can set."""
    for path in FALLBACK_FILES:
        if path.is_file():
            font = TTFont(FALLBACK_FONT, str(path))
            pdfmetrics.registerFont(font)
            return frozenset(font.face.charToGlyph)
    return frozenset()


_FALLBACK_COVERS = _register_fallback()


def zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _cp1252(character: str) -> bool:
    try:
        character.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _gbk(character: str) -> bool:
    try:
        character.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def font_for(character: str) -> str | None:
    """The first font of the chain that sets `character` ("" the paragraph's own), or None."""
    if _cp1252(character) or character == "\n":
        return ""
    if _gbk(character):
        return CJK_FONT
    if ord(character) in _FALLBACK_COVERS:
        return FALLBACK_FONT
    return None


def cannot_set(text: object) -> bool:
    """Whether `text` holds a character no font of the chain has (shown as REPLACEMENT)."""
    return any(font_for(c) is None for c in str(text or "") if c not in _INVISIBLE)


# Hebrew, Arabic, Syriac, Thaana, N'Ko and their presentation forms.
_RTL = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
_RTL_RUN = re.compile(rf"[{_RTL}](?:[{_RTL}\s.,!?:;-]*[{_RTL}])?")


def _visual(text: str) -> str:
    """Right-to-left runs in the order they are seen: a PDF sets every line left to right."""
    return _RTL_RUN.sub(lambda run: run.group(0)[::-1], text)


def markup(text: object) -> str:
    """Paragraph markup for any text: escaped, each run in the first font that sets it."""
    shown = [
        (font, REPLACEMENT if font is None else character)
        for character in _visual(str(text or ""))
        if character not in _INVISIBLE
        for font in [font_for(character)]
    ]
    runs = []
    for font, run in itertools.groupby(shown, key=lambda item: item[0]):
        characters = escape("".join(character for _font, character in run))
        name = CJK_FONT if font is None else font
        runs.append(characters if not name else f'<font name="{name}">{characters}</font>')
    return "".join(runs).replace("\n", "<br/>")
