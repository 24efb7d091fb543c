"""The partner's reply: what it says, whether staff can act on it, and what they should do."""

from __future__ import annotations

import json

import pytest

from agent.models import TextKind
from agent.rules.texts import read_text
from agent.rules.wording import explain

POSTAL = "'Primary Contact's Postal Code (Patient.contact[0].address.postCode)' is missing."


def outcome(*issues: dict[str, object]) -> str:
    return json.dumps({"resourceType": "OperationOutcome", "issue": list(issues)})


CLEAR = [
    # text, kind, field, path, problem
    (POSTAL, TextKind.PLAIN, "Primary Contact's Postal Code", "Patient.contact[0].address.postCode", "missing"),
    (
        "'Health Card Number (Patient.identifier[0].value)' is invalid.",
        TextKind.PLAIN,
        "Health Card Number",
        "Patient.identifier[0].value",
        "invalid",
    ),
    (
        outcome(
            {
                "severity": "error",
                "code": "value",
                "diagnostics": "Not a valid date format",
                "expression": ["Patient.birthDate"],
            }
        ),
        TextKind.FHIR,
        "Patient birth date",
        "Patient.birthDate",
        "wrong format",
    ),
    (
        outcome({"severity": "error", "diagnostics": "Patient.name.family: minimum required = 1, but only found 0"}),
        TextKind.FHIR,
        "Patient family name",
        "Patient.name.family",
        "minimum required",
    ),
    (
        outcome(
            {
                "severity": "error",
                "code": "code-invalid",
                "diagnostics": "not in value set 'X'",
                "expression": ["Patient.gender"],
            }
        ),
        TextKind.FHIR,
        "Patient gender",
        "Patient.gender",
        "not in the value set",
    ),
    (
        outcome(
            {
                "severity": "error",
                "code": "required",
                "details": {"text": "Required"},
                "location": ["/f:Patient/f:birthDate"],
            }
        ),
        TextKind.FHIR,
        "Patient birth date",
        "Patient.birthDate",
        "missing",
    ),
    (
        "Patient.address[0].line: too long",
        TextKind.PLAIN,
        "Patient street address",
        "Patient.address[0].line",
        "too long",
    ),
    ("Referral date must be in the past", TextKind.PLAIN, "Referral date", None, "must be in the past"),
    ("Province must equal 'ON'.", TextKind.PLAIN, "Province", None, "must equal 'ON'"),
    ("Postal code is missing.", TextKind.PLAIN, "Postal code", None, "missing"),
    (
        '{"message": "Referring practitioner not found", "field": "Practitioner.identifier"}',
        TextKind.JSON,
        "Practitioner identifier",
        "Practitioner.identifier",
        "not found",
    ),
    (
        '{"errors": [{"field": "postalCode", "defaultMessage": "must not be blank"}]}',
        TextKind.JSON,
        "postal code",
        None,
        "missing",
    ),
    ("Invalid value 'unknown-x' for gender", TextKind.PLAIN, None, None, "invalid"),
]


@pytest.mark.parametrize(("text", "kind", "field", "path", "problem"), CLEAR)
def test_clear_messages_name_what_to_fix(
    text: str, kind: TextKind, field: str | None, path: str | None, problem: str
) -> None:
    reading = read_text(text)
    assert (reading.kind, reading.clear) == (kind, True)
    assert (reading.field, reading.path, reading.problem) == (field, path, problem)
    assert reading.fix is not None
    assert reading.fix.startswith("Edit the referral and ")
    assert reading.fix.endswith("then save it (Caredove re-sends it by itself; do not click Resend).")


