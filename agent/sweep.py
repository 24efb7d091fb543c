"""One sweep of one inbox: sign in, collect every errored referral, decide, act, wait, account for all.

Three phases, so the inbox's pages stay put while they are read and resends are waited for once:

1. **Inspect**: walk every page of the integration-errors view; for each referral open its window,
   read the attempts and (for each destination whose latest attempt failed) its response, and
   decide. A first Resend is clicked right there (it does not move the referral out of the list);
   nothing else is. The banner's count, each page's "of n" and the rows read are then cross-checked
   (:mod:`agent.reconcile`): fewer found than the site says is read again, and if it stays short the
   sweep is *blind* — its report opens with what was not seen, and it exits 7.
2. **Act**: look again at each referral that needs a clear, decide again on what the page shows
   *now*, and click once through :mod:`agent.clicks` (intent → click → verify → confirm). Clears
   shift the filtered pages, which is why they wait until every page has been read.
3. **Wait**: look at the resent and pending referrals every ``poll_seconds`` until they finish or
   their ``settle_seconds`` run out (:mod:`agent.waiting`): clear the green ones, resend once more
   the red ones (up to ``max_resends``), escalate or report the rest as pending. K resends cost
   about ``max_resends × settle`` in all, never ``K × settle``.

Each referral's state is explicit (:mod:`agent.cases`). The sweep never touches a locator (page
objects do), never decides (the rules do) and catches only page errors (:data:`PAGE_ERRORS`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from agent.cases import GONE, Case, Decided, outcome_for, planned, relative
from agent.clicks import Clicks
from agent.errors import (
    ClickRefused,
    PageError,
    PageUnavailable,
    ReferralGone,
    SessionExpired,
)
from agent.ledger import Ledger
from agent.models import DecisionKind, InboxRow, Outcome, ResponseFormat, ResponseRecord, SweepResult
from agent.pages import TriggersWindowPage
from agent.policy import out_of_actions
from agent.progress import Reporter, Silent
from agent.reading import InboxReading
from agent.redact import shorten
from agent.rules.decide import decide, responses_needed
from agent.rules.reader import read_response
from agent.session import PAGE_ERRORS, Session, screens_of, why
from agent.settings import Settings
from agent.tally import Facts, tally
from agent.waiting import Waiting, due, look_again, look_soon, pause, start

if TYPE_CHECKING:
    from playwright.sync_api import Page

log = logging.getLogger(__name__)

__all__ = ["Sweep", "screens_of"]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Sweep:
    def __init__(
        self,
        settings: Settings,
        ledger: Ledger,
        page: Page,
        sweep_dir: Path,
        *,
        sweep_id: str,
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        stop: threading.Event | None = None,
        reporter: Reporter | None = None,
    ) -> None:
        self.settings = settings
        self.policy = settings.policy
        self.ledger = ledger
        self.sweep_dir = sweep_dir
        self.sweep_id = sweep_id
        self.clock = clock
        self.monotonic = monotonic
        self.stop = stop or threading.Event()
        self.progress = reporter or Silent()
        self.session = Session(page, settings, sweep_dir / "screenshots", stop=self.stop, report=self.progress)
        self.base_url = self.session.base_url
        self.inbox = self.session.inbox
        self.clicks = Clicks(ledger, sweep_id, self.base_url, clock)
        self.cases: dict[str, Case] = {}
        self.reading = InboxReading(self.session, settings, self.stop, self.progress)
        self.problems: list[str] = []

    # --- the sweep -----------------------------------------------------------------------------

    def run(self) -> SweepResult:
        started = self.clock()
        self.ledger.start_sweep(self.sweep_id, self.base_url, started, dry_run=self.settings.dry_run)
        try:
            self.session.sign_in()
            opened = self.reading.open()
        except BaseException:
            self.ledger.finish_sweep(self.sweep_id, self.clock(), status="failed", summary={})
            raise
        complete = True
        try:
            self._inspect_all(opened)
            if not self.settings.dry_run:
                self._act_all()
                self._wait_all()
        except PAGE_ERRORS as exc:
            # The inbox became unusable mid-sweep: report what was reached rather than nothing.
            complete = False
            self.problems.append(
                f"The sweep stopped early: {why(exc)}. Referrals it did not reach are not in this report; "
                "the next sweep picks them up."
            )
            log.error("sweep %s stopped early: %s", self.sweep_id, why(exc))
        except BaseException:
            self.ledger.finish_sweep(self.sweep_id, self.clock(), status="failed", summary={})
            raise
        result = self._result(started, complete=complete)
        status = "failed" if not result.complete else "stopped" if self.stop.is_set() else "finished"
        self.ledger.finish_sweep(self.sweep_id, result.finished_at, status=status, summary=result.summary)
        return result

    # --- phase 1: inspect --------------------------------------------------------------------------

    def _inspect_all(self, opened: bool) -> None:
        self.progress.phase("Reading errors", self.session.banner)
        self.reading.read_all(opened, self._listed)

    def _listed(self, row: InboxRow) -> None:
        if row.reference not in self.cases and self._wanted(row.reference):
            self._inspect(Case(reference=row.reference))

    def _inspect(self, case: Case) -> None:
        self.cases[case.reference] = case
        night = self.clock().astimezone(self.settings.zone).date()
        case.sighting = self.ledger.sighted(self.base_url, case.reference, self.clock(), night)
        try:
            with self._window(case, listed=self.reading.on_screen()) as window:
                self._look(case, window)
                if self._resend_now(case):
                    self._resend(case, window)
        except (SessionExpired, ClickRefused):
            if not case.actions:
                del self.cases[case.reference]  # read again after signing in
            raise
        except ReferralGone as exc:
            self._gone(case, exc)
            return
        except PAGE_ERRORS as exc:
            self._could_not_process(case, exc)
            return
        except Exception as exc:  # a bug fails its referral, never the sweep
            self._bug(case, exc)
            return
        state = case.state
        if isinstance(state, Decided):
            outcome = outcome_for(state.decision)
            if outcome is not None:
                case.finish(outcome)
            elif self.settings.dry_run:
                action = planned(state.decision.kind, self.clock())
                case.actions += [action] if action else []
                case.finish(Outcome.PENDING, f"Dry run, nothing clicked. {state.decision.reason}")
        self.progress.step(case.reference, "read")

    def _resend_now(self, case: Case) -> bool:
        """A Resend can be clicked while phase 1 has the window open: unlike a clear, it does not move
        the referral out of the filtered list, so the pages being walked stay put."""
        return (
            not self.settings.dry_run
            and isinstance(case.state, Decided)
            and case.state.decision.kind is DecisionKind.RESEND
            and not out_of_actions(self.clicks.count, self.settings.max_actions)
            and not self.stop.is_set()
        )

    # --- phase 2: act --------------------------------------------------------------------------

    def _act_all(self) -> None:
        todo = [c for c in self.cases.values() if isinstance(c.state, Decided)]
        self.progress.phase("Acting", len(todo))
        if todo:
            self._refresh()  # a fresh list: someone may have worked the inbox while it was read
        for case in sorted(todo, key=lambda c: c.decision is None or c.decision.kind is not DecisionKind.CLEAR):
            if self.stop.is_set():
                return
            if case.decision is not None and case.decision.kind is DecisionKind.WAIT:
                case.wait(start(self.monotonic(), self.policy))
                continue
            self._step(case)

    # --- phase 3: wait -------------------------------------------------------------------------

    def _wait_all(self) -> None:
        if any(c.waiting for c in self.cases.values()):
            self.progress.phase("Waiting for resends", sum(1 for c in self.cases.values() if c.waiting))
        while not self.stop.is_set():
            waiting = [(c, c.waiting) for c in self.cases.values() if c.waiting is not None]
            if not waiting:
                return
            now = self.monotonic()
            ready = [c for c, w in waiting if due(w, now)]
            if not ready:
                self.stop.wait(pause([w for _, w in waiting], now))
                continue
            for case in ready:
                if self.stop.is_set():
                    return
                self._step(case)

    # --- one look, at most one click -----------------------------------------------------------------

    def _step(self, case: Case) -> None:
        """Look at the referral now and do what the rules say, at most one click."""
        before = case.waiting
        try:
            with self._window(case) as window:
                self._look(case, window)
                assert case.decision is not None
                kind = case.decision.kind
                if kind in (DecisionKind.CLEAR, DecisionKind.RESEND) and out_of_actions(
                    self.clicks.count, self.settings.max_actions
                ):
                    case.finish(
                        Outcome.PENDING,
                        f"Not acted on: the limit of {self.settings.max_actions} clicks per sweep was reached. "
                        + case.decision.reason,
                    )
                elif kind is DecisionKind.CLEAR:
                    self._clear(case, window)
                elif kind is DecisionKind.RESEND:
                    self._resend(case, window)
                elif kind is DecisionKind.WAIT:
                    self._keep_waiting(case, before)
                else:
                    case.finish(outcome_for(case.decision) or Outcome.ESCALATED)
        except (SessionExpired, ClickRefused) as exc:
            self.session.sign_in_again(
                "the site refused a click (the session had ended)"
                if isinstance(exc, ClickRefused)
                else "the session expired"
            )
            case.wait(look_soon(case.waiting or before, self.monotonic(), self.policy))
            return
        except ReferralGone as exc:
            self._gone(case, exc)
        except PAGE_ERRORS as exc:
            self._could_not_process(case, exc)
        except Exception as exc:  # a bug fails its referral, never the sweep
            self._bug(case, exc)
        if case.outcome is not None:
            self.progress.step(case.reference, case.outcome.value)

    def _look(self, case: Case, window: TriggersWindowPage) -> None:
        """Read the window and, per destination whose latest attempt failed, its response; decide."""
        case.window = window.read()
        for attempt in responses_needed(case.window.attempts):
            if attempt.key not in case.responses:
                try:
                    case.responses[attempt.key] = read_response(window.read_response(attempt))
                except PageUnavailable as exc:
                    case.responses[attempt.key] = ResponseRecord(format=ResponseFormat.UNREADABLE, problem=exc.message)
        history = self.ledger.resend_history(self.base_url, case.reference)
        case.decided(decide(case.window.attempts, case.responses, history, self.policy, self.clock()))

    def _clear(self, case: Case, window: TriggersWindowPage) -> None:
        answers = case.concerned
        assert answers is not None
        clicked = self.clicks.clear(case.reference, window, self.inbox, answers)
        case.actions.append(clicked.record)
        if clicked.confirmed:
            case.finish(Outcome.CLEARED)
        else:
            case.fail(
                f"Clicked the clear button but it did not take effect: {shorten(clicked.problem or '', 200)}",
                window.screenshot(case.reference),
            )

    def _resend(self, case: Case, window: TriggersWindowPage) -> None:
        attempt = case.concerned
        assert attempt is not None
        clicked = self.clicks.resend(case.reference, window, attempt)
        case.actions.append(clicked.record)
        if clicked.window is not None:
            case.window = clicked.window
        case.wait(start(self.monotonic(), self.policy))
        self.progress.step(case.reference, "resent")
        if isinstance(clicked.error, SessionExpired):
            raise clicked.error

    def _keep_waiting(self, case: Case, before: Waiting | None) -> None:
        now = self.monotonic()
        later = start(now, self.policy) if before is None else look_again(before, now, self.policy)
        if later is not None:
            case.wait(later)
            return
        assert case.decision is not None
        case.finish(
            Outcome.PENDING,
            f"{case.decision.reason} Still not finished after {self.policy.settle_seconds:g} s; "
            "the next sweep looks again and will not click Resend until a finished attempt shows.",
        )

    # --- the browser's state ---------------------------------------------------------------------

    @contextmanager
    def _window(self, case: Case, *, listed: bool = False) -> Iterator[TriggersWindowPage]:
        window = self.inbox.open_window(case.reference, listed=listed)
        try:
            yield window
        finally:
            try:
                window.close()
            except PAGE_ERRORS:
                self.session.recover()

    def _bug(self, case: Case, exc: Exception) -> None:
        """Not an agent error: a bug (or a browser error a page object let through). Only this referral
        fails; an intent written before it stays unconfirmed, so nothing is clicked twice."""
        log.error("referral %s: unexpected %s: %s", case.reference, type(exc).__name__, why(exc))
        log.debug("the unexpected error's traceback", exc_info=exc)
        self._could_not_process(case, exc)

    def _refresh(self) -> None:
        try:
            self.session.refresh()
        except PAGE_ERRORS as exc:  # each referral is still looked for on its own
            log.warning("the inbox could not be loaded afresh: %s", why(exc))

    # --- results ---------------------------------------------------------------------------------

    def _wanted(self, reference: str) -> bool:
        return not self.settings.only or reference in self.settings.only

    def _gone(self, case: Case, exc: ReferralGone) -> None:
        case.fail(
            f"No longer flagged when the agent came back to it ({why(exc)}): someone else worked it meanwhile; "
            "nothing more to do.",
            exc.screenshot,
            rule=GONE,
        )
        log.warning("referral %s is no longer flagged", case.reference)

    def _could_not_process(self, case: Case, exc: Exception) -> None:
        shot = (exc.screenshot if isinstance(exc, PageError) else None) or self.session.screenshot(
            f"{case.reference}-error"
        )
        case.fail(f"Could not process: {why(exc)}", shot)
        log.warning("referral %s could not be processed: %s", case.reference, why(exc))
        self.session.recover()

    def _result(self, started: datetime, *, complete: bool = True) -> SweepResult:
        for case in self.cases.values():
            if not case.final:
                case.finish(Outcome.PENDING, "The sweep was stopped before this referral was finished.")
        for case in self.cases.values():
            self.ledger.settle(self.base_url, case.reference, (case.outcome or Outcome.PENDING).value)
        return tally(
            Facts(
                sweep_id=self.sweep_id,
                started=started,
                finished=self.clock(),
                base_url=self.base_url,
                dry_run=self.settings.dry_run,
                ui=self.session.ui,
                counts=self.reading.counts(),
                complete=complete,
                stopped=self.stop.is_set(),
                problems=tuple(self.problems),
                unseen_shot=relative(self.reading.screenshot, self.sweep_dir),
            ),
            [case.result(self.sweep_dir) for case in self.cases.values()],
        )
