"""Personal data out, and one readable line, before partner text goes anywhere."""

from __future__ import annotations

import pytest

from agent.redact import REDACTED, scrub, shorten


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("HCN 1234-567-890-AB rejected", "1234-567-890-AB"),
        ("HCN 1234 567 890 A rejected", "1234 567 890 A"),
        ("HCN 1234567890XY rejected", "1234567890XY"),
        ("reference 3502768696", "3502768696"),
        ("mrn 12345678901234", "12345678901234"),
        ("write to jane.doe+x@clinic.example.ca please", "jane.doe+x@clinic.example.ca"),
        ("call 416-555-0199 or (905) 555-0100", "555-01"),
    ],
)
def test_scrub_removes_numbers_and_addresses(text: str, gone: str) -> None:
    scrubbed = scrub(text)
    assert gone not in scrubbed
    assert REDACTED in scrubbed


@pytest.mark.parametrize(
    "text",
    [
        "Not a valid date format: '2026-13-45'",
        "HAPI-0389: Failed",
        "Patient.contact[0].telecom[0].value is missing",
        "http_code 502 after 30001 ms",
        "http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1",
    ],
)
def test_scrub_leaves_codes_paths_and_dates_alone(text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("a\n b\t\tc", 10, "a b c"),
        ("one two three four five", 12, "one two…"),
        ("abcdefghijklmnop", 8, "abcdefg…"),
        ("anything", 0, ""),
        ("anything", 1, "…"),
    ],
)
def test_shorten_gives_one_line_within_the_limit(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected
    assert len(shorten(text, limit)) <= limit
