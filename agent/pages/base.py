"""What every page object shares: the page, the labels, settled screens, bounded page loads, typed
failures, alerts that are new, overlays dismissed, a way back to a known screen, masked evidence.

Playwright's own errors never leave a page object: :meth:`Screen.guard` (a context manager) and
:func:`guarded` (the same as a method decorator) turn them into :mod:`agent.errors` types at one
place — a timeout is a missing control, a page that navigated under a script ("execution context
was destroyed") to Sign In is an expired session, anything else is an unavailable page.
"""

from __future__ import annotations

import contextlib
import functools
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, Response
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from agent.errors import ControlMissing, PageError, PageUnavailable, SessionExpired
from agent.pages.alerts import AlertWatch
from agent.pages.dom import js_pattern, rx
from agent.pages.loads import retry_after
from agent.pages.masks import MARK_JS, MASK_ATTRIBUTE, UNMARK_JS, claim, keep
from agent.pages.settle import PATIENCE_MS, POLL_MS, SETTLE_LOOP_JS, Settled
from agent.settings import Labels, Settings

__all__ = ["AlertWatch", "Screen", "guarded", "js_pattern", "rx"]

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="Screen")

BUSY_STATUSES = (429, 503)
"""Page loads answered so are the site asking to come back later: wait (Retry-After) and load again."""
LOAD_TRIES = 4
NAVIGATED = ("execution context was destroyed", "because of a navigation", "frame was detached", "interrupted by")
"""What Playwright says when the page went somewhere else under a step (the site's own script, a redirect)."""


