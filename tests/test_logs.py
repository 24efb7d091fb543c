"""Logs a collector can parse, and that never carry a password, a cookie or a health card number."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from agent.logs import REDACTED, configure_logging, scrub_text

PASSWORD = "Plant3d-Pa55w0rd!"  # planted to prove it never leaves


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def capture(fmt: str) -> io.StringIO:
    stream = io.StringIO()
    configure_logging(fmt, "DEBUG", secrets=[PASSWORD], stream=stream)  # type: ignore[arg-type]
    return stream


@pytest.mark.usefixtures("restore_logging")
def test_json_lines_carry_time_level_logger_message_and_extra_fields() -> None:
    stream = capture("json")
    logging.getLogger("agent.scheduler").warning("schedule %s: catching up", "nightly", extra={"schedule": "nightly"})
    [line] = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "agent.scheduler"
    assert entry["msg"] == "schedule nightly: catching up"
    assert entry["schedule"] == "nightly"
    assert entry["ts"].endswith("+00:00")


@pytest.mark.usefixtures("restore_logging")
def test_a_traceback_is_one_json_line_and_scrubbed() -> None:
    stream = capture("json")
    try:
        raise RuntimeError(f"login refused for password {PASSWORD}")
    except RuntimeError:
        logging.getLogger("agent.run").exception("sweep failed")
    [line] = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert "RuntimeError" in entry["exc"]
    assert PASSWORD not in line


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_every_record_is_scrubbed_including_child_loggers_and_extras(fmt: str) -> None:
    stream = capture(fmt)
    log = logging.getLogger("agent.pages.signin.deep")
    log.info("filled the form with %s", PASSWORD)
    log.info("headers: Cookie: session=abc123; csrftoken=xyz")
    log.info("request Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig")
    log.info("settings password=hunter2hunter and token: 0123abcdef")
    log.info("registrant health card 9876-543-217-XY seen", extra={"note": "hcn 9876543217"})
    log.info("referral 1234567890 resent")
    out = stream.getvalue()
    for leak in (PASSWORD, "abc123", "csrftoken", "eyJhbGciOiJIUzI1NiJ9", "hunter2hunter", "0123abcdef",
                 "9876-543-217", "9876543217"):  # fmt: skip
        assert leak not in out, leak
    assert "referral 1234567890 resent" in out
    assert out.count(REDACTED) >= 6


def test_scrub_text_keeps_known_reference_numbers_and_drops_unlabelled_ten_digit_numbers() -> None:
    text = "1234567890 needs a fix; 9876543217 is someone's card; Reference # 2345678901"
    assert scrub_text(text, references=["1234567890"]) == (
        f"1234567890 needs a fix; {REDACTED} is someone's card; Reference # 2345678901"
    )


def test_scrub_text_drops_a_labelled_health_card_number_even_if_it_looks_like_a_reference() -> None:
    assert scrub_text("HCN: 1234567890", references=["1234567890"]) == f"HCN: {REDACTED}"


def test_scrub_text_removes_a_json_password_field() -> None:
    assert (
        scrub_text('{"username": "staff", "password": "s3cr3t!"}') == f'{{"username": "staff", "password": {REDACTED}}}'
    )


@pytest.mark.usefixtures("restore_logging")
def test_log_lines_lose_the_same_personal_data_as_reports() -> None:
    """One scrubber for logs and reports: a Playwright message quoting a row, an exception naming a
    patient, a page title with a DOB — all lose the person, keep the reference number."""
    from tests.planted_phi import ADDRESS, DOB, EMAIL, NAME, PHONE, POSTAL

    stream = capture("text")
    log = logging.getLogger("agent.sweep")
    log.warning("referral 4100000001: waiting for get_by_role('row', name='%s 4100000001')", NAME)
    log.error("page title 'Referral for %s (DOB %s)'", NAME, DOB)
    log.info("partner said: patient at %s, %s, call %s or %s", ADDRESS, POSTAL, PHONE, EMAIL)
    try:
        raise ValueError(f"unreadable cell for patient {NAME} born 19/07/1983")
    except ValueError:
        log.exception("reading failed")
    out = stream.getvalue()
    for leak in (*NAME.split(), DOB, "19/07/1983", ADDRESS, POSTAL, PHONE, EMAIL):
        assert leak not in out, leak
    assert "referral 4100000001" in out
