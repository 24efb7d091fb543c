"""``create_app``: the sandbox's Starlette application (pages, the triggers window, control routes)."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox import admin, inbox, response, site, views, window
from sandbox.ratelimit import RateLimit
from sandbox.state import Clock, Store


class Latency:
    """The ``latency_ms`` fault: every page and fragment (not the control routes) waits first."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        delay = 0
        if scope["type"] == "http" and not scope["path"].startswith("/__sandbox"):
            store: Store = scope["app"].state.store
            delay = store.faults.latency_ms
            if delay:
                await asyncio.sleep(delay / 1000)
        if not delay:
            await self.app(scope, receive, send)
            return

        async def said_so(message: Message) -> None:
            # The answer says it was held back, so a test proves the fault by a header, not a clock.
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("X-Sandbox-Delayed-Ms", str(delay))
            await send(message)

        await self.app(scope, receive, said_so)


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
