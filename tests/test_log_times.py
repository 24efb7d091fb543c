"""Log lines carry their zone, text and JSON alike: beside Toronto times in messages, a bare time is a guess."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from agent.logs import configure_logging

ZONED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d ")


@pytest.fixture(autouse=True)
def _restore_root() -> object:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield None
    root.handlers[:] = handlers
    root.setLevel(level)


def test_text_log_lines_start_with_a_time_and_its_utc_offset() -> None:
    stream = io.StringIO()
    configure_logging("text", "INFO", stream=stream)
    logging.getLogger("agent.test").info("schedule nightly: sweep starting")
    line = stream.getvalue().splitlines()[0]
    assert ZONED.match(line), line


def test_json_log_lines_carry_the_offset_too() -> None:
    stream = io.StringIO()
    configure_logging("json", "INFO", stream=stream)
    logging.getLogger("agent.test").info("schedule nightly: sweep starting")
    assert json.loads(stream.getvalue().splitlines()[0])["ts"].endswith("+00:00")
