"""The Integration Triggers window: one referral's attempts, Resend, the clear button, Close.

Read once it has settled (its content may arrive after it opens, inside a web component's shadow
root too). Every attempt is returned as shown — any order, any number of destinations; which one is
the latest for each destination is the rules' business. Resend and clear are clicked exactly once,
watched from just before the click to its answer (see click_watch.py): a confirmation that asks about
this action is confirmed, anything else is declined; a click the site refused (401/403) raises
ClickRefused; only a notice that appeared after the click is its answer.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from pydantic import BaseModel, ConfigDict

from agent.errors import AddressRefused, ClickRefused, ControlMissing, PageError, SessionExpired
from agent.models import Attempt, TriggersWindow
from agent.pages.attempt_rows import RowKey, read_attempts
from agent.pages.base import Screen, js_pattern, rx
from agent.pages.click_watch import CHANGED_JS, STATE_JS, NativeConfirm, PageState, WriteWatch
from agent.pages.response import ResponseTab, ResponseView, is_placeholder
from agent.pages.tables import Table
from agent.rules.origin import refusal
from agent.settings import Settings

SLICE_MS = 250
"""Longest single wait for the page to change after a click, so the watched requests are looked at
between waits (a refused request may change nothing on the page)."""


class ActionResult(BaseModel):
    """What the window showed after a click: its new state and any error message it displayed.

    ``declined``: the site asked to confirm something the agent did not recognise (or offered no
    confirming button); the agent said no, so nothing was changed."""

    model_config = ConfigDict(frozen=True)

    window: TriggersWindow | None
    page_error: str | None = None
    declined: bool = False


class TriggersWindowPage(Screen):
    def __init__(
        self,
        page: Page,
        settings: Settings,
        artifacts: Path | None,
        *,
        dialog: Locator,
        reference: str,
        responses: ResponseTab,
        reopen: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(page, settings, artifacts)
        self.responses = responses
        self.dialog = dialog
        self.reference = reference
        self._reopen = reopen
        self._rows: dict[str, RowKey] = {}

    # --- reading -------------------------------------------------------------------------------

    def read(self) -> TriggersWindow:
        """The attempts as the window lists them once it has settled, in whatever order.

        A date or status the agent cannot read raises ValueUnreadable for this referral (naming the
        kind of value, never the value)."""
        settled = self.settle(
            f"the attempts table of referral {self.reference}'s Integration Triggers window",
            root=self.dialog,
            header=self.labels.date_column,
            button=self.labels.clear,
        )
        table = settled.table
        if table is None:
            raise self.missing(f"the attempts table of referral {self.reference}'s Integration Triggers window")
        return self._window(table)

    def read_response(self, attempt: Attempt) -> str:
        """The text block behind the attempt's `view` control (see :meth:`read_response_view`)."""
        return self.read_response_view(attempt).text

    def read_response_view(self, attempt: Attempt) -> ResponseView:
        """The text block behind the attempt's `view` control, read only on the agent's own site.

        A link with an address (the table gave it as ``response_url``) is checked against
        ``base_url``'s origin and read in the kept response tab: nothing is clicked and the window
        stays open. A control without one (a button, ``#``, ``javascript:void(0)``) is clicked as a
        person would: a popup is read and closed, a same-tab page is read and left with Back; the
        window is then re-opened when the inbox gave a way to (else ``window_open`` is False)."""
        url = attempt.response_url or ""
        if url and not is_placeholder(url, self.page.url):
            reason = refusal(url, self._site())
            if reason is not None:
                raise AddressRefused(reason, fix="open the 'view' link by hand and check where it leads")
            return ResponseView(text=self.responses.read_address(self.page, url, site=self._site()))
        control = self._view_control(attempt)
        view = self.responses.read_by_click(self.page, control, site=self._site())
        if not view.navigated:
            return view
        open_now = self._visible()
        if not open_now and self._reopen is not None:
            self._reopen()
            open_now = self._visible()
        return ResponseView(text=view.text, navigated=True, window_open=open_now)

    # --- acting --------------------------------------------------------------------------------

    def resend(self, attempt: Attempt, before_click: Callable[[], object]) -> ActionResult:
        """Click Resend on this attempt's row exactly once; the answer is a new attempt in the window.

        ``before_click`` runs after the button is found and right before the click (the ledger's intent).
        There is no retry: a click that errors is left for the next look, never repeated here.
        """
        row = self._row_of(attempt)
        name = rx(self.labels.resend)
        button = row.get_by_role("button", name=name).or_(row.get_by_role("link", name=name))
        self.wait_for(button, f"the Resend button of referral {self.reference}")
        known = set(self._rows)

        def answered(state: PageState, before: PageState) -> ActionResult | None:
            if state.signature == before.signature or not state.window:
                return None
            window = self.read()
            newer = [a for a in window.attempts if a.key not in known and a.at > attempt.at]
            return ActionResult(window=window) if newer else None

        def timed_out() -> ActionResult:
            return ActionResult(
                window=self._read_if_open(),
                page_error=f"no new attempt appeared within {self.settings.timeout_seconds:g} s after Resend",
            )

        return self._act(button.first, "Resend", self.labels.confirm_resend, before_click, answered, timed_out)

    def clear(self, before_click: Callable[[], object]) -> ActionResult:
        """Click the clear button (`Close and clear error` or `Clear Errors`, wherever it is), once.

        Its answer: the window closes, or the clear button goes away."""
        button = self.dialog.get_by_role("button", name=rx(self.labels.clear))
        self.wait_for(button, f"the clear button of referral {self.reference}'s window")

        def answered(state: PageState, before: PageState) -> ActionResult | None:
            if not state.window:
                with contextlib.suppress(PlaywrightError):
                    self.page.wait_for_load_state("domcontentloaded", timeout=self.timeout_ms)
                return ActionResult(window=None)
            if state.clear:
                return None
            window = self.read()
            return None if window.clear_available else ActionResult(window=window)

        def timed_out() -> ActionResult:
            return ActionResult(window=self._read_if_open(), page_error="the window stayed open after the clear button")

        return self._act(button.first, "the clear button", self.labels.confirm_clear, before_click, answered, timed_out)

    def close(self) -> None:
        """Close the window (its Close or × control, else Escape) and wait until it is gone."""
        with self.guard(f"closing referral {self.reference}'s Integration Triggers window"):
            name = rx(self.labels.close)
            close = self.dialog.get_by_role("button", name=name).or_(self.dialog.get_by_title(name))
            if close.first.is_visible():  # one round trip: a visible Close means an open window
                close.first.click(timeout=self.timeout_ms)
                with contextlib.suppress(PlaywrightTimeoutError):
                    self.dialog.wait_for(state="hidden", timeout=self.timeout_ms / 2)
            if not self._visible():
                return
            self.page.keyboard.press("Escape")
            self.dialog.wait_for(state="hidden", timeout=self.timeout_ms)

    def reopen(self) -> None:
        """After the page was loaded again: open this referral's window again, when the inbox said how."""
        if self._reopen is not None:
            self._reopen()

    # --- the one click -------------------------------------------------------------------------

    def _act(
        self,
        control: Locator,
        what: str,
        confirm: str,
        before_click: Callable[[], object],
        answered: Callable[[PageState, PageState], ActionResult | None],
        timed_out: Callable[[], ActionResult],
    ) -> ActionResult:
        """Click ``control`` once and watch until ``answered`` says the window shows the result.

        Raises ClickRefused when the site refused the click's own request (or went to Sign In before
        accepting any), SessionExpired when Sign In shows after the click reached the site."""
        before = self._state()
        step = f"{what} of referral {self.reference}"
        with WriteWatch(self.page) as writes, NativeConfirm(self.page, rx(confirm)) as native:
            before_click()
            try:
                control.click(timeout=self.timeout_ms, no_wait_after=True)
            except PlaywrightTimeoutError:
                # Playwright dispatches a click only once the control can take it, and waits for
                # nothing after it here: a timeout means it was never clicked (something covered it).
                raise ClickRefused(
                    f"{step} could not be clicked (something covered it, e.g. a 'session expired' notice): "
                    "it did not happen",
                    fix="the sweep signs in again and decides afresh",
                    screenshot=self.screenshot("not-clicked"),
                ) from None
            except PlaywrightError as exc:
                with self.guard(step):
                    raise exc
            base = before
            answered_in_page = False
            deadline = time.monotonic() + self.timeout_ms / 1000
            while True:
                if writes.verdict() == "refused":
                    raise self._refused(what, writes)
                if native.declined:
                    return self._declined(what)
                if failure := self._failure(before.notices, native.alerts, base):
                    return ActionResult(window=self._read_if_open(), page_error=failure)
                left = deadline - time.monotonic()
                if left <= 0:
                    return timed_out()
                state = self._changed(base, min(left * 1000, SLICE_MS))
                if state is None:
                    continue
                if writes.verdict() == "refused":  # before reading a "session expired" modal as a question
                    raise self._refused(what, writes)
                if state.sign_in:
                    if writes.verdict() in ("none", "refused"):
                        raise self._refused(what, writes)
                    if writes.verdict() == "applied" and (result := answered(state, base)) is not None:
                        return result  # accepted and answered (a clear's window gone); Sign In came after
                    raise SessionExpired(
                        f"the site went back to Sign In after {step} (the click reached the site)",
                        fix="the sweep signs in again; the click is not repeated",
                    )
                asking = [o for o in state.others if o not in before.others]
                if asking and not answered_in_page:
                    answered_in_page = True
                    if not self._confirm_in_page(confirm):
                        return self._declined(what)
                    base = state  # the confirmation going away is the next change looked at
                    continue
                if failure := self._failure(before.notices, native.alerts, state):
                    return ActionResult(window=self._read_if_open(), page_error=failure)
                result = answered(state, base)
                if result is not None:
                    return result
                base = state

    def _state(self) -> PageState:
        """The page's state now; a page that is navigating (a reload after a click) is read once loaded."""
        with contextlib.suppress(PlaywrightError):
            return PageState.of(self.page.evaluate(STATE_JS, self._state_args()))
        with self.guard(f"referral {self.reference}'s Integration Triggers window"):
            self.page.wait_for_load_state("domcontentloaded", timeout=self.timeout_ms)
            return PageState.of(self.page.evaluate(STATE_JS, self._state_args()))

    def _changed(self, base: PageState, timeout_ms: float) -> PageState | None:
        """The page's state once it differs from ``base``; None when it did not within ``timeout_ms``."""
        args = {**self._state_args(), "base": base.as_arg()}
        try:
            handle = self.page.wait_for_function(CHANGED_JS, arg=args, polling=50, timeout=max(timeout_ms, 1))
            found: Any = handle.json_value()
        except PlaywrightTimeoutError:
            return None
        except PlaywrightError:  # the page navigated (a reload after the click): read the new one
            return self._state()
        return PageState.of(found)

    def _state_args(self) -> dict[str, Any]:
        return {"title": js_pattern(self.labels.window_title), "clear": js_pattern(self.labels.clear)}

    def _failure(self, standing: tuple[str, ...], alerts: list[str], state: PageState) -> str | None:
        """A notice that was not on screen before the click (or a native alert) saying it failed."""
        failed = rx(self.labels.action_failed)
        left = list(standing)
        fresh: list[str] = []
        for notice in state.notices:
            if notice in left:
                left.remove(notice)
            else:
                fresh.append(notice)
        return next((text[:300] for text in [*alerts, *fresh] if failed.search(text)), None)

    def _confirm_in_page(self, confirm: str) -> bool:
        """An in-page dialog appeared after the click: confirm it when it asks about this action only."""
        dialogs = self.page.get_by_role("alertdialog").or_(self.page.get_by_role("dialog"))
        others = dialogs.filter(visible=True).filter(has_not_text=rx(self.labels.window_title))
        with self.guard(f"the confirmation asked after a click in referral {self.reference}'s window"):
            asking = others.filter(has_text=rx(confirm))
            if asking.count() > 0:
                yes = asking.last.get_by_role("button", name=rx(self.labels.confirm_button))
                if yes.count() > 0:
                    yes.first.click(timeout=self.timeout_ms, no_wait_after=True)
                    return True
                target = asking.last
            else:
                target = others.last
            no = target.get_by_role("button", name=rx(self.labels.cancel_button))
            if no.count() > 0:
                no.first.click(timeout=self.timeout_ms)
            else:
                self.page.keyboard.press("Escape")
        return False

    def _declined(self, what: str) -> ActionResult:
        return ActionResult(
            window=self._read_if_open(),
            page_error=f"the site asked to confirm something after {what} that the agent does not recognise "
            "(labels.confirm_clear / confirm_resend / confirm_button); it answered no, nothing was changed",
            declined=True,
        )

    def _refused(self, what: str, writes: WriteWatch) -> ClickRefused:
        codes = sorted({s for s in writes.statuses if s})
        shown = f"HTTP {', '.join(map(str, codes))}" if codes else "the Sign In page"
        return ClickRefused(
            f"the site refused {what} of referral {self.reference} ({shown}): it did not happen",
            fix="the sweep signs in again and decides afresh",
        )

    # --- private -------------------------------------------------------------------------------

    def _visible(self) -> bool:
        try:
            return self.dialog.is_visible()
        except PlaywrightError:
            return False

    def _read_if_open(self) -> TriggersWindow | None:
        try:
            return self.read() if self._visible() else None
        except PageError:
            return None

    def _site(self) -> str:
        """The origin responses must come from: ``base_url``, else the site the inbox is on."""
        return self.settings.base_url or self.page.url

    def _window(self, table: Table) -> TriggersWindow:
        window, self._rows = read_attempts(table, self.labels, self.settings.zone, self.reference)
        return window

    def _row_of(self, attempt: Attempt) -> Locator:
        """The one row showing this attempt, found again by its date, trigger and destination."""
        if attempt.key not in self._rows:
            self.read()
        key = self._rows.get(attempt.key)
        if key is None:
            raise ControlMissing(
                f"the attempt of {attempt.at:%Y-%m-%d %H:%M} is not in referral {self.reference}'s window any more",
                fix="the window changed while the agent read it; the next look decides again",
            )
        rows = self.dialog.get_by_role("row")
        if key.machine:
            rows = rows.filter(has=self.page.locator(f'time[datetime="{_css_string(key.machine)}"]'))
        elif key.date_text:
            rows = rows.filter(has_text=key.date_text)
        for text in (key.destination, key.trigger):
            if text:
                rows = rows.filter(has_text=text)
        with self.guard(f"the row of an attempt in referral {self.reference}'s window"):
            count = rows.count()
        if count != 1:
            raise ControlMissing(
                f"the row of the attempt of {attempt.at:%Y-%m-%d %H:%M} in referral {self.reference}'s window "
                f"cannot be told apart ({count} rows match)",
                fix="nothing was clicked; the referral is reported for a person to look at",
            )
        return rows.first

    def _view_control(self, attempt: Attempt) -> Locator:
        row = self._row_of(attempt)
        name = rx(self.labels.view)
        control = row.get_by_role("link", name=name).or_(row.get_by_role("button", name=name))
        self.wait_for(control, f"the 'view' control of an attempt in referral {self.reference}'s window")
        return control.first


def _css_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
