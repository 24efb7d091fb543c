"""One sweep of one inbox: sign in, collect every errored referral, decide, act, wait, account for all.

Three phases, so the inbox's pages stay put while they are read and resends are waited for once:

1. **Inspect**: walk every page of the integration-errors view; for each referral open its window,
   read the attempts and (when the latest failed) its response, and decide. A first Resend is
   clicked right there (it does not move the referral out of the list); nothing else is.
2. **Act**: look again at each referral that needs a clear, decide again on what the page shows
   *now*, write the intent to the ledger, click once, verify, confirm. Clears shift the filtered
   pages, which is why they wait until every page has been read.
3. **Wait**: look at the resent and pending referrals every ``poll_seconds`` until they finish or
   their ``settle_seconds`` run out: clear the green ones, resend once more the red ones (up to
   ``max_resends``), escalate or report the rest as pending. K resends cost about
   ``max_resends × settle`` in all, never ``K × settle``.

The sweep never touches a locator (page objects do) and never decides (the rules do).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from agent.cases import Case, outcome_for, planned
from agent.errors import AgentError, PageError, PageUnavailable, SessionExpired
from agent.ledger import Ledger
from agent.models import (
    ActionRecord,
    ActionType,
    Attempt,
    AttemptStatus,
    DecisionKind,
    Outcome,
    ResponseFormat,
    ResponseRecord,
    SweepResult,
)
from agent.pages import InboxPage, SignInPage, TriggersWindowPage
from agent.progress import Reporter, Silent
from agent.redact import scrub, shorten
from agent.rules.decide import decide
from agent.rules.reader import read_response
from agent.settings import Settings

log = logging.getLogger("caredove_agent.sweep")

MAX_SIGN_INS = 5  # an expired session is signed into again, but not forever
INBOX_TRIES = 3


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
        stop: threading.Event | None = None,
        reporter: Reporter | None = None,
    ) -> None:
        self.settings = settings
        self.policy = settings.policy
        self.base_url, self.username, self.password = settings.require_site()
        self.ledger = ledger
        self.page = page
        self.sweep_dir = sweep_dir
        self.sweep_id = sweep_id
        self.clock = clock
        self.stop = stop or threading.Event()
        self.report = reporter or Silent()
        artifacts = sweep_dir / "screenshots"
        self.signin = SignInPage(page, settings, artifacts)
        self.inbox = InboxPage(page, settings, artifacts)
        self.cases: dict[str, Case] = {}
        self.banner: int | None = None
        self.ui: Literal["older", "newer", "unknown"] = "unknown"
        self.unfiltered = False
        self.problems: list[str] = []
        self.clicks = 0
        self.sign_ins = 0

    # --- the sweep -----------------------------------------------------------------------------

    def run(self) -> SweepResult:
        started = self.clock()
        self.ledger.start_sweep(self.sweep_id, self.base_url, started, dry_run=self.settings.dry_run)
        try:
            self._sign_in()
            self._open_errors(read_banner=True)
        except BaseException:
            self.ledger.finish_sweep(self.sweep_id, self.clock(), status="failed", summary={})
            raise
        complete = True
        try:
            self._inspect_all()
            if not self.settings.dry_run:
                self._act_all()
                self._wait_all()
        except (PageError, PlaywrightError) as exc:
            # The inbox became unusable mid-sweep: report what was reached rather than nothing.
            complete = False
            self.problems.append(
                f"The sweep stopped early: {_why(exc)}. Referrals it did not reach are not in this report; "
                "the next sweep picks them up."
            )
            log.error("sweep %s stopped early: %s", self.sweep_id, _why(exc))
        except BaseException:
            self.ledger.finish_sweep(self.sweep_id, self.clock(), status="failed", summary={})
            raise
        result = self._result(started, complete=complete)
        status = "failed" if not complete else "stopped" if self.stop.is_set() else "finished"
        self.ledger.finish_sweep(self.sweep_id, result.finished_at, status=status, summary=result.summary)
        return result

    # --- phase 1: inspect --------------------------------------------------------------------------

    def _inspect_all(self) -> None:
        self.report.phase("Reading errors", self.banner)
        while True:
            try:
                for rows in self.inbox.error_pages():
                    for row in rows:
                        if self.stop.is_set():
                            return
                        if row.reference in self.cases or not self._wanted(row.reference):
                            continue
                        case = Case(reference=row.reference)
                        self._inspect(case)
                return
            except SessionExpired:
                self._sign_in_again()  # then walk the pages again, skipping what was read
            except (PageError, PlaywrightError) as exc:
                self._sign_in_again(reason=f"the inbox pages could not be read ({_why(exc)})")

    def _inspect(self, case: Case) -> None:
        self.cases[case.reference] = case
        night = self.clock().astimezone(self.settings.zone).date()
        case.sighting = self.ledger.sighted(self.base_url, case.reference, self.clock(), night)
        try:
            with self._window(case, listed=True) as window:
                self._look(case, window)
                if self._resend_now(case):
                    self._resend(case, window)
        except SessionExpired:
            if not case.actions:
                del self.cases[case.reference]  # read again after signing in
            raise
        except (PageError, PlaywrightError) as exc:
            self._could_not_process(case, exc)
            return
        assert case.decision is not None
        outcome = outcome_for(case.decision)
        if case.deadline is not None:
            pass  # resent just now: phase 3 looks at it again
        elif outcome is not None:
            case.finish(outcome)
        elif self.settings.dry_run:
            action = planned(case.decision.kind, self.clock())
            case.actions += [action] if action else []
            case.finish(Outcome.PENDING, f"Dry run, nothing clicked. {case.decision.reason}")
        self.report.step(case.reference, "read")

    def _resend_now(self, case: Case) -> bool:
        """A Resend can be clicked while phase 1 has the window open: unlike a clear, it does not move
        the referral out of the filtered list, so the pages being walked stay put."""
        return (
            not self.settings.dry_run
            and case.decision is not None
            and case.decision.kind is DecisionKind.RESEND
            and not self._out_of_actions()
            and not self.stop.is_set()
        )

    # --- phase 2: act --------------------------------------------------------------------------

    def _act_all(self) -> None:
        todo = [c for c in self.cases.values() if not c.final]
        self.report.phase("Acting", len(todo))
        for case in sorted(todo, key=lambda c: c.decision.kind is not DecisionKind.CLEAR if c.decision else True):
            if self.stop.is_set():
                return
            if case.deadline is not None:
                continue  # resent in phase 1, already waiting
            if case.decision and case.decision.kind is DecisionKind.WAIT:
                self._start_waiting(case)
                continue
            self._step(case)

    # --- phase 3: wait -------------------------------------------------------------------------

    def _wait_all(self) -> None:
        waiting = [c for c in self.cases.values() if not c.final]
        if waiting:
            self.report.phase("Waiting for resends", len(waiting))
        while not self.stop.is_set():
            waiting = [c for c in self.cases.values() if not c.final]
            if not waiting:
                return
            now = time.monotonic()
            due = [c for c in waiting if c.next_look <= now]
            if not due:
                self.stop.wait(min(c.next_look for c in waiting) - now)
                continue
            for case in due:
                if self.stop.is_set():
                    return
                self._step(case)

    # --- one look, one click -----------------------------------------------------------------------

    def _step(self, case: Case) -> None:
        """Look at the referral now and do what the rules say, at most one click."""
        try:
            with self._window(case) as window:
                self._look(case, window)
                assert case.decision is not None
                kind = case.decision.kind
                if kind in (DecisionKind.CLEAR, DecisionKind.RESEND) and self._out_of_actions():
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
                    self._keep_waiting(case)
                else:
                    case.finish(outcome_for(case.decision) or Outcome.ESCALATED)
        except SessionExpired:
            self._sign_in_again()
            self._look_again_soon(case)
            return
        except (PageError, PlaywrightError) as exc:
            self._could_not_process(case, exc)
        if case.final:
            self.report.step(case.reference, case.outcome.value if case.outcome else "")

    def _look(self, case: Case, window: TriggersWindowPage) -> None:
        case.window = window.read()
        latest = case.latest
        response: ResponseRecord | None = None
        if latest is not None and latest.status is AttemptStatus.FAILED:
            if case.response_for != latest.key:
                try:
                    case.response = read_response(window.read_response(latest))
                except PageUnavailable as exc:
                    case.response = ResponseRecord(format=ResponseFormat.UNREADABLE, problem=exc.message)
                case.response_for = latest.key
            response = case.response
        history = self.ledger.resend_history(self.base_url, case.reference)
        case.decision = decide(case.window.attempts, response, history, self.policy, self.clock())

    def _clear(self, case: Case, window: TriggersWindowPage) -> None:
        latest = case.latest
        assert latest is not None
        action_id: list[int] = []
        intent = self._intent(case, ActionType.CLEAR, latest, action_id)

        result = window.clear(intent)
        at = self.clock()
        if result.page_error is None and self.inbox.error_gone(case.reference):
            self.ledger.confirm(action_id[0], at)
            case.actions.append(ActionRecord(type=ActionType.CLEAR, at=at, confirmed=True))
            case.finish(Outcome.CLEARED)
            return
        why = scrub(result.page_error or "the red API error control was still shown")
        self.ledger.note(action_id[0], why)
        case.actions.append(ActionRecord(type=ActionType.CLEAR, at=at, confirmed=False))
        case.fail(
            f"Clicked the clear button but it did not take effect: {shorten(why, 200)}",
            window.screenshot(case.reference),
        )

    def _intent(self, case: Case, action: ActionType, answers: Attempt, ids: list[int]) -> Callable[[], None]:
        """The hook the page object calls right before its one click: the intent is on disk first."""

        def write() -> None:
            ids.append(self.ledger.intend(self.sweep_id, self.base_url, case.reference, action, answers, self.clock()))
            self.clicks += 1

        return write

    def _resend(self, case: Case, window: TriggersWindowPage) -> None:
        latest = case.latest
        assert latest is not None
        action_id: list[int] = []
        intent = self._intent(case, ActionType.RESEND, latest, action_id)

        try:
            result = window.resend(latest, intent)
        except (PageError, PlaywrightError) as exc:
            if not action_id:
                raise  # nothing was clicked
            self.ledger.note(action_id[0], f"error after the click: {_why(exc)}")
            case.actions.append(ActionRecord(type=ActionType.RESEND, at=self.clock(), confirmed=False))
            self._start_waiting(case)
            if isinstance(exc, SessionExpired):
                raise
            return
        at = self.clock()
        produced = None
        if result.window is not None:
            case.window = result.window
            newer = [a for a in result.window.attempts if a.at > latest.at]
            produced = max(newer, key=lambda a: a.at) if newer else None
        if result.page_error is None and produced is not None:
            self.ledger.confirm(action_id[0], at, produced=produced.key)
            case.actions.append(ActionRecord(type=ActionType.RESEND, at=at, confirmed=True))
        else:
            self.ledger.note(action_id[0], scrub(result.page_error or "no new attempt appeared after the click"))
            case.actions.append(ActionRecord(type=ActionType.RESEND, at=at, confirmed=False))
        self._start_waiting(case)
        self.report.step(case.reference, "resent")

    # --- waiting bookkeeping ---------------------------------------------------------------------

    def _start_waiting(self, case: Case) -> None:
        now = time.monotonic()
        case.deadline = now + self.policy.settle_seconds
        case.next_look = now + min(self.policy.poll_seconds, self.policy.settle_seconds)

    def _keep_waiting(self, case: Case) -> None:
        now = time.monotonic()
        if case.deadline is None:
            self._start_waiting(case)
        elif now >= case.deadline:
            assert case.decision is not None
            case.finish(
                Outcome.PENDING,
                f"{case.decision.reason} Still not finished after {self.policy.settle_seconds:g} s; "
                "the next sweep looks again and will not click Resend until a finished attempt shows.",
            )
        else:
            case.next_look = now + self.policy.poll_seconds

    def _look_again_soon(self, case: Case) -> None:
        if case.deadline is None:
            self._start_waiting(case)
        case.next_look = time.monotonic()

    # --- the browser's state ---------------------------------------------------------------------

    @contextmanager
    def _window(self, case: Case, *, listed: bool = False) -> Iterator[TriggersWindowPage]:
        window = self.inbox.open_window(case.reference, listed=listed)
        try:
            yield window
        finally:
            try:
                window.close()
            except (PageError, PlaywrightError):
                self._reload()

    def _reload(self) -> None:
        """Back to a known screen after something went wrong on this one."""
        try:
            self.page.reload()
        except PlaywrightError:
            log.warning("reloading the page failed; the next step navigates again")

    def _sign_in(self) -> None:
        self.sign_ins += 1
        self.signin.sign_in(self.base_url, self.username, self.password)

    def _sign_in_again(self, reason: str = "the session expired") -> None:
        if self.sign_ins >= MAX_SIGN_INS:
            raise PageUnavailable(
                f"{reason}, {MAX_SIGN_INS} times in one sweep",
                fix="check the site and the session timeout; the next sweep starts afresh",
            )
        self.report.note(f"{reason}: signing in again")
        log.warning("%s: signing in again", reason)
        self._sign_in()
        self._open_errors()

    def _open_errors(self, *, read_banner: bool = False) -> None:
        """The integration-errors view; a failing inbox page is tried again a few times."""
        last: AgentError | None = None
        for attempt in range(INBOX_TRIES):
            try:
                self.inbox.open()
                if read_banner:
                    banner = self.inbox.banner_count()
                    self.banner = banner.count if banner else None
                if not self.inbox.offers_error_filter():
                    # No banner link: nothing has an error, or the screen was relabelled. Either way the
                    # unfiltered pages are read and every row showing the red control is taken.
                    self.unfiltered = True
                    return
                self.ui = screens_of(self.inbox.show_errors())
                return
            except SessionExpired as exc:
                last = exc
                self._sign_in()
            except PageError as exc:
                last = exc
                log.warning("the inbox did not load (%s); trying again", exc.message)
                self.stop.wait(0.5 * (attempt + 1))
        assert last is not None
        raise last

    # --- results ---------------------------------------------------------------------------------

    def _wanted(self, reference: str) -> bool:
        return not self.settings.only or reference in self.settings.only

    def _out_of_actions(self) -> bool:
        return self.settings.max_actions is not None and self.clicks >= self.settings.max_actions

    def _could_not_process(self, case: Case, exc: Exception) -> None:
        shot = getattr(exc, "screenshot", None) or self.inbox.screenshot(f"{case.reference}-error")
        case.fail(f"Could not process: {_why(exc)}", shot)
        log.warning("referral %s could not be processed: %s", case.reference, _why(exc))
        self._reload()

    def _result(self, started: datetime, *, complete: bool = True) -> SweepResult:
        for case in self.cases.values():
            if not case.final:
                case.finish(Outcome.PENDING, "The sweep was stopped before this referral was finished.")
        for case in self.cases.values():
            self.ledger.settle(self.base_url, case.reference, case.outcome.value if case.outcome else "pending")
        referrals = [case.result(self.sweep_dir) for case in self.cases.values()]
        problems = list(self.problems)
        if self.banner is None and referrals:
            problems.append(
                "The inbox banner's count of referrals with integration errors was not found, yet "
                f"{len(referrals)} referrals show the red API error: check the banner's wording (labels)."
            )
        elif self.banner is None:
            self.banner = 0  # no banner and no red control anywhere: nothing has an error
        elif not self.settings.only and self.banner != len(referrals):
            problems.append(
                f"The banner counted {self.banner} referrals with integration errors, but the sweep found "
                f"{len(referrals)} in the filtered list: check the inbox by hand."
            )
        if self.stop.is_set():
            problems.append("The sweep was stopped (shutdown) before it finished; unfinished referrals are pending.")
        return SweepResult(
            sweep_id=self.sweep_id,
            started_at=started,
            finished_at=self.clock(),
            base_url=self.base_url,
            dry_run=self.settings.dry_run,
            banner_count=self.banner,
            ui=self.ui,
            summary=SweepResult.count(referrals),
            referrals=referrals,
            problems=problems,
            complete=complete,
        )


def screens_of(filter_link: str) -> Literal["older", "newer", "unknown"]:
    """Which article's screens the site shows, from the filter link's capitalisation (inbox.md)."""
    if filter_link.startswith("View Referrals"):
        return "older"
    if filter_link.startswith("View referrals"):
        return "newer"
    return "unknown"


def _why(exc: BaseException) -> str:
    """An error as one short line. The agent's own messages name reference numbers only; anything
    else (a Playwright message can quote the page) is scrubbed of personal data first."""
    if isinstance(exc, AgentError):
        return shorten(exc.message, 240)
    lines = str(exc).splitlines()
    return shorten(scrub(lines[0] if lines else type(exc).__name__), 240)


def check_sign_in(settings: Settings) -> None:
    """For `doctor`: sign in once with the configured credentials (see agent.run.check_sign_in)."""
    from agent.run import check_sign_in as check

    check(settings)
