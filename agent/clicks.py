"""The one protocol for every state-changing click: intent → one click → verify → confirm.

The intent is committed to the ledger right before the click (the page object calls the hook once it
has found the control), so a kill between the click and its record still counts as a click and is
never repeated (never-item 2). Nothing here retries a click. The one case where a click is known not
to have happened is :class:`~agent.errors.ClickRefused` (its own request was answered 401/403): the
intent is marked abandoned, the click is given back to the max-actions budget, and the error goes on
to the sweep, which signs in again and decides afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from agent.errors import ClickRefused
from agent.ledger import Ledger
from agent.models import ActionRecord, ActionType, Attempt, TriggersWindow
from agent.pages import InboxPage, TriggersWindowPage
from agent.redact import scrub, shorten
from agent.session import PAGE_ERRORS, why


@dataclass(frozen=True)
class Intent:
    """A click written to the ledger before it was made."""

    id: int
    action: ActionType
    answers: Attempt


@dataclass(frozen=True)
class Clicked:
    """What one click did, as far as the page showed.

    ``error``: the page failed *after* the click (the click may have landed, so it is never repeated);
    ``problem``: the click was made but did not visibly take effect."""

    record: ActionRecord
    window: TriggersWindow | None = None
    problem: str | None = None
    error: Exception | None = None

    @property
    def confirmed(self) -> bool:
        return self.record.confirmed


class _Hook:
    """Called by the page object right before its one click: writes the intent, remembers it."""

    def __init__(self, write: Callable[[], Intent]) -> None:
        self._write = write
        self.intent: Intent | None = None

    def __call__(self) -> None:
        self.intent = self._write()


class Clicks:
    """Clicks for one sweep, counted for the max-actions limit."""

    def __init__(self, ledger: Ledger, sweep_id: str, base_url: str, clock: Callable[[], datetime]) -> None:
        self.ledger = ledger
        self.sweep_id = sweep_id
        self.base_url = base_url
        self.clock = clock
        self.count = 0

    def resend(self, reference: str, window: TriggersWindowPage, attempt: Attempt) -> Clicked:
        """Resend on ``attempt``'s row; confirmed once the window shows a newer attempt."""
        hook = self._hook(reference, ActionType.RESEND, attempt)
        try:
            result = window.resend(attempt, hook)
        except ClickRefused as exc:
            self._refused(hook, exc)
            raise
        except PAGE_ERRORS as exc:
            if hook.intent is None:
                raise  # nothing was clicked
            self.ledger.note(hook.intent.id, f"error after the click: {why(exc)}")
            return Clicked(record=self._record(ActionType.RESEND, confirmed=False), error=exc)
        intent = hook.intent
        assert intent is not None, "the page object clicks only after the intent hook"
        produced = None
        if result.window is not None:
            newer = [a for a in result.window.attempts if a.destination == attempt.destination and a.at > attempt.at]
            produced = max(newer, key=lambda a: a.at) if newer else None
        if result.page_error is None and produced is not None:
            self.ledger.confirm(intent.id, self.clock(), produced=produced.key)
            return Clicked(record=self._record(ActionType.RESEND, confirmed=True), window=result.window)
        problem = scrub(result.page_error or "no new attempt appeared after the click")
        self.ledger.note(intent.id, problem)
        return Clicked(record=self._record(ActionType.RESEND, confirmed=False), window=result.window, problem=problem)

    def clear(self, reference: str, window: TriggersWindowPage, inbox: InboxPage, answers: Attempt) -> Clicked:
        """The clear button; confirmed once the referral's row no longer shows the red API error control."""
        hook = self._hook(reference, ActionType.CLEAR, answers)
        try:
            result = window.clear(hook)
        except ClickRefused as exc:
            self._refused(hook, exc)
            raise
        except PAGE_ERRORS as exc:
            if hook.intent is not None:
                self.ledger.note(hook.intent.id, f"error after the click: {why(exc)}")
            raise
        intent = hook.intent
        assert intent is not None, "the page object clicks only after the intent hook"
        if result.page_error is None and inbox.error_gone(reference):
            self.ledger.confirm(intent.id, self.clock())
            return Clicked(record=self._record(ActionType.CLEAR, confirmed=True))
        problem = scrub(result.page_error or "the red API error control was still shown")
        self.ledger.note(intent.id, problem)
        return Clicked(record=self._record(ActionType.CLEAR, confirmed=False), problem=problem)

    # --- private -------------------------------------------------------------------------------

    def _hook(self, reference: str, action: ActionType, answers: Attempt) -> _Hook:
        def write() -> Intent:
            at = self.clock()
            action_id = self.ledger.intend(self.sweep_id, self.base_url, reference, action, answers, at)
            self.count += 1
            return Intent(id=action_id, action=action, answers=answers)

        return _Hook(write)

    def _refused(self, hook: _Hook, exc: ClickRefused) -> None:
        """The site refused the click's own request: it did not happen, so it is not a resend or a click."""
        if hook.intent is not None:
            self.ledger.abandon(hook.intent.id, f"refused by the site: {shorten(exc.message, 200)}")
            self.count -= 1

    def _record(self, action: ActionType, *, confirmed: bool) -> ActionRecord:
        return ActionRecord(type=action, at=self.clock(), confirmed=confirmed)
