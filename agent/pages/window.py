"""The Integration Triggers window: one referral's attempts, Resend, the clear button, Close."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from dateutil import parser as dateparser
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page
from pydantic import BaseModel, ConfigDict

from agent.errors import ControlMissing
from agent.models import Attempt, AttemptStatus, TriggersWindow
from agent.pages.base import Screen, js_pattern, rx
from agent.pages.response import ResponseTab
from agent.pages.tables import Row, Table, cell_text, column, read_table
from agent.settings import Settings


class ActionResult(BaseModel):
    """What the window showed after a click: its new state and any error message it displayed."""

    model_config = ConfigDict(frozen=True)

    window: TriggersWindow | None
    page_error: str | None = None


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
    ) -> None:
        super().__init__(page, settings, artifacts)
        self.responses = responses
        self.dialog = dialog
        self.reference = reference
        self._last: Table | None = None
        self._columns: dict[str, int | None] = {}

    # --- reading -------------------------------------------------------------------------------

    def read(self) -> TriggersWindow:
        """The attempts as the window lists them, in whatever order; the latest is found by date."""
        table = read_table(self.dialog, self.labels.date_column, button=self.labels.clear)
        if table is None:
            raise self.missing(f"the attempts table of referral {self.reference}'s Integration Triggers window")
        self._last = table
        self._columns = self._cols(table["headers"])
        attempts = tuple(self._attempt(row, self._columns) for row in table["rows"] if row["cells"])
        return TriggersWindow(reference=self.reference, attempts=attempts, clear_available=table["button"])

    def read_response(self, attempt: Attempt) -> str:
        """The text block behind the attempt's `view` link, read in the kept response tab.

        The link's address was already read with the window's table (``response_url``); going there
        directly saves four round trips to the browser per referral. A link without an http(s)
        address of its own (``#``, ``javascript:``, this page: a script opens it) is found and clicked as
        a person would."""
        url = attempt.response_url or ""
        if url.startswith(("http://", "https://")) and "#" not in url and url != self.page.url.split("#")[0]:
            return self.responses.read_address(self.page, url)
        link = self._row_of(attempt).get_by_role("link", name=rx(self.labels.view))
        self.wait_for(link, f"the 'view' link of referral {self.reference}'s latest attempt")
        return self.responses.read(self.page, link.first)

    # --- acting --------------------------------------------------------------------------------

    def resend(self, attempt: Attempt, before_click: Callable[[], None]) -> ActionResult:
        """Click Resend on this attempt's row exactly once, then wait for the window to show a new attempt.

        ``before_click`` runs after the button is found and right before the click (the ledger's intent).
        There is no retry: a click that errors is left for the next look, never repeated here.
        """
        row = self._row_of(attempt)
        button = row.get_by_role("button", name=rx(self.labels.resend))
        self.wait_for(button, f"the Resend button of referral {self.reference}")
        count_before = self.dialog.get_by_role("row").count()
        before_click()
        button.first.click(timeout=self.timeout_ms, no_wait_after=True)
        grown = self.dialog.get_by_role("row").nth(count_before)
        return self._after_click(grown, "a new attempt after Resend")

    def clear(self, before_click: Callable[[], None]) -> ActionResult:
        """Click the clear button (`Close and clear error` or `Clear Errors`, wherever it is), once."""
        button = self.dialog.get_by_role("button", name=rx(self.labels.clear))
        self.wait_for(button, f"the clear button of referral {self.reference}'s window")
        before_click()
        button.first.click(timeout=self.timeout_ms, no_wait_after=True)
        alert = self._alert()
        self._wait_until_closed_or_alert()
        if alert.count() > 0 and alert.first.is_visible():
            return ActionResult(window=None, page_error=alert.first.inner_text())
        if self.showing_sign_in():
            return ActionResult(window=None, page_error="the site went back to Sign In after the click")
        if self.dialog.count() > 0 and self.dialog.is_visible():
            return ActionResult(window=self.read(), page_error="the window stayed open after the clear button")
        return ActionResult(window=None)

    def close(self) -> None:
        """Close the window (its Close control, else Escape) and wait until it is gone."""
        close = self.dialog.get_by_role("button", name=rx(self.labels.close))
        if close.first.is_visible():  # one round trip: a visible Close means an open window
            close.first.click(timeout=self.timeout_ms)
        elif self.dialog.is_visible():
            self.page.keyboard.press("Escape")
        else:
            return
        self.dialog.wait_for(state="hidden", timeout=self.timeout_ms)

    # --- private -------------------------------------------------------------------------------

    def _after_click(self, expected: Locator, what: str) -> ActionResult:
        alert = self._alert()
        try:
            shown = self.wait_for(expected, what, also=alert)
        except ControlMissing as exc:
            return ActionResult(window=None, page_error=exc.message)
        if shown == 1:
            return ActionResult(window=self.read(), page_error=alert.first.inner_text())
        return ActionResult(window=self.read())

    def _wait_until_closed_or_alert(self) -> None:
        """One web-first wait for any of: the window gone, an alert, the Sign In page.

        A predicate over the whole page rather than a handle, so it also holds when the site reloads
        the page after the click."""
        with contextlib.suppress(PlaywrightError):
            self.page.wait_for_function(
                """(title) => {
                    const re = new RegExp(title, 'i');
                    const shown = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
                    const open = [...document.querySelectorAll('dialog, [role=dialog]')]
                        .filter((d) => shown(d) && re.test(d.textContent || ''));
                    return open.length === 0 || [...document.querySelectorAll('[role=alert]')].some(shown)
                        || !!document.querySelector('input[type=password]');
                }""",
                arg=js_pattern(self.labels.window_title),
                timeout=self.timeout_ms,
            )
        with contextlib.suppress(PlaywrightError):
            self.page.wait_for_load_state("domcontentloaded")

    def _alert(self) -> Locator:
        return self.dialog.get_by_role("alert").or_(self.page.get_by_role("alert"))

    def _row_of(self, attempt: Attempt) -> Locator:
        """The row showing this attempt: found again by its date, trigger and destination."""
        if self._last is None:
            self.read()
        assert self._last is not None
        rows = self.dialog.get_by_role("row")
        for row in self._last["rows"]:
            candidate = self._attempt_or_none(row)
            if candidate is not None and candidate.key == attempt.key:
                return rows.nth(row["index"])
        raise ControlMissing(
            f"the attempt of {attempt.at:%Y-%m-%d %H:%M} is not in referral {self.reference}'s window any more",
            fix="the window changed while the agent read it; the next look decides again",
        )

    def _cols(self, headers: list[str]) -> dict[str, int | None]:
        """Which column holds what, found by the header labels."""
        return {
            "date": column(headers, self.labels.date_column),
            "trigger": column(headers, self.labels.trigger_column),
            "destination": column(headers, self.labels.destination_column),
            "status": column(headers, self.labels.attempt_status_column),
            "response": column(headers, self.labels.response_column),
        }

    def _attempt_or_none(self, row: Row) -> Attempt | None:
        try:
            return self._attempt(row, self._columns)
        except ValueError:
            return None

    def _attempt(self, row: Row, cols: dict[str, int | None]) -> Attempt:
        date_index = cols["date"]
        date_cell = row["cells"][date_index] if date_index is not None and date_index < len(row["cells"]) else None
        at = self._date(date_cell["datetime"] if date_cell else None, cell_text(row, date_index))
        status_index = cols["status"]
        status_cell = (
            row["cells"][status_index] if status_index is not None and status_index < len(row["cells"]) else None
        )
        status_text = " ".join(filter(None, [status_cell["icon"], status_cell["text"]])) if status_cell else ""
        response_index = cols["response"]
        href = row["cells"][response_index]["href"] if response_index is not None and response_index < len(
            row["cells"]
        ) else None
        resend = rx(self.labels.resend)
        return Attempt(
            at=at,
            trigger=cell_text(row, cols["trigger"]),
            destination=cell_text(row, cols["destination"]),
            status=self._status(status_text),
            response_url=href,
            can_resend=any(resend.search(c) for cell in row["cells"] for c in cell["controls"]),
        )

    def _status(self, text: str) -> AttemptStatus:
        # Pending is checked first: "Sending…" must never be read as a success or a failure.
        if rx(self.labels.pending).search(text):
            return AttemptStatus.PENDING
        if rx(self.labels.failed).search(text):
            return AttemptStatus.FAILED
        if rx(self.labels.success).search(text):
            return AttemptStatus.SUCCESS
        raise ValueError(f"unrecognised status {text!r} in referral {self.reference}'s window")

    def _date(self, machine: str | None, visible: str) -> datetime:
        """The `datetime` attribute when the page gives one, else the visible text in the site's zone."""
        raw = machine or visible
        try:
            value = datetime.fromisoformat(raw) if machine else dateparser.parse(visible)
        except (ValueError, OverflowError) as exc:
            raise ValueError(f"unreadable date {raw!r} in referral {self.reference}'s window") from exc
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.settings.zone)
        return value