UNCLEAR = [
    (None, TextKind.EMPTY),
    ("", TextKind.EMPTY),
    ("  \n ", TextKind.EMPTY),
    ("Bad Request", TextKind.PLAIN),
    ("HTTP/1.1 400 Bad Request", TextKind.PLAIN),
    ("400", TextKind.PLAIN),
    ('{"timestamp":"2025-01-10T08:48:32.783+00:00","status":400,"error":"Bad Request","path":"/C"}', TextKind.JSON),
    ("<html><head><title>400 Bad Request</title></head><body><h1>400 Bad Request</h1></body></html>", TextKind.HTML),
    ("<html><body><h1>Patient.birthDate is missing</h1></body></html>", TextKind.HTML),
    (outcome({"severity": "error", "diagnostics": "Element with min. cardinality 1 cannot be null"}), TextKind.FHIR),
    ("Element with min. cardinality 1 cannot be null", TextKind.PLAIN),
    (outcome({"severity": "fatal", "diagnostics": "HAPI-0389: java.lang.NullPointerException"}), TextKind.FHIR),
    ("java.lang.IllegalStateException: Patient.birthDate\n\tat org.x.Y.z(Y.java:10)", TextKind.PLAIN),
    ("Traceback (most recent call last):\n  File \"x.py\", line 1\nKeyError: 'family'", TextKind.PLAIN),
    ("upstream connect error or disconnect/reset before headers. reset reason: connection failure", TextKind.PLAIN),
    ('{"message":"Endpoint request timed out"}', TextKind.JSON),
    ("Request is invalid", TextKind.PLAIN),
    ("Node.js says: invalid", TextKind.PLAIN),
    ("The value must be one of the allowed codes", TextKind.PLAIN),
]


@pytest.mark.parametrize(("text", "kind"), UNCLEAR)
def test_unclear_messages_are_not_fixes(text: str | None, kind: TextKind) -> None:
    reading = read_text(text)
    assert (reading.kind, reading.clear, reading.fix) == (kind, False, None)


def test_postal_code_fix_is_one_line_staff_can_follow() -> None:
    assert read_text(POSTAL).fix == (
        "Edit the referral and enter the primary contact's postal code, then save it "
        "(Caredove re-sends it by itself; do not click Resend)."
    )


def test_html_page_is_read_by_its_title() -> None:
    reading = read_text("<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head><body></body></html>")
    assert reading.message == "503 Service Temporarily Unavailable"


def test_html_page_without_title_is_read_by_its_heading() -> None:
    assert read_text("<html><body><h1>Gateway &amp; proxy error</h1></body></html>").message == "Gateway & proxy error"


def test_several_fhir_issues_first_error_speaks_and_count_is_mentioned() -> None:
    text = outcome(
        {"severity": "warning", "diagnostics": "Narrative is missing"},
        {"severity": "error", "code": "required", "diagnostics": "Patient.telecom: minimum required = 1"},
        {"severity": "error", "diagnostics": "Patient.gender: not in value set"},
    )
    reading = read_text(text)
    assert reading.path == "Patient.telecom"
    assert reading.field == "Patient phone or email"
    assert "3 issues" in reading.message


@pytest.mark.parametrize("number", ["1234-567-890-AB", "1234 567 890 A", "1234567890", "1234567890AB", "3502768696"])
def test_health_card_numbers_never_reach_message_or_fix(number: str) -> None:
    for text in (
        f"'Health Card Number (Patient.identifier[0].value)' value {number} is invalid.",
        f"Health card {number} is not valid",
        f"'{number}' is not a valid health card number",
        outcome(
            {"severity": "error", "diagnostics": f"Invalid HCN {number}", "expression": ["Patient.identifier[0].value"]}
        ),
    ):
        reading = read_text(text)
        for produced in (reading.message, reading.fix or "", reading.field or "", explain(reading)):
            assert number not in produced
            assert number.replace("-", "").replace(" ", "")[:10] not in produced.replace("-", "").replace(" ", "")


def test_email_address_is_scrubbed_from_the_message() -> None:
    assert "jane@example.org" not in read_text("Contact jane@example.org is not valid").message


def test_long_reply_is_shortened_to_one_line() -> None:
    reading = read_text("Bad thing happened.\n" * 5_000)
    assert "\n" not in reading.message
    assert len(reading.message) <= 300


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("", "empty"),
        ("<html><title>400 Bad Request</title></html>", "HTML error page"),
        ("java.lang.NullPointerException", "stack trace"),
        ("Bad Request", "status line"),
        (
            outcome({"severity": "error", "diagnostics": "Element with min. cardinality 1 cannot be null"}),
            "no field path",
        ),
        ("upstream connect error", "names no field"),
        (POSTAL, "primary contact's postal code (Patient.contact[0].address.postCode) is missing"),
    ],
)
def test_explain_says_why_a_reply_is_or_is_not_clear(text: str, phrase: str) -> None:
    assert phrase in explain(read_text(text))


