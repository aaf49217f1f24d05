"""PYRAMID_LOG_FORMAT=json: one JSON object per line, with the time, level, logger and message."""

from __future__ import annotations

import json
import logging

from bot.cli import log_formatter


def record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("bot.runtime", logging.WARNING, __file__, 1, message, args, None)


def test_json_lines_carry_time_level_name_and_message() -> None:
    line = log_formatter("json").format(record("the database did not answer within %.1f s", 1.6))
    data = json.loads(line)
    assert data["level"] == "WARNING" and data["name"] == "bot.runtime"
    assert data["message"] == "the database did not answer within 1.6 s"
    assert data["time"]
    assert "\\n" not in line


def test_text_lines_for_a_terminal() -> None:
    line = log_formatter("text").format(record("ready"))
    assert line.endswith("WARNING bot.runtime: ready")
