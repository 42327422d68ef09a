"""The order a line of mixed left-to-right and right-to-left text is seen in: pure rules.

The parts of the Unicode Bidirectional Algorithm (UAX #9) that a Closeout PDF needs: a
left-to-right paragraph (every document is English or Chinese), with no explicit embeddings,
overrides or isolates (pdf.markup drops those controls, so a typed override cannot disguise
a reference). Weak and neutral types are resolved (W1-W7, N1-N2), levels set (I1-I2), and a
line reordered (L1, L2), brackets mirrored in right-to-left runs (L4). Combining marks turn
round with their letter (L3 is not applied): HarfBuzz draws right-to-left text so, mark before
letter, and DejaVu Sans's zero-width marks are drawn for that order. Written here rather than
installed: the bidi packages on PyPI (python-bidi, pyfribidi) are LGPL.
"""

import unicodedata
from collections.abc import Callable, Sequence

# Brackets and quotes whose glyph is mirrored in a right-to-left run (Bidi_Mirroring_Glyph).
_MIRRORED = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True))
_NEUTRAL = frozenset({"B", "S", "WS", "ON", "BN"})
_STRONG = frozenset({"L", "R", "AL"})


def bidi_class(character: str) -> str:
    return unicodedata.bidirectional(character) or "L"


def _resolve_marks_and_arabic(types: list[str]) -> None:
    """W1-W3: a mark takes the type of what it sits on; digits after Arabic letters are
    Arabic numbers; Arabic letters are right to left."""
    previous = strong = "L"
    for i, kind in enumerate(types):
        if kind == "NSM":
            types[i] = kind = previous
        if kind in _STRONG:
            strong = kind
        elif kind == "EN" and strong == "AL":
            types[i] = "AN"
        previous = kind
    types[:] = ["R" if kind == "AL" else kind for kind in types]


def _resolve_separators(types: list[str]) -> None:
    """W4-W6: one separator between two numbers, and terminators (%, $) beside a number,
    join it; any other separator or terminator is a neutral."""
    for i in range(1, len(types) - 1):
        before, kind, after = types[i - 1], types[i], types[i + 1]
        if before == after == "EN" and kind in ("ES", "CS"):
            types[i] = "EN"
        elif before == after == "AN" and kind == "CS":
            types[i] = "AN"
    i = 0
    while i < len(types):
        end = i
        while end < len(types) and types[end] == "ET":
            end += 1
        if end > i and (
            (i > 0 and types[i - 1] == "EN") or (end < len(types) and types[end] == "EN")
        ):
            types[i:end] = ["EN"] * (end - i)
        i = max(end, i + 1)
    types[:] = ["ON" if kind in ("ES", "ET", "CS") else kind for kind in types]


def _resolve_weak(types: list[str]) -> list[str]:
    """W1-W7, with sos and eos left to right."""
    _resolve_marks_and_arabic(types)
    _resolve_separators(types)
    strong = "L"
    for i, kind in enumerate(types):  # W7: a number after Latin is set as Latin
        if kind in ("L", "R"):
            strong = kind
        elif kind == "EN" and strong == "L":
            types[i] = "L"
    return types


def _resolve_neutral(types: list[str]) -> list[str]:
    """N1-N2: neutrals between two runs of one direction take it, the others left to right."""
    direction = ["R" if kind in ("R", "EN", "AN") else kind for kind in types]
    i = 0
    while i < len(types):
        if types[i] not in _NEUTRAL:
            i += 1
            continue
        end = i
        while end < len(types) and types[end] in _NEUTRAL:
            end += 1
        before = direction[i - 1] if i > 0 else "L"
        after = direction[end] if end < len(types) else "L"
        types[i:end] = [before if before == after else "L"] * (end - i)
        i = end
    return types


def levels(text: str, classify: Callable[[str], str] = bidi_class) -> list[int]:
    """Each character's embedding level in a left-to-right paragraph (I1): 0, 1 or 2."""
    original = [classify(character) for character in text]
    types = _resolve_neutral(_resolve_weak(list(original)))
    resolved = [{"L": 0, "R": 1}.get(kind, 2) for kind in types]
    # L1: separators, and whitespace before them or at the end of the line, go back to 0.
    trailing = True
    for i in range(len(text) - 1, -1, -1):
        if original[i] in ("S", "B"):
            resolved[i], trailing = 0, True
        elif trailing and original[i] in ("WS", "BN"):
            resolved[i] = 0
        else:
            trailing = False
    return resolved


def visual_order(text: str, classify: Callable[[str], str] = bidi_class) -> list[int]:
    """The indexes of `text` left to right as seen (L2)."""
    line_levels = levels(text, classify)
    order = list(range(len(text)))
    for level in range(max(line_levels, default=0), 0, -1):
        i = 0
        while i < len(order):
            if line_levels[order[i]] < level:
                i += 1
                continue
            end = i
            while end < len(order) and line_levels[order[end]] >= level:
                end += 1
            order[i:end] = order[i:end][::-1]
            i = end
    return order


def visual(text: str, classify: Callable[[str], str] = bidi_class) -> str:
    """`text` in the order it is seen, brackets of right-to-left runs mirrored (L4)."""
    odd = [level % 2 == 1 for level in levels(text, classify)]
    return "".join(
        _MIRRORED.get(text[i], text[i]) if odd[i] else text[i] for i in visual_order(text, classify)
    )


def reorder(items: Sequence[tuple[object, str]], classify: Callable[[str], str] = bidi_class):
    """(owner, character) pairs, as `visual` would show their characters, mirrored in place."""
    text = "".join(character for _owner, character in items)
    odd = [level % 2 == 1 for level in levels(text, classify)]
    return [
        (items[i][0], _MIRRORED.get(text[i], text[i]) if odd[i] else text[i])
        for i in visual_order(text, classify)
    ]
