"""What every PDF Closeout makes shares: the fonts and the markup that mixes scripts.

A fallback chain, character by character: Helvetica for what cp1252 holds; ReportLab's built-in
Adobe CID font for Chinese (all of GBK, without any font file on the machine: the reader's PDF
viewer supplies the glyphs); then DejaVu Sans, embedded, for the rest it has (Arabic, Hebrew,
Greek, Cyrillic, many symbols), from Debian's fonts-dejavu-core (the Bitstream Vera licence,
permissive); .ci/run and the Dockerfile install it. What none of them has (emoji, CJK
Extension B) is replaced visibly by REPLACEMENT, and `cannot_set` lets a document say so,
never the boxes of garbage a font without the glyph leaves. Emoji from DejaVu show in the PDF,
but ReportLab writes their text layer in a form pypdf (and some viewers' copy and search)
cannot read back.

Arabic and Hebrew: `markup` shapes each right-to-left word with HarfBuzz (uharfbuzz), so Arabic
letters take their joined forms and lam-alef its ligature, and keeps the text in logical order
so that ReportLab measures and breaks lines on the shaped glyphs; `BidiParagraph` then draws
each line in the order it is seen (cases.bidi), right-to-left runs right to left beside Latin
and Chinese. Both PDFs build their paragraphs with the two. A PDF viewer's copy and search read
contextual forms back as Arabic Presentation Forms, which NFKC folds to the letters typed.
"""

import datetime as dt
import itertools
import threading
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import uharfbuzz
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph

from cases import bidi

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
# So are the bidi controls (marks, embeddings, overrides, isolates): every line is ordered by
# its letters alone, and an override typed into a reference cannot make it read otherwise.
_INVISIBLE = frozenset("\u200d\ufe0e\ufe0f\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e")
_INVISIBLE |= frozenset("\u2066\u2067\u2068\u2069")
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def _register_fallback() -> tuple[TTFont | None, uharfbuzz.Font | None]:
    """Register DejaVu Sans if the machine has it, and open it for HarfBuzz too."""
    for path in FALLBACK_FILES:
        if path.is_file():
            font = TTFont(FALLBACK_FONT, str(path))
            pdfmetrics.registerFont(font)
            return font, uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob(path.read_bytes())))
    return None, None


_FALLBACK, _SHAPER = _register_fallback()
_FALLBACK_COVERS = frozenset(_FALLBACK.face.charToGlyph) if _FALLBACK else frozenset()
# Glyphs the shaper picks that have no code point of their own (rare in DejaVu Sans: its joined
# forms are the Arabic Presentation Forms), given one from the Private Use Area, as ReportLab's
# own shaping does, so that a paragraph can carry them.
_PRIVATE: dict[int, str] = {}
_PRIVATE_LOCK = threading.Lock()
_PRESENTATION_FORMS = (range(0xFB1D, 0xFE00), range(0xFE70, 0xFF00))


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


def _glyph_character(glyph: int, typed: str, advance: int) -> str:
    """The character that sets `glyph` of DejaVu Sans: the one typed if it maps there."""
    assert _FALLBACK is not None
    face = _FALLBACK.face
    to_character: dict[int, list[int]] = face.glyphToChar  # type: ignore[attr-defined]
    mapped = to_character.get(glyph, [])
    for character in typed:
        if ord(character) in mapped:
            return character
    forms = [c for c in mapped if any(c in forms for forms in _PRESENTATION_FORMS)]
    if forms or mapped:
        return chr((forms or mapped)[0])
    with _PRIVATE_LOCK:
        if glyph not in _PRIVATE:
            code = max(map(ord, _PRIVATE.values()), default=0xE000 - 1) + 1
            while code in face.charToGlyph:  # the font's own private characters
                code += 1
            face.charToGlyph[code] = glyph
            to_character.setdefault(glyph, []).append(code)
            face.charWidths[code] = _FALLBACK.pdfScale(advance)
            _PRIVATE[glyph] = chr(code)
        return _PRIVATE[glyph]


def _shape(run: str) -> str:
    """A right-to-left run of one script as HarfBuzz joins it, the glyphs in logical order."""
    buffer = uharfbuzz.Buffer()
    buffer.add_str(run)
    buffer.direction = "rtl"
    buffer.guess_segment_properties()
    uharfbuzz.shape(_SHAPER, buffer, {})
    # HarfBuzz hands back the glyphs as seen, right to left: put them back in the order they
    # were typed, a letter before its marks (BidiParagraph turns each line round again).
    clusters: list[tuple[int, list[tuple[int, int]]]] = []
    for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
        if clusters and clusters[-1][0] == info.cluster:
            clusters[-1][1].append((info.codepoint, position.x_advance))
        else:
            clusters.append((info.cluster, [(info.codepoint, position.x_advance)]))
    clusters.sort(key=lambda cluster: cluster[0])
    starts = [start for start, _glyphs in clusters] + [len(run)]
    shaped = []
    for (start, glyphs), end in zip(clusters, starts[1:], strict=True):
        typed = run[start:end]
        if all(bidi.bidi_class(character) == "BN" for character in typed):
            continue  # a zero-width non-joiner has done its work: it draws nothing
        shaped += [_glyph_character(glyph, typed, advance) for glyph, advance in glyphs[::-1]]
    return "".join(shaped)


