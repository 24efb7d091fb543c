"""What every page's own script talks to: the session check (``expiry=script|modal``) and the
announcement's dismissal (``announcement``), recorded like every write."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.auth import COOKIE, signed_out, store_of


async def ping(request: Request) -> Response:
    """200 while the session lives, else 401: the page then goes to Sign In or shows its modal."""
    if (answer := signed_out(request)) is not None:
        return answer
    return JSONResponse({"ok": True})


async def dismiss_announcement(request: Request) -> Response:
    if (answer := signed_out(request)) is not None:
        return answer
    store = store_of(request)
    with store.lock:
        session = store.sessions.get(request.cookies.get(COOKIE, ""))
        if session is not None:
            session.announced = True
        store.log("announcement", "applied")
    return JSONResponse({"dismissed": True})


ROUTES = [
    Route("/session/ping", ping),
    Route("/announcement/dismiss", dismiss_announcement, methods=["POST"]),
]