def guarded(what: str) -> Callable[[Callable[Concatenate[S, P], R]], Callable[Concatenate[S, P], R]]:
    """Decorate a page-object method so that only :mod:`agent.errors` types come out of it."""

    def decorate(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
        @functools.wraps(method)
        def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            with self.guard(what):
                return method(self, *args, **kwargs)

        return wrapper

    return decorate


class Screen:
    """Base of the page objects."""

    def __init__(self, page: Page, settings: Settings, artifacts: Path | None = None) -> None:
        self.page = page
        self.settings = settings
        self.labels: Labels = settings.labels
        self.timeout_ms = settings.timeout_seconds * 1000
        self.navigation_timeout_ms = settings.navigation_timeout_seconds * 1000
        self.artifacts = artifacts
        self.pause: Callable[[float], None] = time.sleep  # back-off between page loads; tests may swap it

    # --- what a signed-out page looks like ------------------------------------------------------

    def sign_in_form(self) -> Locator:
        """The password field: on any site, the one thing a sign-in page is sure to show."""
        return self.page.locator("input[type=password]")

    def showing_sign_in(self) -> bool:
        """The Sign In page, or a dialog/alert over the page saying the session ended."""
        try:
            return self._sign_in_signs().filter(visible=True).count() > 0
        except PlaywrightError:
            return False

    def _sign_in_signs(self) -> Locator:
        page = self.page
        notice = (
            page.get_by_role("dialog")
            .or_(page.get_by_role("alertdialog"))
            .or_(page.get_by_role("alert"))
            .filter(has_text=rx(self.labels.session_expired))
        )
        return self.sign_in_form().or_(notice)

    # --- one place where Playwright's errors become ours ------------------------------------------

    @contextlib.contextmanager
    def guard(self, what: str) -> Iterator[None]:
        """Run a step so that only :mod:`agent.errors` types come out of it."""
        try:
            yield
        except PageError:
            raise
        except PlaywrightTimeoutError:
            if self.showing_sign_in():
                raise self.expired(what) from None
            raise self.missing(what) from None
        except PlaywrightError as exc:
            message = str(exc).lower()
            if "net::err_" not in message and any(word in message for word in NAVIGATED):
                with contextlib.suppress(PlaywrightError):
                    self.page.wait_for_load_state("domcontentloaded", timeout=self.timeout_ms)
                # The page the site went to may still be on its way (a script that sends the browser
                # to Sign In): it gets a patient while to show before the change is called unknown.
                if self.showing_sign_in() or self._shows_soon(self._sign_in_signs()):
                    raise self.expired(what) from None
                raise PageUnavailable(
                    f"the page changed under {what}", fix="the sweep goes back to a known screen and looks again"
                ) from None
            raise PageUnavailable(f"{what} failed: {_first_line(exc)}", fix=_fix_for(message)) from None

    def _shows_soon(self, locator: Locator) -> bool:
        try:
            return self.shows(locator, PATIENCE_MS)
        except PlaywrightError:  # the page moved on again: not shown
            return False

    def shows(self, locator: Locator, timeout_ms: float) -> bool:
        """Whether ``locator`` becomes visible within ``timeout_ms`` (no error: the caller tries another way)."""
        try:
            locator.first.wait_for(state="visible", timeout=timeout_ms)
        except PlaywrightTimeoutError:
            return False
        return True

    def expired(self, what: str) -> SessionExpired:
        return SessionExpired(
            f"the site went back to Sign In while waiting for {what}", fix="the sweep signs in again once"
        )

    # --- waiting -------------------------------------------------------------------------------

    def wait_for(
        self,
        locator: Locator,
        what: str,
        *,
        also: Locator | None = None,
        timeout_ms: float | None = None,
        watch_sign_in: bool = True,
    ) -> Locator:
        """Wait until ``locator`` (or ``also``) shows; returns the one that shows (``locator`` first).

        The sign-in form is always one of the things waited for, so an expired session is seen at once
        instead of after a timeout, and raised as SessionExpired.
        """
        target = locator.or_(self.sign_in_form()) if watch_sign_in else locator
        if also is not None:
            target = target.or_(also)
        with self.guard(what):
            try:
                target.first.wait_for(state="visible", timeout=timeout_ms or self.timeout_ms)
            except PlaywrightTimeoutError:
                raise self.missing(what) from None
            if locator.first.is_visible():
                return locator
            if also is not None and also.first.is_visible():
                return also
            if watch_sign_in and self.showing_sign_in():
                raise self.expired(what)
        return locator

    def settle(
        self,
        what: str,
        *,
        root: Locator | None = None,
        header: str | None = None,
        control: str | None = None,
        button: str | None = None,
        showing: str | None = None,
        before: str | None = None,
        before_document: float | None = None,
        patient: bool = True,
        timeout_ms: float | None = None,
    ) -> Settled:
        """Wait until the region (``root``, else the page) has settled, and read it (see settle.py).

        With ``header`` the region is the first table with a column so named, read with
        ``tables.read_table``'s rules; ``showing`` is the "Showing a–b of n" pattern to check its
        rows against; ``before`` a previous signature the table is expected to move away from
        (with ``before_document``, only while the page is still that document: a change in place).
        An empty table, disagreeing counts or an unchanged table are returned after a patient
        while, so the caller can say what it saw; only a region that never stops loading (or never
        appears) within the timeout is a ControlMissing. ``patient=False`` is for a snapshot taken
        only to compare with later: it is believed as soon as two reads agree."""
        timeout = timeout_ms or self.timeout_ms
        key = uuid.uuid4().hex
        args: dict[str, Any] = {
            "key": key,
            "header": js_pattern(header) if header else None,
            "control": js_pattern(control) if control else None,
            "button": js_pattern(button) if button else None,
            "showing": js_pattern(showing) if showing else None,
            "loading": js_pattern(self.labels.loading) if self.labels.loading else None,
            "expired": js_pattern(self.labels.session_expired),
            "before": before,
            "beforeDocument": before_document,
            "patienceMs": min(PATIENCE_MS, timeout / 3) if patient else 0,
        }
        deadline = time.monotonic() + timeout / 1000
        target = root if root is not None else self.page.locator("body")
        with self.guard(what):
            for _ in range(LOAD_TRIES):
                args["timeoutMs"] = max(1.0, (deadline - time.monotonic()) * 1000)
                args["pollMs"] = POLL_MS
                try:
                    # the page's own deadline answers first; Playwright's is only the backstop
                    found: Any = target.evaluate(SETTLE_LOOP_JS, args, timeout=args["timeoutMs"] + 5000)
                except PlaywrightError as exc:
                    if isinstance(exc, PlaywrightTimeoutError) or not any(w in str(exc).lower() for w in NAVIGATED):
                        raise
                    self.page.wait_for_load_state("domcontentloaded", timeout=timeout)
                    continue  # the page navigated (a pager link, a reload): read the new one
                if found.get("state") == "timeout":
                    raise ControlMissing(
                        f"{what} did not settle within {timeout / 1000:g} s ({found.get('why')})",
                        fix="check the screen in the screenshot; if it was relabelled, adjust the labels setting",
                        screenshot=self.screenshot("not-settled"),
                    )
                if found.get("state") == "signin":
                    raise self.expired(what)
                shown = found.get("showing")
                return Settled(
                    table=found.get("table"),
                    signature=str(found.get("sig", "")),
                    showing=(shown[0], shown[1], shown[2]) if shown else None,
                    agreed=bool(found.get("agreed", True)),
                    unchanged=bool(found.get("unchanged", False)),
                    document=float(found.get("document", 0.0)),
                )
        raise PageUnavailable(f"{what} kept navigating away", fix="the sweep goes back to a known screen")

    def missing(self, what: str) -> ControlMissing:
        return ControlMissing(
            f"{what} did not appear within {self.settings.timeout_seconds:g} s",
            fix="check the screen in the screenshot; if it was relabelled, adjust the labels setting",
            screenshot=self.screenshot("missing"),
        )

    # --- page loads: bounded, backing off when the site asks --------------------------------------

    def load(self, url: str, what: str) -> None:
        """Open ``url``; a 429/503 answer is waited out (Retry-After, bounded) and loaded again."""
        self._load(lambda: self.page.goto(url, timeout=self.navigation_timeout_ms), what)

    def reload(self, what: str) -> None:
        """Load the current address again (never a click: a page load repeats nothing)."""
        self._load(lambda: self.page.reload(timeout=self.navigation_timeout_ms), what)

    def _load(self, go: Callable[[], Response | None], what: str) -> None:
        with self.guard(what):
            for attempt in range(LOAD_TRIES):
                response = go()
                status = response.status if response is not None else 0
                if status not in BUSY_STATUSES or attempt == LOAD_TRIES - 1:
                    break
                self.pause(retry_after(response.headers.get("retry-after") if response else None, attempt))
            self._raise_for_status(status, what)

    def ensure_loaded(self, what: str) -> None:
        """Fail fast on an error page (HTTP 4xx/5xx) instead of waiting out a timeout for its controls;
        a page a click led to that says "too busy" (429/503) is loaded again after a back-off."""
        with self.guard(what):
            self.page.wait_for_load_state("domcontentloaded", timeout=self.navigation_timeout_ms)
            status = self._navigation_status()
            if status in BUSY_STATUSES:
                self.pause(retry_after(None, 0))
                self.reload(what)
                return
            self._raise_for_status(status, what)

    def _navigation_status(self) -> int:
        status = self.page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0]; return (n && n.responseStatus) || 0; }"
        )
        return status if isinstance(status, int) else 0

    def _raise_for_status(self, status: int, what: str) -> None:
        if status >= 400:
            raise PageUnavailable(
                f"{what} answered HTTP {status}",
                fix="the site had a problem; the sweep tries again a few times",
                screenshot=self.screenshot("page-error"),
            )

    # --- what covers the page, and getting back to a known screen ---------------------------------

    def dismiss_overlays(self) -> int:
        """Close dialogs that are not ours (an announcement, a "what's new") with their own
        Close/Dismiss/Got it button (``labels.dismiss``); nothing else in them is ever clicked, and
        a confirmation (an alertdialog, a question about clearing or resending) is never touched.
        Returns how many were dismissed."""
        dismissed = 0
        labels = self.labels
        with self.guard("an announcement covering the page"):
            for _ in range(3):
                # An alertdialog, or a dialog asking about a clear or a resend, is a confirmation:
                # never answered here (only the click that raised it may answer it).
                foreign = self.page.get_by_role("dialog").filter(visible=True)
                for label in (labels.window_title, labels.confirm_clear, labels.confirm_resend):
                    foreign = foreign.filter(has_not_text=rx(label))
                if foreign.count() == 0:
                    break
                overlay = foreign.first
                button = overlay.get_by_role("button", name=rx(self.labels.dismiss))
                if button.count() == 0:
                    break  # not an announcement (a confirmation, a form): left for whoever opened it
                button.first.click(timeout=self.timeout_ms)
                overlay.wait_for(state="hidden", timeout=self.timeout_ms)
                dismissed += 1
        return dismissed

    def recover(self) -> None:
        """Back to a known screen after something went wrong: close what is open, load the page again,
        dismiss what covers it, and let the page object re-open its own screen (:meth:`reopen`).

        The sweep calls this instead of ``page.reload()``; it raises only agent errors
        (SessionExpired when the reload shows Sign In)."""
        with contextlib.suppress(PageError, PlaywrightError):
            if self.page.get_by_role("dialog").filter(visible=True).count() > 0:
                self.page.keyboard.press("Escape")
        self.reload("the page, loaded again to recover")
        if self.showing_sign_in():
            raise self.expired("the page, loaded again to recover")
        self.dismiss_overlays()
        self.reopen()

    def reopen(self) -> None:
        """Bring back this page object's own screen after :meth:`recover` reloaded the page."""

    # --- alerts --------------------------------------------------------------------------------

    def watch_alerts(self, scope: Locator | None = None) -> AlertWatch:
        """Snapshot the alerts shown now; after a click, ``.new()`` gives only that click's answer."""
        return AlertWatch(self, scope)

    # --- evidence ------------------------------------------------------------------------------

    def screenshot(self, name: str) -> str | None:
        """A screenshot in which everything but the chrome and what the agent reads is masked (masks.py).

        Each call gets its own file (``missing.png``, ``missing-2.png``, …); when the masks cannot be
        placed there is no screenshot rather than an unmasked one."""
        if self.artifacts is None or not self.settings.screenshots:
            return None
        path = claim(self.artifacts, name)
        token = uuid.uuid4().hex
        try:
            self.mark_personal(token)
            self.page.screenshot(
                path=str(path), mask=[self.page.locator(f"[{MASK_ATTRIBUTE}='{token}']")], timeout=self.timeout_ms
            )
        except PlaywrightError:
            path.unlink(missing_ok=True)
            return None
        finally:
            with contextlib.suppress(PlaywrightError):
                self.page.evaluate(UNMARK_JS, {"attribute": MASK_ATTRIBUTE, "token": token})
        return str(path)

    def mark_personal(self, token: str) -> int:
        """Tag every element a screenshot must mask with ``token``; returns how many were tagged."""
        marked: Any = self.page.evaluate(MARK_JS, {"attribute": MASK_ATTRIBUTE, "token": token, **keep(self.labels)})
        return int(marked)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


def _fix_for(message: str) -> str:
    if "err_connection_refused" in message or "err_name_not_resolved" in message or "err_address" in message:
        return "the site could not be reached: check base_url and the network"
    if "err_cert" in message or "ssl" in message:
        return "the site's TLS certificate was refused: check base_url"
    return "the sweep goes back to a known screen and tries again"