def test_page_of_unclosed_tags_is_read_without_stalling() -> None:
    reading = read_text("<html>" + "<title>" * 100_000)
    assert (reading.kind, reading.clear) == (TextKind.HTML, False)


# --- minimum necessary by construction (issue 12.1) -----------------------------------------------

PLANTED = ("John", "Smith", "M5V", "2T6", "123 Main", "1980-01-01", "Jones", "Ontario Smith")


@pytest.mark.parametrize(
    "text",
    [
        "John Smith is missing",
        "Postal code M5V 2T6 for John Smith at 123 Main St is invalid",
        "Patient John Smith is missing",
        "'John Smith (Patient.name[0])' is invalid",
        '{"message": "is invalid", "field": "johnSmith"}',
        '{"errors": [{"field": "John Smith", "defaultMessage": "must not be blank"}]}',
        "Surname Smith must equal 'Jones'",
        "Province must equal 'Ontario Smith'",
        "Family name must be Smith",
        "Invalid value 'Smith' for family name",
        "<html><head><title>Error for patient John Smith DOB 1980-01-01</title></head></html>",
    ],
)
def test_field_fix_problem_and_reason_never_quote_free_partner_text(text: str) -> None:
    reading = read_text(text)
    built = " ".join(str(v) for v in (reading.field, reading.path, reading.problem, reading.fix, explain(reading)))
    for value in PLANTED:
        assert value not in built, (value, built)
        assert value not in reading.message, (value, reading.message)


def test_a_name_is_never_taken_for_a_field() -> None:
    assert (read_text("John Smith is missing").clear, read_text("John Smith is missing").field) == (False, None)
    assert read_text("Patient John Smith is missing").clear is False


def test_a_field_word_before_personal_data_is_still_the_field() -> None:
    reading = read_text("Postal code M5V 2T6 for John Smith at 123 Main St is invalid")
    assert (reading.clear, reading.field, reading.problem) == (True, "Postal code", "invalid")


def test_a_label_that_is_not_vocabulary_gives_way_to_the_path() -> None:
    reading = read_text("'John Smith (Patient.name[0])' is invalid")
    assert (reading.field, reading.path) == ("Patient name", "Patient.name[0]")


def test_an_html_title_is_quoted_in_the_reason_only_when_it_is_a_status_line() -> None:
    named = read_text("<html><head><title>Error for patient John Smith</title></head></html>")
    assert explain(named) == "the partner's reply is an HTML error page"
    status = read_text("<html><head><title>400 Bad Request</title></head></html>")
    assert explain(status) == "the partner's reply is an HTML error page ('400 Bad Request')"


def test_a_code_is_quoted_but_a_name_is_not() -> None:
    assert read_text("Province must equal 'ON'.").problem == "must equal 'ON'"
    assert "Ontario" not in (read_text("Province must equal 'Ontario Smith'").problem or "")


def test_classify_on_the_issues_examples_quotes_no_partner_text() -> None:
    from agent.policy import Policy
    from agent.rules.classify import classify

    named = classify(json.dumps({"http_code": 400, "text": "John Smith is missing"}), Policy())
    assert (named["field"], named["decision"]) == (None, "escalate")
    phrase = "Postal code M5V 2T6 for John Smith at 123 Main St is invalid"
    located = classify(json.dumps({"http_code": 400, "text": phrase}), Policy())
    assert (located["field"], located["decision"]) == ("Postal code", "fix")
    page = "<html><head><title>Error for patient John Smith DOB 1980-01-01</title></head></html>"
    html = classify(json.dumps({"http_code": 400, "text": page}), Policy())
    for result in (named, located, html):
        said = " ".join(str(result[k]) for k in ("field", "path", "problem", "fix", "reason"))
        for value in ("John", "Smith", "M5V", "2T6", "123 Main", "1980"):
            assert value not in said, (value, said)
