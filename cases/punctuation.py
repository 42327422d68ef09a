"""Colons and brackets that go beside translated text: full width in Chinese (：（）).

A template or the code that writes "{{ label }}: {{ value }}" or "({{ note }})" around a
translated string puts a half-width mark next to Chinese; these choose the mark by language.
"""

from django.utils.translation import get_language


def _is_chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def colon() -> str:
    """The separator between a label and its value."""
    return "：" if _is_chinese() else ": "


def labelled(label: object, value: object) -> str:
    return f"{label}{colon()}{value}"


def bracketed(text: object) -> str:
    """`text` in brackets: full width in Chinese."""
    return f"（{text}）" if _is_chinese() else f"({text})"
