"""Log output an unattended agent can be trusted with: JSON lines for a collector, and no secrets.

Nobody watches the nightly sweep, so its logs end up in journald, a file or a log collector that many
people can read. Every record therefore goes through :class:`ScrubFilter` on the handler (a filter
on the root *logger* would miss records propagated from child loggers): the configured password's
value, credentials and personal data are replaced by the same scrubber the reports use
(:mod:`agent.redact`) before anything is formatted. Reference numbers (10 digits, like a health card
number) are kept when the text labels them as one (``referral 1234567890``) or the caller says so.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from agent.redact import REDACTED, scrub

__all__ = ["REDACTED", "JsonFormatter", "LogFormat", "ScrubFilter", "configure_logging", "scrub_text"]

LogFormat = Literal["text", "json"]


def scrub_text(text: str, *, secrets: Iterable[str] = (), references: Iterable[str] = ()) -> str:
    """A line the agent wrote, through the one scrubber (:func:`agent.redact.scrub`).

    The agent's own lines name referrals (``referral 1234567890``), sweeps and times, so labelled
    reference numbers, sweep ids, timestamps and the ``references`` the caller knows are kept;
    everything else a partner or page could have put there (names, dates of birth, health card
    numbers, credentials) goes exactly as it goes from a report.
    """
    return scrub(text, secrets=secrets, references=references, own_line=True)


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


class ZonedFormatter(logging.Formatter):
    """Text lines stamped with their zone (``2026-03-10T02:30:04.123-04:00``): beside the Toronto times
    in messages and reports, a bare local time is a guess."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


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
    handler.setFormatter(JsonFormatter() if fmt == "json" else ZonedFormatter(TEXT_FORMAT))
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
