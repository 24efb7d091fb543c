"""The response tab's block, read in each rendering the agent may meet, and refused when it cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.models import ResponseFormat
from agent.rules.reader import MAX_BLOCK_CHARS, read_response

EXAMPLES = Path(__file__).parent / "data" / "error-examples"
EXPECTED = json.loads((EXAMPLES / "expected.json").read_text())


def as_key_value(record: dict[str, object]) -> str:
    """The transfer record as a `key: value` dump, `text` last as the tab shows it."""
    lines = [f"{k}: {v}" for k, v in record.items() if k != "text"]
    if "text" in record:
        lines.append(f"text: {record['text']}")
    return "\n".join(lines)


def as_print_r(record: dict[str, object], indent: str = "    ") -> str:
    """The transfer record as PHP print_r shows it (multi-line values run on as they are)."""
    lines = ["Array", "("]
    for key, value in record.items():
        if isinstance(value, dict):
            inner = as_print_r(value, indent + "        ").replace("\n", "\n" + indent + "    ")
            lines.append(f"{indent}[{key}] => {inner}")
        else:
            lines.append(f"{indent}[{key}] => {value}")
    lines.append(")")
    return "\n".join(lines) + "\n"


def normal(text: str | None) -> str:
    return "\n".join((text or "").splitlines()).strip()


@pytest.mark.parametrize("case", EXPECTED, ids=lambda c: c["file"])
def test_reads_every_example_as_json(case: dict[str, object]) -> None:
    record = read_response((EXAMPLES / str(case["file"])).read_text())
    assert record.http_code == case["http_code"]
    assert record.readable is (case["http_code"] is not None)
    assert record.format is (ResponseFormat.JSON if record.readable else ResponseFormat.UNREADABLE)


@pytest.mark.parametrize(
    ("render", "fmt"), [(as_key_value, ResponseFormat.KEY_VALUE), (as_print_r, ResponseFormat.PRINT_R)]
)
@pytest.mark.parametrize("case", EXPECTED, ids=lambda c: c["file"])
def test_reads_every_example_in_other_renderings(case: dict[str, object], render: object, fmt: ResponseFormat) -> None:
    data = json.loads((EXAMPLES / str(case["file"])).read_text())
    assert callable(render)
    record = read_response(render(data))
    assert record.http_code == case["http_code"]
    assert record.format is (fmt if case["http_code"] is not None else ResponseFormat.UNREADABLE)
    assert normal(record.text) == normal(data["text"])
    assert record.fields.get("url") == data["url"]


def test_print_r_on_one_line_as_a_browser_collapses_it() -> None:
    block = (
        "Array ( [http_code] => 400 [url] => https://x.example/api "
        "[text] => 'Postal Code (Patient.address.postCode)' is missing. )"
    )
    record = read_response(block)
    assert (record.format, record.http_code) == (ResponseFormat.PRINT_R, 400)
    assert record.text == "'Postal Code (Patient.address.postCode)' is missing."


def test_print_r_reply_that_looks_like_print_r_stays_the_reply() -> None:
    block = "Array\n(\n    [http_code] => 500\n    [text] => Array\n(\n    [error] => boom\n)\n\n)\n"
    record = read_response(block)
    assert record.http_code == 500


def test_key_value_reply_with_colons_stays_one_value() -> None:
    block = "http_code: 503\nurl: https://x.example\ntext: upstream error\nreset reason: connection failure\n"
    record = read_response(block)
    assert record.http_code == 503
    assert record.text == "upstream error\nreset reason: connection failure"


@pytest.mark.parametrize(
    ("block", "code", "text"),
    [
        ('{"info": {"http_code": 502}, "text": "bad gateway"}', 502, "bad gateway"),
        ('{"response": {"http_code": "504", "text": "timeout"}}', 504, "timeout"),
        ('{"body": {"info": {"http_code": " 400 "}}, "text": ""}', 400, ""),
        ('{"http_code": 502, "info": {"http_code": "502"}}', 502, None),
        ('[{"http_code": 503, "text": "x"}]', 503, "x"),
        ("[http_code] => 502\n[text] => hi", 502, "hi"),
        ('{"status_code": 500, "text": "x"}', 500, "x"),
        (
            '{"http_code": 422, "text": {"resourceType": "OperationOutcome"}}',
            422,
            '{"resourceType": "OperationOutcome"}',
        ),
    ],
)
def test_finds_http_code_and_text_wherever_they_are(block: str, code: int, text: str | None) -> None:
    record = read_response(block)
    assert record.http_code == code
    assert record.text == text


def test_partners_reply_cannot_change_the_code() -> None:
    record = read_response('{"http_code": 502, "text": {"http_code": 200, "status_code": 200}}')
    assert record.http_code == 502


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        (None, "showed nothing"),
        ("", "empty"),
        ("   \n\t ", "empty"),
        (b"\x00\x01\x02garbage\xff", "binary"),
        ("\x01\x02\x03\x04\x05\x06\x07\x08 abc", "binary"),
        ('{"http_code": 502, "text": "cut', "cut off or malformed"),
        ('{"http_code": 50', "cut off or malformed"),
        ("[" * 100_000, "nested too deeply"),
        ("502", "not JSON"),
        ('{"url": "https://x"}', "no http_code"),
        ('{"http_code": 0}', "no HTTP answer"),
        ('{"http_code": 600}', "100–599"),
        ('{"http_code": 99}', "100–599"),
        ('{"http_code": -502}', "100–599"),
        ('{"http_code": 502.5}', "not a whole number"),
        ('{"http_code": 502.0}', "not a whole number"),
        ('{"http_code": "502 Bad Gateway"}', "not a whole number"),
        ('{"http_code": true}', "not a number"),
        ('{"http_code": null}', "not a number"),
        ('{"http_code": 502, "info": {"http_code": 200}}', "different http_codes"),
        ("http_code: five hundred\ntext: x", "not a whole number"),
        ("Array ( [http_code] => 5o2 )", "not a whole number"),
        ("502 Bad Gateway", "not JSON"),
        ("x" * (MAX_BLOCK_CHARS + 1), "more than the reader accepts"),
    ],
)
def test_unreadable_blocks_say_why_and_never_guess(block: str | bytes | None, problem: str) -> None:
    record = read_response(block)
    assert record.format is ResponseFormat.UNREADABLE
    assert record.http_code is None
    assert not record.readable
    assert record.problem is not None
    assert problem in record.problem


def test_unreadable_block_keeps_the_reply_as_evidence() -> None:
    record = read_response((EXAMPLES / "no-http-code.json").read_text())
    assert record.text is not None
    assert record.text.startswith("curl: (28)")


def test_bytes_are_read_as_utf8() -> None:
    record = read_response('{"http_code": 400, "text": "Code postal manquant é"}'.encode())
    assert record.http_code == 400


def test_an_unreadable_http_code_is_described_never_quoted() -> None:
    record = read_response('{"http_code": "John Smith 1980-01-01", "text": "x"}')
    assert record.problem is not None and "not a whole number" in record.problem
    assert "John" not in record.problem and "1980" not in record.problem
