"""Cookie sessions: who is signed in, and what an expired session gets (Sign In, or 401 for fetches)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from sandbox.accounts import notice_due
from sandbox.state import Store

COOKIE = "sandbox_session"
FETCH_HEADER = "x-requested-with"  # the page's own fetches send "fetch"
REFRESH_HEADER = "x-sandbox-refresh"  # the window's self-refresh while a resend is pending


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def is_fetch(request: Request) -> bool:
    return request.headers.get(FETCH_HEADER) == "fetch"


def signed_out(request: Request) -> Response | None:
    """None when the request carries a live session that has answered any notice after sign-in; else
    what to answer instead.

    The window's self-refresh does not count towards ``expire_session_after_requests``, so that
    fault fires on the same request whatever the timing.
    """
    counted = request.headers.get(REFRESH_HEADER) != "1"
    token = request.cookies.get(COOKIE)
    if store_of(request).check_session(token, count=counted):
        if notice_due(request, token):  # a notice after sign-in comes before anything else
            if is_fetch(request):
                return JSONResponse({"error": "answer the notice first", "notice": "/welcome"}, status_code=403)
            return RedirectResponse("/welcome", status_code=303)
        return None
    if is_fetch(request):
        return JSONResponse({"error": "session expired", "sign_in": "/login?expired=1"}, status_code=401)
    had_session = COOKIE in request.cookies
    response = RedirectResponse("/login?expired=1" if had_session else "/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response
