"""What every PDF Closeout makes shares: the fonts and the markup that mixes Latin and Chinese.

ReportLab's built-in Adobe CID font sets Chinese without any font file on the machine (the
reader's PDF viewer supplies the glyphs); Latin text stays in Helvetica. `markup` escapes any
text and wraps each run Helvetica cannot set (outside cp1252) in the CJK font.
"""

import datetime as dt
import itertools
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
MONO_FONT = "Courier"
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


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


def markup(text: object) -> str:
    """Paragraph markup for any text: escaped, and each run Helvetica cannot set in CJK_FONT."""
    runs = [
        "".join(run) if is_latin else f'<font name="{CJK_FONT}">{"".join(run)}</font>'
        for is_latin, run in itertools.groupby(escape(str(text or "")), key=_cp1252)
    ]
    return "".join(runs).replace("\n", "<br/>")
