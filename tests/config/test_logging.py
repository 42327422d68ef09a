"""Structured logs: one JSON object per line, so a log shipper needs no parsing rules."""

import json
import logging
import sys

from config.logging import JsonFormatter


def format_record(**kwargs) -> dict:
    logger = logging.getLogger("closeout.test")
    record = logger.makeRecord(
        "closeout.test",
        kwargs.pop("level", logging.INFO),
        __file__,
        1,
        kwargs.pop("msg"),
        kwargs.pop("args", ()),
        kwargs.pop("exc_info", None),
        extra=kwargs.pop("extra", None),
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    return json.loads(line)


def test_a_record_is_one_json_line_with_level_logger_and_message():
    entry = format_record(msg="case %s moved", args=("CX-4K7M-2QPD",))
    assert entry["level"] == "INFO"
    assert entry["logger"] == "closeout.test"
    assert entry["message"] == "case CX-4K7M-2QPD moved"
    assert "time" in entry


def test_extra_fields_become_keys_and_chinese_stays_readable():
    entry = format_record(msg="已提交", extra={"case": "CX-4K7M-2QPD", "attempt": 2})
    assert entry["case"] == "CX-4K7M-2QPD"
    assert entry["attempt"] == 2
    assert entry["message"] == "已提交"


def test_exceptions_are_kept_inside_the_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        entry = format_record(msg="failed", level=logging.ERROR, exc_info=sys.exc_info())
    assert entry["level"] == "ERROR"
    assert "ValueError: boom" in entry["exception"]


def test_objects_that_are_not_json_are_written_as_text():
    entry = format_record(msg="x", extra={"when": object()})
    assert entry["when"].startswith("<object object")


def test_settings_send_the_root_logger_to_stdout_as_json(settings):
    handler = settings.LOGGING["handlers"]["stdout"]
    assert handler["class"] == "logging.StreamHandler"
    assert settings.LOGGING["formatters"][handler["formatter"]]["()"] == (
        "config.logging.JsonFormatter"
    )
    assert settings.LOGGING["root"]["handlers"] == ["stdout"]
