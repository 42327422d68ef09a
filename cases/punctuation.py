"""Colons and brackets that go beside translated text: full width in Chinese (：（）).

A template or the code that writes "{{ label }}: {{ value }}" or "({{ note }})" around a
translated string puts a half-width mark next to Chinese; these choose the mark by language,
and brackets by what they enclose too (a Chinese name is bracketed in full width anywhere).
"""

import re

from django.utils.translation import get_language

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _is_chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def colon() -> str:
    """The separator between a label and its value."""
    return "：" if _is_chinese() else ": "


def labelled(label: object, value: object) -> str:
    return f"{label}{colon()}{value}"


def bracketed(text: object) -> str:
    """`text` in brackets: full width in Chinese, or around Chinese text."""
    text = str(text)
    return f"（{text}）" if _is_chinese() or _HAN.search(text) else f"({text})"
