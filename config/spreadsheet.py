"""CSV that a spreadsheet opens as data: every CSV the app writes goes through `csv_writer`.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula
by Excel, LibreOffice and Google Sheets, so a provider name such as `=HYPERLINK(...)` would
run in an agent's spreadsheet. OWASP's advice ("CSV Injection") is to prefix such a cell with
a single quote, which every one of them shows as text; plain numbers (`-1.5`) are left alone
so numeric columns stay numeric.
"""

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: object) -> object:
    """The value as a spreadsheet should see it: text that would be a formula is quoted."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """`csv.writer` whose every cell goes through `safe_cell`."""

    def __init__(self, out: _Writable, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: _Writable, **options: Any) -> SafeWriter:
    """The one way the app writes CSV (ruff bans `csv.writer` elsewhere)."""
    return SafeWriter(out, **options)
