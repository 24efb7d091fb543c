"""Log output an unattended agent can be trusted with: JSON lines for a collector, and no secrets.

Nobody watches the nightly sweep, so its logs end up in journald, a file or a log collector that many
people can read. Every record therefore goes through :class:`ScrubFilter` on the handler (a filter
on the root *logger* would miss records propagated from child loggers): the configured password's
value, cookies, ``Authorization`` headers, ``password=…`` pairs and health-card-like numbers are
replaced before anything is formatted. Reference numbers (10 digits, like a health card number) are
kept when the text labels them as one (``referral 1234567890``) or the caller says it is one.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

REDACTED = "[redacted]"

LogFormat = Literal["text", "json"]

# `password=…`, `"password": "…"`, `passwd: …`, `secret=…`, `token …` — the value up to a delimiter.
_PASSWORD_PAIR = re.compile(
    r"""(?P<key>["']?\b(?:password|passwd|pwd|secret|token|api[_-]?key)["']?\s*[:=]\s*)(?P<q>["']?)[^\s"',;&}]+(?P=q)""",
    re.IGNORECASE,
)
# Whole header values: a cookie or an Authorization header is a credential as a whole.
_HEADER = re.compile(r"(?P<key>\b(?:set-cookie|cookie|authorization|proxy-authorization)\s*[:=]\s*)[^\r\n]+", re.I)
_BEARER = re.compile(r"\b(?P<key>bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)
# A health card number written with separators or a version code (upper case, so a following word like
# "is" is not taken for one): never a reference number.
_HCN_FORMATTED = re.compile(
    r"(?<![\w-])(?:\d{4}[- ]\d{3}[- ]?\d{3}|\d{4}[- ]?\d{3}[- ]\d{3})(?:[- ]?[A-Z]{1,2})?(?![\w-])"
    r"|(?<![\w-])\d{10}[- ]?[A-Z]{1,2}(?![\w-])"
)
# A bare run of 10 digits, with what precedes it so a labelled reference number can be kept.
_TEN_DIGITS = re.compile(r"(?<!\d)\d{10}(?!\d)")
_REFERENCE_LABEL = re.compile(r"(?:referral|reference|ref)\s*(?:#|no\.?|number)?\s*[:=]?\s*#?\s*$", re.IGNORECASE)
_HCN_LABEL = re.compile(r"(?:health\s*card|hcn|ohip)\s*(?:#|no\.?|number)?\s*[:=]?\s*$", re.IGNORECASE)


def scrub_text(text: str, *, secrets: Iterable[str] = (), references: Iterable[str] = ()) -> str:
    """``text`` without credentials or health card numbers.

    ``secrets`` are literal values (the configured password) removed wherever they appear;
    ``references`` are the reference numbers the caller knows, kept even without a label.
    """
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, REDACTED)
    text = _HEADER.sub(lambda m: m.group("key") + REDACTED, text)
    text = _BEARER.sub(lambda m: m.group("key") + " " + REDACTED, text)
    text = _PASSWORD_PAIR.sub(lambda m: m.group("key") + REDACTED, text)
    text = _HCN_FORMATTED.sub(REDACTED, text)
    known = set(references)

    def ten(match: re.Match[str]) -> str:
        before = match.string[max(0, match.start() - 30) : match.start()]
        if _HCN_LABEL.search(before):
            return REDACTED
        if match.group() in known or _REFERENCE_LABEL.search(before):
            return match.group()
        return REDACTED

    return _TEN_DIGITS.sub(ten, text)


# Attributes every LogRecord has; anything else on a record came in through ``extra=``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class ScrubFilter(logging.Filter):
    """Renders each record's message (and traceback) once, scrubbed, before any formatter sees it."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets: set[str] = {s for s in secrets if s}

    def add_secret(self, value: str) -> None:
        """Called when a password becomes known after logging was set up (e.g. a schedule's profile)."""
        if value:
            self.secrets.add(value)

    def _clean(self, text: str) -> str:
        return scrub_text(text, secrets=self.secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._clean(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str) and key != "reference":
                setattr(record, key, self._clean(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, the ``extra=`` fields, exc when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool | type(None)) else str(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(
    fmt: LogFormat = "text",
    level: int | str = logging.INFO,
    *,
    secrets: Iterable[str] = (),
    stream: Any = None,
) -> ScrubFilter:
    """Replaces the root logger's handlers with one scrubbed handler on ``stream`` (stderr by default).

    Returns the filter so the caller can add a password learnt later (:meth:`ScrubFilter.add_secret`).
    """
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    scrubber = ScrubFilter(secrets)
    handler.addFilter(scrubber)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    # APScheduler logs every job start at INFO; ours already say more.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return scrubber
