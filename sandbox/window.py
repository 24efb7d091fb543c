"""The Integration Triggers window: its fragment, Resend and the clear button (fetched by the page)."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from sandbox.auth import REFRESH_HEADER, signed_out, store_of
from sandbox.faults import HANG_SECONDS
from sandbox.guards import refused
from sandbox.model import Attempt, Referral
from sandbox.render import ENV, ERROR_TITLE, labels, when
from sandbox.salt import salted
from sandbox.state import NotFound, Store


def ordered(referral: Referral, order: str) -> list[Attempt]:
    """The window's rows: newest first, oldest first, or grouped by destination (each newest first)."""
    newest = sorted(referral.attempts, key=lambda a: a.at, reverse=True)
    if order == "oldest_first":
        return newest[::-1]
    if order == "by_destination":
        rank = {d: i for i, d in enumerate(referral.destinations())}
        return sorted(newest, key=lambda a: rank[a.destination])  # stable: newest first within each
    return newest


def fragment(store: Store, referral: Referral, status_code: int = 200) -> HTMLResponse:
    """The window's content, rendered from the referral as it is now (lock held)."""
    config = store.config
    rows: list[dict[str, Any]] = [
        {"id": a.id, "when": when(a.at, config), "trigger": a.trigger, "destination": a.destination,
         "status": a.status} for a in ordered(referral, config.window_order)
    ]  # fmt: skip
    plant = config.plant
    heading = f"Referral for {plant['name']} (DOB {plant.get('dob', 'unknown')})" if "name" in plant else None
    window_alert = planted_alert(plant)
    body = ENV.get_template("_window.html").render(
        r=referral, rows=rows, config=config, labels=labels(config), error_title=ERROR_TITLE,
        pending=referral.pending(), heading=heading, window_alert=window_alert,
    )  # fmt: skip
    return HTMLResponse(salted(body, store.salt), status_code=status_code)


def planted_alert(plant: dict[str, str]) -> str | None:
    """``plant``: an alert in the window that repeats the planted details (as partner systems do)."""
    if not plant:
        return None
    details = ", ".join(plant[k] for k in ("hcn", "postal_code", "phone", "address") if k in plant)
    return f"Partner note: check the registrant's details ({details})." if details else None


def _problem(message: str, status_code: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status_code)


async def triggers(request: Request) -> Response:
    if (answer := signed_out(request)) is not None:
        return answer
    store = store_of(request)
    reference = request.path_params["ref"]
    delay = store.config.load_delay_ms
    if delay and request.headers.get(REFRESH_HEADER) != "1":  # a slow API: why windows show a loading state
        await asyncio.sleep(delay / 1000)
    if reference in store.faults.window_fail_for:
        return _problem("the window could not be loaded", 500)
    try:
        with store.lock:
            return fragment(store, store.get(reference))
    except NotFound:
        return _problem("no such referral", 404)


async def resend(request: Request) -> Response:
    store = store_of(request)
    reference = request.path_params["ref"]
    if (answer := refused(request, "resend", reference, request.path_params["attempt"])) is not None:
        return answer
    try:
        result = store.resend(reference, int(request.path_params["attempt"]))
    except (NotFound, ValueError):
        return _problem("no such attempt", 404)
    if result.error == "commit_then_hang":
        await asyncio.sleep(HANG_SECONDS)
    if result.error is not None:
        return _problem("The message could not be resent. Please try again later.", 500)
    with store.lock:
        return fragment(store, store.get(reference))


async def clear(request: Request) -> Response:
    store = store_of(request)
    reference = request.path_params["ref"]
    if (answer := refused(request, "clear", reference)) is not None:
        return answer
    try:
        cleared = store.clear(reference)
    except NotFound:
        return _problem("no such referral", 404)
    if not cleared:
        return _problem("The error could not be cleared. Please try again later.", 500)
    return JSONResponse({"cleared": reference})


ROUTES = [
    Route("/referrals/{ref:str}/triggers", triggers),
    Route("/referrals/{ref:str}/attempts/{attempt:str}/resend", resend, methods=["POST"]),
    Route("/referrals/{ref:str}/clear", clear, methods=["POST"]),
]

__all__ = ["ERROR_TITLE", "ROUTES"]
