"""Provider search: every name folded one way, so that what people type finds what we store.

Folding applies NFKC (full-width letters become ASCII), case folding, and OpenCC's
Traditional-to-Simplified conversion, so 中國移動 finds 中国移动 and the reverse, "cmhk"
finds "CMHK", and "ｃｓｌ" finds "csl". Each provider keeps its folded names in
`Provider.search_text`, filled on save, so the search is one query on one column.
"""

import re
import unicodedata
from functools import cache

import opencc

SPACES = re.compile(r"\s+")


@cache
def _to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """`text` with every Traditional Chinese character in its Simplified form."""
    return _to_simplified().convert(text)


def fold(text: str) -> str:
    """The form used to compare names: NFKC, case-folded, Simplified, single spaces."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return SPACES.sub(" ", _to_simplified().convert(text)).strip()


def aliases_of(text: str) -> list[str]:
    """The aliases field (comma or newline separated, either kind of comma) as a list."""
    return [alias.strip() for alias in re.split(r"[,，\n]", text or "") if alias.strip()]


def search_text(*, name: str, local_name: str, slug: str, aliases: str, name_zh: str = "") -> str:
    """Every name of a provider, folded and joined; a query matches any part of it."""
    names = [name, name_zh, local_name, slug, slug.replace("-", " "), *aliases_of(aliases)]
    return " | ".join(dict.fromkeys(fold(part) for part in names if part))
