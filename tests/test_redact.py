"""The one scrubber (agent/redact.py): personal data and credentials out, vocabulary kept, one line."""

from __future__ import annotations

import pytest

from agent.redact import REDACTED, scrub, shorten

# (pattern, text, the value that must be gone)
GONE = [
    # health card numbers, every common spelling, with and without version codes
    ("hcn dashes", "HCN 1234-567-890 rejected", "1234-567-890"),
    ("hcn spaces", "HCN 1234 567 890 rejected", "1234 567 890"),
    ("hcn dots", "HCN 1234.567.890 rejected", "1234.567.890"),
    ("hcn five-five", "card 12345 67890 rejected", "12345 67890"),
    ("hcn five-five dash", "card 12345-67890 rejected", "12345-67890"),
    ("hcn bare", "card 1234567890 rejected", "1234567890"),
    ("hcn version dashes", "HCN 1234-567-890-AB rejected", "1234-567-890-AB"),
    ("hcn version space", "HCN 1234 567 890 A rejected", "1234 567 890 A"),
    ("hcn version attached", "HCN 1234567890XY rejected", "1234567890XY"),
    ("hcn version lower", "HCN 1234567890xy rejected", "1234567890xy"),
    ("hcn dots version", "HCN 1234.567.890.KT rejected", "567.890"),
    ("ramq", "RAMQ TREM 1234 5678 expired", "TREM 1234 5678"),
    ("alberta five-four", "PHN 12345-6789 unknown", "12345-6789"),
    # other numbers
    ("reference", "reference 3502768696", "3502768696"),
    ("mrn", "mrn 12345678901234", "12345678901234"),
    ("phone dashes", "call 416-555-0199", "416-555-0199"),
    ("phone brackets", "call (905) 555-0100", "555-0100"),
    ("phone dots", "call 416.555.0199 now", "416.555.0199"),
    ("phone intl", "call +1 416 555 0199 now", "416 555 0199"),
    ("phone ext", "call 416-555-0199 ext 12", "ext 12"),
    ("e-mail", "write to jane.doe+x@clinic.example.ca please", "jane.doe+x@clinic.example.ca"),
    # dates in every common format
    ("date iso", "DOB 1980-01-31 invalid", "1980-01-31"),
    ("date iso time", "born 1980-01-31T08:15:00Z", "1980-01-31T08:15:00Z"),
    ("date slashes dmy", "DOB 31/01/1980 invalid", "31/01/1980"),
    ("date slashes mdy short", "DOB 1/31/80 invalid", "1/31/80"),
    ("date dashes dmy", "DOB 31-01-1980 invalid", "31-01-1980"),
    ("date dots", "DOB 1980.01.31 invalid", "1980.01.31"),
    ("date dots dmy", "DOB 31.01.1980 invalid", "31.01.1980"),
    ("date ymd slashes", "DOB 1980/01/31 invalid", "1980/01/31"),
    ("date month name", "DOB Jan 31, 1980 invalid", "Jan 31, 1980"),
    ("date long month", "DOB January 31st, 1980 invalid", "1980"),
    ("date day month", "DOB 31 January 1980 invalid", "31 January 1980"),
    ("date day mon dash", "DOB 31-Jan-1980 invalid", "31-Jan-1980"),
    ("date french", "né le 31 janvier 1980", "31 janvier 1980"),
    ("date compact", "DOB 19800131 invalid", "19800131"),
    ("date year mon day", "DOB 1980-Jan-31 invalid", "1980-Jan-31"),
    ("date mon day year", "DOB Jan-31-1980 invalid", "Jan-31-1980"),
    ("date two-digit year", "DOB 31 Jan 80 invalid", "31 Jan 80"),
    ("the article's bad date", "Not a valid date format: '2026-13-45'", "2026-13-45"),
    # postal codes and street addresses
    ("postal code", "Postal code M5V 2T6 invalid", "M5V 2T6"),
    ("postal code joined", "postal M5V2T6 invalid", "M5V2T6"),
    ("postal code lower", "postal m5v 2t6 invalid", "m5v 2t6"),
    ("zip plus four", "zip 90210-1234 invalid", "90210-1234"),
    ("street", "lives at 123 Main St in town", "123 Main St"),
    ("street long", "lives at 4820 Yonge Street North", "4820 Yonge Street"),
    ("street unit", "Apt 4, 42 Elm Avenue", "42 Elm Avenue"),
    ("street suite after", "42 Elm Ave Suite 300", "Suite 300"),
    ("street french", "12 rue Saint-Denis", "Saint-Denis"),
    ("po box", "mail to PO Box 1234", "Box 1234"),
    ("rural route", "RR 2 Stn Main", "RR 2"),
    # names
    ("patient name", "Error for patient John Smith", "John Smith"),
    ("patient colon surname first", "Patient: SMITH, John", "SMITH"),
    ("registrant name", "Registrant Mary-Ann O'Neil not found", "Mary-Ann O'Neil"),
    ("client name", "client Jean-Luc Picard has no card", "Picard"),
    ("honorific", "Referral for Mrs. Wong failed", "Wong"),
    ("doctor", "Dr. Jane Doe is not a provider", "Jane Doe"),
    ("patient name field", "patient name: Priya Patel", "Priya Patel"),
    ("quoted family name", "Invalid family name 'Smith'", "Smith"),
    ("quoted given name", 'given name "Aroha" is too long', "Aroha"),
    ("bare name pair", "John Smith is missing", "John Smith"),
    ("name pair in sentence", "Referral of Wei Chen could not be saved", "Wei Chen"),
    ("name pair in title", "Error for Amelia Tremblay DOB 1980-01-01", "Amelia Tremblay"),
    ("single name after patient word", "patient Okafor has no address", "Okafor"),
    ("surname comma given", "Tremblay, Amelia could not be matched", "Tremblay"),
    ("capitals after patient word", "PATIENT: JOHN SMITH not found", "SMITH"),
    ("name in a locator", "waiting for get_by_role('row', name='Aurelie Vantongeren 4100000001')", "Vantongeren"),
    ("name after for", "Referral for Wei Chen, born 1990-02-03", "Wei Chen"),
    # credentials
    ("password pair", "settings password=hunter2hunter", "hunter2hunter"),
    ("json password", '{"password": "s3cr3t!"}', "s3cr3t!"),
    ("cookie header", "Cookie: session=abc123; csrftoken=xyz", "abc123"),
    ("bearer", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "eyJhbGciOiJIUzI1NiJ9"),
]