def _script(character: str) -> str | None:
    """Which shaping run a right-to-left character belongs to; None for one that joins any."""
    kind = bidi.bidi_class(character)
    if kind in ("NSM", "BN"):
        return None
    if kind not in ("R", "AL") or ord(character) not in _FALLBACK_COVERS:
        return ""
    return (
        "Hebr" if "\u0590" <= character <= "\u05ff" or "\ufb1d" <= character <= "\ufb4f" else "Arab"
    )


def _runs(text: str) -> list[tuple[bool, str]]:
    """`text` cut into right-to-left runs of one script to shape, and everything else."""
    runs: list[tuple[bool, str]] = []
    current = ""
    for character in text:
        script = _script(character)
        joins = script is None and current != "" and ord(character) in _FALLBACK_COVERS
        if joins or (script and script == current):
            runs[-1] = (True, runs[-1][1] + character)
        elif script:
            runs.append((True, character))
            current = script
        else:
            runs.append((False, character))
            current = ""
    return runs


def markup(text: object) -> str:
    """Paragraph markup for any text: escaped, each run in the first font that sets it,
    Arabic and Hebrew shaped, every character still in the order it was typed."""
    typed = "".join(c for c in str(text or "") if c not in _INVISIBLE)
    shown: list[tuple[str | None, str]] = []
    runs = _runs(typed)
    for i, (is_shaped, run) in enumerate(runs):
        if is_shaped:
            shown += [(FALLBACK_FONT, character) for character in _shape(run)]
        elif run == " " and 0 < i < len(runs) - 1 and runs[i - 1][0] and runs[i + 1][0]:
            # A space between two right-to-left words in their font too: the run is then one
            # piece of PDF text that copy and search read back in the order it was typed.
            shown.append((FALLBACK_FONT, run))
        else:
            font = font_for(run)
            shown.append((font, REPLACEMENT if font is None else run))
    tagged = []
    for font, group in itertools.groupby(shown, key=lambda item: item[0]):
        characters = escape("".join(character for _font, character in group))
        name = CJK_FONT if font is None else font
        tagged.append(characters if not name else f'<font name="{name}">{characters}</font>')
    return "".join(tagged).replace("\n", "<br/>")


def _direction(character: str) -> str:
    """The bidi class of a character in a shaped paragraph (private glyphs are Arabic's)."""
    return "R" if character in _PRIVATE.values() else bidi.bidi_class(character)


def _has_rtl(text: str) -> bool:
    return any(_direction(character) in ("R", "AL") for character in text)


def _seen_words(words: list[str]) -> list[str]:
    """A line of a one-font paragraph, its words in the order they are seen."""
    text = " ".join(words)
    return bidi.visual(text, _direction).split(" ") if _has_rtl(text) else words


def _seen_frags(frags: list) -> list:
    """A line of a paragraph of several fonts, its characters in the order they are seen."""
    texts = [frag for frag in frags if getattr(frag, "text", "")]
    if not _has_rtl("".join(frag.text for frag in texts)):
        return frags
    pairs = bidi.reorder([(frag, c) for frag in texts for c in frag.text], _direction)
    seen = [
        frag.clone(text="".join(character for _frag, character in group))
        for frag, group in itertools.groupby(pairs, key=lambda pair: pair[0])
    ]
    return seen + [frag for frag in frags if not getattr(frag, "text", "")]


class BidiParagraph(Paragraph):
    """A Paragraph of `markup`: broken into lines in logical order, each drawn as it is seen."""

    blPara: Any  # the lines, as ReportLab's wrap() broke them

    def drawPara(self, debug: int = 0) -> None:
        logical = self.blPara
        if logical.kind == 0:
            lines = [(space, _seen_words(words)) for space, words in logical.lines]
        else:
            lines = [line.clone(words=_seen_frags(line.words)) for line in logical.lines]
        self.blPara = logical.clone(lines=lines)
        try:
            super().drawPara(debug)
        finally:
            self.blPara = logical


def paragraph(text: object, style: ParagraphStyle) -> BidiParagraph:
    """Any text as a paragraph of a Closeout PDF: fonts chained, shaped, ordered as seen."""
    return BidiParagraph(markup(text), style)
