"""Faults the tests switch on: each fires deterministically (on the Nth request, or for named
referrals), so a failure reproduces exactly.

    latency_ms                      every page and fragment waits this long before answering
    inbox_fail_times                the first N inbox loads answer 500 with an error page
    expire_session_after_requests   a session ends after N authenticated requests
    window_fail_for                 [refs] the error control opens nothing
    response_fail_for               [refs] the response tab answers 500
    response_garbage_for            [refs] the response tab shows junk that is not a record
    response_missing_for            [refs] the response tab answers 404 (the log is gone)
    resend_error_for                {ref: "fail" | "commit_then_fail" | "commit_then_hang"}
    clear_error_for                 [refs] the clear button fails (not applied, alert in the window)
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal

ResendError = Literal["fail", "commit_then_fail", "commit_then_hang"]
RESEND_ERRORS: tuple[ResendError, ...] = ("fail", "commit_then_fail", "commit_then_hang")
HANG_SECONDS = 60.0


class FaultError(ValueError):
    """A fault name or value the sandbox does not know."""


@dataclass
class Faults:
    latency_ms: int = 0
    inbox_fail_times: int = 0
    expire_session_after_requests: int | None = None
    window_fail_for: set[str] = field(default_factory=set)
    response_fail_for: set[str] = field(default_factory=set)
    response_garbage_for: set[str] = field(default_factory=set)
    response_missing_for: set[str] = field(default_factory=set)
    resend_error_for: dict[str, ResendError] = field(default_factory=dict)
    clear_error_for: set[str] = field(default_factory=set)

    def merge(self, changes: dict[str, Any]) -> None:
        """Apply ``changes`` on top (sets and maps are replaced, not unioned); unknown names raise."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise FaultError(f"unknown fault {unknown[0]!r} (known: {', '.join(sorted(known))})")
        coerced = {name: _coerce(name, value) for name, value in changes.items()}  # all or nothing
        for name, value in coerced.items():
            setattr(self, name, value)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = sorted(value) if isinstance(value, set) else value
        return out


def _coerce(name: str, value: Any) -> Any:
    if name in ("latency_ms", "inbox_fail_times"):
        return _count(name, value)
    if name == "expire_session_after_requests":
        return None if value is None else _count(name, value)
    if name == "resend_error_for":
        if not isinstance(value, dict):
            raise FaultError("resend_error_for takes {reference: mode}")
        bad = [mode for mode in value.values() if mode not in RESEND_ERRORS]
        if bad:
            raise FaultError(f"resend_error_for mode {bad[0]!r} (known: {', '.join(RESEND_ERRORS)})")
        return {str(ref): mode for ref, mode in value.items()}
    if not isinstance(value, list | tuple | set):
        raise FaultError(f"{name} takes a list of reference numbers")
    return {str(ref) for ref in value}


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FaultError(f"{name} takes a whole number >= 0")
    return value
