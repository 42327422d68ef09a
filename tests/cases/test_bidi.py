"""The order a line of mixed scripts is seen in (UAX #9 for a left-to-right paragraph)."""

from cases.bidi import levels, visual

HELLO, WORLD, PEACE = "مرحبا", "بالعالم", "שלום"


def test_latin_and_chinese_stay_as_typed():
    assert visual("Ada Lovelace 李 12") == "Ada Lovelace 李 12"


def test_a_right_to_left_run_reads_from_the_right_with_its_words_in_order():
    assert visual(f"Ref {HELLO} {WORLD} 李") == f"Ref {WORLD[::-1]} {HELLO[::-1]} 李"
    assert visual(f"{PEACE} טוב") == f"בוט {PEACE[::-1]}"


def test_arabic_and_hebrew_in_one_run_share_its_direction():
    assert visual(f"Ada {HELLO} {PEACE}.") == f"Ada {PEACE[::-1]} {HELLO[::-1]}."


def test_a_number_inside_arabic_keeps_its_digits_left_to_right():
    assert visual(f"{HELLO} 42 {WORLD}") == f"{WORLD[::-1]} 42 {HELLO[::-1]}"
    assert visual(f"Ref 42 {HELLO} 7 {PEACE}") == f"Ref 42 {PEACE[::-1]} 7 {HELLO[::-1]}"
    assert visual(f"{HELLO} 3.50") == f"3.50 {HELLO[::-1]}"


def test_a_number_after_latin_stays_with_the_latin():
    assert levels(f"Ref 42 {HELLO}")[:6] == [0] * 6


def test_brackets_inside_a_right_to_left_run_are_mirrored():
    assert visual(f"{HELLO} ({WORLD}) {PEACE}") == f"{PEACE[::-1]} ({WORLD[::-1]}) {HELLO[::-1]}"


def test_combining_marks_turn_with_their_letter():
    # Mark before letter, as HarfBuzz draws right-to-left text: DejaVu's marks sit on the
    # glyph drawn after them.
    assert visual("Ali بَت") == "Ali تَب"


def test_trailing_spaces_stay_at_the_end_of_the_line():
    assert visual(f"{HELLO}  ") == f"{HELLO[::-1]}  "
