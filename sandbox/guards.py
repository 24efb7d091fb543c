"""What every write (Resend, clear, Save) must pass before it is applied: a live session, the page's
CSRF token (``csrf``), and for a clear its confirmation (``clear_confirm``). A write refused here is
recorded ``rejected`` with its ``reason`` and changes nothing, so tests see every click an agent made.
"""

from __future__ import annotations

import secrets
from typing import Literal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.auth import COOKIE, signed_out, store_of
from sandbox.state import EventKind, Store

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
Reason = Literal["session", "csrf", "unconfirmed"]


def reject(store: Store, kind: EventKind, reference: str, attempt: str | None, reason: Reason) -> None:
    """Record a refused write (lock taken here); nothing is applied."""
    with store.lock:
        found = store.referrals.get(reference)
        attempt_id = int(attempt) if attempt and attempt.isdigit() else None
        store.log(kind, "rejected", found, attempt_id, reason=reason)


def _token_ok(request: Request, store: Store, sent: str | None) -> bool:
    with store.lock:
        session = store.sessions.get(request.cookies.get(COOKIE, ""))
        expected = session.csrf if session is not None else ""
    return bool(sent) and bool(expected) and secrets.compare_digest(str(sent), expected)


def refused(
    request: Request, kind: EventKind, reference: str, attempt: str | None = None, *, form_token: str | None = None
) -> Response | None:
    """None when the write may go ahead; else the answer (recorded as rejected)."""
    store = store_of(request)
    if (answer := signed_out(request)) is not None:
        reject(store, kind, reference, attempt, "session")
        return answer
    config = store.config
    if config.csrf and not _token_ok(request, store, form_token or request.headers.get(CSRF_HEADER)):
        reject(store, kind, reference, attempt, "csrf")
        return JSONResponse({"error": "The request could not be verified. Please reload the page."}, status_code=403)
    if kind == "clear" and config.clear_confirm != "none" and request.query_params.get("confirmed") != "1":
        reject(store, kind, reference, attempt, "unconfirmed")
        return JSONResponse({"error": "Please confirm that the error should be cleared."}, status_code=409)
    return None
