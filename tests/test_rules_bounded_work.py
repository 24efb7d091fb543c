"""Bounded work on hostile input (issue 12.5): every parser in ``agent/rules/`` reads a megabyte of
adversarial text — long whitespace runs, nested brackets, repeated tags and markers — in time linear
in its length. The guard is pytest-timeout: a quadratic parser takes hours on these blocks (the old
print_r closing-bracket pattern took 27 s on 60 KB), a linear one a fraction of a second."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.models import ResponseRecord, TextReading
from agent.policy import Policy
from agent.redact import excerpt
from agent.rules.classify import classify
from agent.rules.reader import MAX_BLOCK_CHARS, read_response
from agent.rules.texts import read_text
from agent.rules.vocabulary import known_phrase, vocabulary_field

MEGABYTE = MAX_BLOCK_CHARS
GUARD = pytest.mark.timeout(60)

PREFIXES = {
    "none": "",
    "print_r": "Array\n(\n    [http_code] => 400\n    [text] => y",
    "print_r bare": "[http_code] => 400\n[text] => y",
    "key value": "http_code: 400\ntext: y",
    "json": '{"http_code": 400, "text": "y',
    "html": "<html><head><title>",
}
UNITS = {
    "spaces": " ",
    "tabs and newlines": " \t\n",
    "newlines": "\n",
    "closing brackets": "\n    )",
    "spaced closings": " )",
    "square brackets": "[",
    "braces": "{",
    "nested print_r": "[a] => Array\n(\n",
    "print_r markers": "[x] => ",
    "key value lines": "a: b\n",
    "colons": "a:",
    "title tags": "<title>",
    "unclosed tags": "<",
    "h1 tags": "<h1 class='x'>",
    "quotes": "'",
    "digits with dashes": "1-",
    "digit groups": "1234 ",
    "title-case words": "Aa ",
    "person words": "patient A",
    "name words": "name ",
    "date pieces": "1/",
    "fhir paths": "Patient.a.",
    "labelled fields": "'X (Patient.a)' ",
}


def block(prefix: str, unit: str, tail: str = "x") -> str:
    body = unit * ((MEGABYTE - len(prefix) - len(tail)) // len(unit))
    return prefix + body + tail


CASES = [
    pytest.param(prefix, unit, id=f"{pname}+{uname}")
    for pname, prefix in PREFIXES.items()
    for uname, unit in UNITS.items()
    if pname in ("none", "print_r") or uname in ("spaces", "closing brackets", "print_r markers", "title tags")
]


@GUARD
@pytest.mark.parametrize(("prefix", "unit"), CASES)
def test_the_reader_reads_a_megabyte_of_hostile_text_in_linear_time(prefix: str, unit: str) -> None:
    assert isinstance(read_response(block(prefix, unit)), ResponseRecord)


@GUARD
@pytest.mark.parametrize(("prefix", "unit"), CASES)
def test_read_text_reads_a_megabyte_of_hostile_text_in_linear_time(prefix: str, unit: str) -> None:
    reading = read_text(block(prefix, unit))
    assert isinstance(reading, TextReading)
    assert len(reading.message) <= 400


@GUARD
@pytest.mark.parametrize("unit", list(UNITS.values()), ids=list(UNITS))
def test_classify_and_the_report_excerpt_stay_linear_on_a_megabyte(unit: str) -> None:
    text = block("", unit)
    assert classify(json.dumps({"http_code": 400, "text": text})[:MEGABYTE], Policy())["decision"]
    assert len(excerpt(text, 300)) <= 300
    known_phrase(text, rule=True)
    vocabulary_field(text)


@GUARD
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.sampled_from(list(PREFIXES.values())),
    st.lists(st.sampled_from(list(UNITS.values())), min_size=1, max_size=3).map("".join),
    st.sampled_from(["x", ")", "\n)", "", "'", "]"]),
)
def test_any_megabyte_mix_of_hostile_pieces_is_read_in_linear_time(prefix: str, unit: str, tail: str) -> None:
    text = block(prefix, unit, tail)
    record = read_response(text)
    assert record.readable or record.problem
    assert "\n" not in read_text(text).message