@pytest.mark.parametrize(("pattern", "text", "gone"), GONE, ids=[g[0] for g in GONE])
def test_scrub_removes_each_kind_of_personal_data(pattern: str, text: str, gone: str) -> None:
    scrubbed = scrub(text)
    assert gone not in scrubbed, scrubbed
    assert REDACTED in scrubbed


KEPT = [
    "HAPI-0389: Failed",
    "Patient.contact[0].telecom[0].value is missing",
    "http_code 502 after 30001 ms",
    "http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1",
    "'Primary Contact's Postal Code (Patient.contact[0].address.postCode)' is missing.",
    "'Health Card Number (Patient.identifier[0].value)' is invalid.",
    "Patient Birth Date is missing",
    "502 Bad Gateway",
    "HTTP/1.1 400 Bad Request",
    "503 Service Temporarily Unavailable",
    "Integration Triggers",
    "Edited Status - Ready",
    "Service Failure at Ocean eReferral",
    "upstream connect error or disconnect/reset before headers. reset reason: connection failure",
    "nginx/1.18.0 at 203.0.113.10",
    "Province must equal 'ON'.",
    "Referral date must be in the past",
    "Bad Request, Service Unavailable",
    "Toronto, Ontario",
]


@pytest.mark.parametrize("text", KEPT)
def test_scrub_leaves_vocabulary_codes_and_paths_alone(text: str) -> None:
    assert scrub(text) == text


def test_scrub_keeps_what_it_is_told_and_labelled_references_only_when_asked() -> None:
    text = "referral 1234567890 resent; 2345678901 known; 3456789012 unknown"
    assert scrub(text, references=["2345678901"]) == f"referral {REDACTED} resent; 2345678901 known; {REDACTED} unknown"
    kept = scrub(text, references=["2345678901"], own_line=True)
    assert kept == f"referral 1234567890 resent; 2345678901 known; {REDACTED} unknown"


def test_the_agents_own_lines_keep_sweep_ids_and_times_but_not_a_dob() -> None:
    line = "sweep 20261202-020000-dry started 2026-12-02 02:00:05 EST; next 2026-12-03T02:00:00+00:00"
    assert scrub(line, own_line=True) == line
    assert "1980-01-01" not in scrub("DOB 1980-01-01 and 1980-01-01T00:00:00", own_line=True)
    assert "20261202" not in scrub("sweep 20261202-020000 started")  # partner text: any long number goes


def test_a_labelled_health_card_number_goes_even_when_it_looks_like_a_reference() -> None:
    assert scrub("HCN: 1234567890", references=["1234567890"], own_line=True) == f"HCN: {REDACTED}"


def test_secrets_are_removed_wherever_they_appear() -> None:
    assert scrub("typed pa55word-xyz into the form", secrets=["pa55word-xyz"]) == f"typed {REDACTED} into the form"


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
