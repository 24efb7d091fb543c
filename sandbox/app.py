"""``create_app``: the sandbox's Starlette application (pages, the triggers window, control routes)."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox import admin, inbox, response, site, views, window
from sandbox.state import Clock, Store


class Latency:
    """The ``latency_ms`` fault: every page and fragment (not the control routes) waits first."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/__sandbox"):
            store: Store = scope["app"].state.store
            if store.faults.latency_ms:
                await asyncio.sleep(store.faults.latency_ms / 1000)
        await self.app(scope, receive, send)


class RateLimit:
    """``rate_limit_ms``: a page load (a GET that is not the page's own fetch) sooner than this after
    the last answered one gets 429 with ``Retry-After`` in seconds (fractional, e.g. ``0.2``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope["path"].startswith("/__sandbox"):
            store: Store = scope["app"].state.store
            limit = store.config.rate_limit_ms / 1000
            fetch = (b"x-requested-with", b"fetch") in scope["headers"]
            if limit and not fetch:
                with store.lock:
                    now = store.clock()
                    wait = store.last_page_load + limit - now
                    if wait <= 0:
                        store.last_page_load = now
                if wait > 0:
                    retry = f"{math.ceil(wait * 10) / 10:.1f}"
                    answer = PlainTextResponse("Too many requests. Please slow down.", 429, {"Retry-After": retry})
                    await answer(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def create_app(store: Store | None = None, *, clock: Clock | None = None, **options: Any) -> Starlette:
    """A fresh sandbox; ``options`` are reset switches (scenario, ui, time_scale, faults, ...)."""
    if store is None:
        store = Store(clock=clock) if clock is not None else Store()
        store.reset(options)
    app = Starlette(
        routes=[*inbox.ROUTES, *views.ROUTES, *response.ROUTES, *site.ROUTES, *window.ROUTES, *admin.ROUTES]
    )
    app.state.store = store
    app.add_middleware(Latency)
    app.add_middleware(RateLimit)
    return app


__all__ = ["Route", "create_app"]
