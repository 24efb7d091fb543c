"""A browser context that cannot write: the network guard of a dry run and a survey.

Every request whose method is not GET or HEAD is refused at the network layer (``context.route``),
whatever a page object clicks, and listed. The one exception is the sign-in form's own submission:
right before it submits, the sign-in page object asks the guard to expect it, and the guard itself
checks the page — the field must be a password, one-time-code or username field, and the allowance
is for that field's form ``action`` (or the first write to the page's own origin, for a form a script
submits), once, for a short time, right around the sign-in click. A Resend or a clear never has one.

Service workers are blocked in a guarded context: their requests would not pass ``context.route``.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Locator, Request, Route
from pydantic import BaseModel, ConfigDict

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD"})
ALLOWANCE_SECONDS = 60.0
ATTRIBUTE = "_caredove_write_guard"

SIGN_IN_FIELD = """(el) => {
    const kind = (el.getAttribute('type') || '').toLowerCase();
    const auto = (el.getAttribute('autocomplete') || '').toLowerCase();
    const ok = el.tagName === 'INPUT' && (kind === 'password' || kind === 'email'
        || auto.includes('one-time-code') || auto.includes('username') || auto.includes('current-password'));
    if (!ok) return null;
    const form = el.form;
    if (!form) return {action: null, method: 'post'};
    const scripted = form.hasAttribute('onsubmit') || !form.hasAttribute('action');
    return {action: form.action || null, method: scripted ? 'post' : (form.method || 'get').toLowerCase()};
}"""


class RefusedRequest(BaseModel):
    """A write the guard stopped: method and address without its query (which may hold a search)."""

    model_config = ConfigDict(frozen=True)

    method: str
    url: str
    at: datetime

    def line(self) -> str:
        return f"{self.method} {self.url}"


def _bare(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class WriteGuard:
    """Installed on one context; ``refused`` lists what it stopped, in order."""

    def __init__(self) -> None:
        self.refused: list[RefusedRequest] = []
        self.sign_ins_let_through = 0
        self._expect: tuple[str | None, str, float] | None = None  # (exact action, origin, until)

    def install(self, context: BrowserContext) -> WriteGuard:
        context.route("**/*", self._handle)
        setattr(context, ATTRIBUTE, self)
        return self

    def expect_sign_in(self, field: Locator) -> bool:
        """Let the next submission of ``field``'s sign-in form through, once; False when ``field`` is not
        a sign-in field (then nothing is let through)."""
        found = field.evaluate(SIGN_IN_FIELD)
        if not isinstance(found, dict) or found.get("method") == "get":
            self._expect = None
            return False
        action = found.get("action")
        self._expect = (
            _bare(action) if action else None,
            _origin(field.page.url),
            time.monotonic() + ALLOWANCE_SECONDS,
        )
        return True

    def expect_nothing(self) -> None:
        """The sign-in click has had its answer: nothing more is let through."""
        self._expect = None

    def _handle(self, route: Route, request: Request) -> None:
        if request.method.upper() in SAFE_METHODS:
            route.fallback()
            return
        if self._is_expected_sign_in(request):
            self._expect = None
            self.sign_ins_let_through += 1
            route.fallback()
            return
        refused = RefusedRequest(method=request.method.upper(), url=_bare(request.url), at=datetime.now(UTC))
        self.refused.append(refused)
        log.warning("dry run: refused %s", refused.line())
        route.abort("blockedbyclient")

    def _is_expected_sign_in(self, request: Request) -> bool:
        if self._expect is None:
            return False
        action, origin, until = self._expect
        if time.monotonic() > until:
            self._expect = None
            return False
        # The form's own action (which may be another origin: a sign-in service), or, for a form a script
        # submits by itself (to an API of the same site), the first write to the page's own origin.
        return (action is not None and _bare(request.url) == action) or _origin(request.url) == origin


def guard_of(context: BrowserContext) -> WriteGuard | None:
    """The guard installed on ``context``, if any (the sign-in page object asks it to expect a sign-in)."""
    found = getattr(context, ATTRIBUTE, None)
    return found if isinstance(found, WriteGuard) else None
