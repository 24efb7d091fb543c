"""A partner's reply in words for a decision's reason: what it amounts to, in a phrase that quotes no
personal data (a status line is quoted; a page title, a name or a value never is)."""

from __future__ import annotations

import re

from agent.models import TextKind, TextReading
from agent.redact import shorten
from agent.rules.texts import EXCEPTION, in_sentence

REASON_PHRASES = frozenset(
    """bad request|unauthorized|forbidden|not found|method not allowed|not acceptable|conflict|gone|
    length required|precondition failed|payload too large|request entity too large|unsupported media type|
    unprocessable entity|unprocessable content|too many requests|internal server error|not implemented|
    bad gateway|service unavailable|service temporarily unavailable|gateway timeout|gateway time-out|
    error|failed|failure|validation failed|invalid request""".replace("\n", "").split("|")
)
STATUS_PREFIX = re.compile(r"^(?:HTTP/[\d.]+\s+)?(?:\d{3}\b[\s:-]*)?", re.IGNORECASE)


def explain(reading: TextReading) -> str:
    """What the reply amounts to, in a phrase that quotes no personal data (for a decision's reason)."""
    if reading.clear:
        where = f" ({reading.path})" if reading.path else ""
        what = f"the {in_sentence(reading.field)}{where}" if reading.field else "a value"
        problem = reading.problem or "is not accepted"
        return f"the partner says {what} {PROBLEM_PHRASES.get(problem, problem)}"
    if reading.kind is TextKind.EMPTY:
        return "the partner's reply is empty"
    if reading.kind is TextKind.HTML:
        # The page's title is quoted only when it is a bare status line: a title can name a patient.
        said = f" ('{shorten(reading.message, 60)}')" if is_status_line(reading.message) else ""
        return f"the partner's reply is an HTML error page{said}"
    if EXCEPTION.search(reading.message):
        return "the partner's reply is a stack trace or exception"
    if is_status_line(reading.message):
        return f"the partner's reply is only a status line ('{shorten(reading.message, 60)}')"
    if reading.kind is TextKind.FHIR:
        return "the partner's OperationOutcome names no field path"
    return "the partner's reply names no field, value or rule to fix"


PROBLEM_PHRASES = {
    "missing": "is missing",
    "minimum required": "is missing (minimum required)",
    "wrong format": "has the wrong format",
    "not in the value set": "is not one of the allowed values",
    "too long": "is too long",
    "not found": "could not be found",
    "invalid": "is invalid",
}


def is_status_line(message: str) -> bool:
    rest = STATUS_PREFIX.sub("", message.strip()).strip(" .").lower()
    return rest in REASON_PHRASES or (not rest and bool(message.strip()))
