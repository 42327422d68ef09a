"""Cells a spreadsheet would run as formulas are written as text."""

import csv
import io

import pytest

from config.spreadsheet import csv_writer, safe_cell


@pytest.mark.parametrize(
    "hostile",
    ["=1+1", '=HYPERLINK("https://evil.example","Click")', "+44 cmd", "-2+3", "@SUM(A1)",
     "\t=1", "\r=1", "=cmd|' /C calc'!A0"],
)  # fmt: skip
def test_a_cell_that_starts_a_formula_is_prefixed_with_a_quote(hostile):
    assert safe_cell(hostile) == "'" + hostile


@pytest.mark.parametrize("value", ["China Mobile", "3 Hong Kong", "a=b", "", "-1.5", "-3", 7, 2.5])
def test_ordinary_text_and_numbers_are_left_as_they_are(value):
    assert safe_cell(value) == value


def test_the_writer_quotes_every_cell_of_every_row():
    out = io.StringIO()
    csv_writer(out).writerows([["=1+1", 3], ["ok", "@x"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'=1+1", "3"], ["ok", "'@x"]]
