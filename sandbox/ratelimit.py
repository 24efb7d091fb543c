"""``rate_limit_ms``: page loads faster than one per ``rate_limit_ms``, sustained, get ``429 Too Many
Requests`` with a fractional ``Retry-After`` (seconds). A token bucket, as real limiters are: a short
burst (a redirect and its target, a popup) passes; a run of quick loads does not. The page's own
fetches and the control routes are never limited."""

from __future__ import annotations

import math
from dataclasses import dataclass

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

BURST = 3.0  # page loads that may come at once


@dataclass
class Bucket:
    tokens: float = BURST
    at: float | None = None

    def take(self, now: float, interval: float) -> float:
        """0 when a page load may go ahead now (a token taken), else the seconds to wait."""
        if self.at is not None:
            self.tokens = min(BURST, self.tokens + (now - self.at) / interval)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) * interval


class RateLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope["path"].startswith("/__sandbox"):
            store = scope["app"].state.store
            interval = store.config.rate_limit_ms / 1000
            if interval and (b"x-requested-with", b"fetch") not in scope["headers"]:
                with store.lock:
                    wait = store.page_loads.take(store.clock(), interval)
                if wait > 0:
                    retry = f"{max(0.1, math.ceil(wait * 10) / 10):.1f}"
                    answer = PlainTextResponse("Too many requests. Please slow down.", 429, {"Retry-After": retry})
                    await answer(scope, receive, send)
                    return
        await self.app(scope, receive, send)
