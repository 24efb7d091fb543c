"""``caredove-agent survey``: one strictly read-only walk of the real site that says what fits.

Sign in, reach the inbox, the banner and its filter, every page of the filtered list (or the first
``pages``), one errored referral's Integration Triggers window and its response tab, and back. The
browser context is guarded (agent.guard): nothing but the sign-in form can write. For every
``labels.*`` entry and structure the procedure needs it records found or not, how, in how long; for
a miss the candidates on that screen and a suggested pattern; then the whole suggestion as a
``[labels]`` block, the conclusions, cross-checks, and per screen a masked ARIA snapshot and a masked
screenshot. Written: ``survey.json`` and ``survey.html`` in a folder of its own under the report dir.
Nothing personal is written: see agent.survey_labels.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page
from playwright.sync_api import Error as PlaywrightError

from agent.browser import launched
from agent.errors import AgentError, PageError, SignInFailed
from agent.models import AttemptStatus
from agent.pages import InboxPage, SignInPage
from agent.pages.survey import Inventory, SurveyProbe, TableSeen
from agent.places import FILE_MODES
from agent.rules.reader import read_response
from agent.run import new_context, refusals, traced
from agent.settings import Labels, Settings
from agent.survey_files import new_survey_dir, write_survey
from agent.survey_labels import (
    Finding,
    check_control,
    check_header,
    check_text,
    column_where,
    kind_of,
    mask_aria,
    personal_words,
    toml_block,
)
from agent.survey_result import ScreenRecord, SurveyResult, SurveyRun
from agent.survey_tables import (
    column_link,
    date_style,
    dialog_only,
    failed_row_button,
    inbox_columns,
    main_table,
    name_column_words,
    window_columns,
)
from agent.sweep import screens_of

INBOX_COLUMNS = ("reference_column", "registrant_column", "service_column", "submitted_column", "status_column",
                 "workflow_column")  # fmt: skip
WINDOW_COLUMNS = ("date_column", "trigger_column", "destination_column", "attempt_status_column", "response_column")


class Survey:
    """One walk; ``labels`` grow the suggestions as it goes, so a relabelled screen does not end it."""

    def __init__(self, settings: Settings, page: Page, folder: Path, result: SurveyResult) -> None:
        self.settings = settings
        self.page = page
        self.folder = folder
        self.result = result
        self.labels: Labels = settings.labels
        self.known: set[str] = set()
        self.probe = SurveyProbe(page, settings, folder / "screens")

    @property
    def current(self) -> Settings:
        return self.settings.model_copy(update={"labels": self.labels})

    # --- the walk ----------------------------------------------------------------------------------

    def run(self, *, pages: int | None, reference: str | None) -> None:
        inbox = self.up_to_inbox()
        self._filtered(inbox, pages)
        chosen = reference or self.result.conclusions.get("first_reference")
        if chosen:
            self._window(str(chosen))

    def up_to_inbox(self) -> InboxPage:
        """Sign in and reach the inbox, checking each label on the way (also what `doctor` runs)."""
        base_url, username, password = self.settings.require_site()
        with self._step("sign-in page") as took:
            self.probe.load(base_url, "the Sign In page")
        signin = self.probe.inventory()
        for key in ("email", "password", "sign_in"):
            self._add(check_control(key, "sign-in", signin, self.labels, self.known, seconds=took()))
        self._screen("sign-in", took())
        with self._step("signing in") as took:
            SignInPage(self.page, self.current).sign_in(base_url, username, password)
        self._add(Finding(label="sign-in", screen="sign-in", found=True, how="signed in", seconds=took()))
        home = self.probe.inventory()
        self._add(check_control("menu_referrals", "home", home, self.labels, self.known, where="nav", also_text=True))
        return self._inbox_screen()

    def _inbox_screen(self) -> InboxPage:
        started = time.monotonic()
        try:
            InboxPage(self.page, self.current, self.folder / "screens").open()
            opened = True
        except PageError:  # looked at all the same: the misses below say why, the retry uses the suggestions
            opened = False
        seconds = round(time.monotonic() - started, 3)
        seen = self.probe.inventory()
        table = main_table(seen, in_dialog=False)
        self.known |= personal_words(seen, self.labels.registrant_column) | name_column_words(table)
        self._add(check_text("banner_count", "inbox", seen, self.labels, self.known))
        self._add(check_control("errors_filter", "inbox", seen, self.labels, self.known, where="outside_rows",
                                seconds=seconds))  # fmt: skip
        structural = inbox_columns(table) if table else {}
        for key in INBOX_COLUMNS:
            self._add(check_header(key, "inbox", table, self.labels, self.known, structural.get(key)))
        self._add(check_control("error_control", "inbox", seen, self.labels, self.known, where="rows"))
        self._paging(seen)
        if self.labels.search:
            self._add(check_control("search", "inbox", seen, self.labels, self.known, where="outside_rows"))
        self._screen("inbox", seconds)
        self._adopt_suggestions()
        inbox = InboxPage(self.page, self.current, self.folder / "screens")
        if not opened:
            with self._step("the Referral Inbox, with the suggested labels"):
                inbox.open()
        return inbox

    def _paging(self, seen: Inventory) -> None:
        """Paging is a Next control, or a "Load more" that appends rows (either label will do)."""
        paging = check_control("next_page", "inbox", seen, self.labels, self.known, where="outside_rows")
        if not paging.found and getattr(self.labels, "load_more", None):
            more = check_control("load_more", "inbox", seen, self.labels, self.known, where="outside_rows")
            if more.found:
                self._add(more)
                paging = paging.model_copy(
                    update={"found": None, "suggestion": None, "candidates": [], "note": "paging by load_more"}
                )
        self._add(paging)

    def _filtered(self, inbox: InboxPage, pages: int | None) -> None:
        banner = inbox.banner_count()
        self.result.conclusions["banner_count"] = banner.count if banner else None
        if not inbox.offers_error_filter():
            self.result.cross_checks.append("no integration-errors filter link: the inbox has no errors, or relabelled")
            return
        with self._step("the filtered inbox") as took:
            link = inbox.show_errors()
        self.result.conclusions["screens"] = screens_of(link)
        seen = self.probe.inventory()
        self._add(check_control("show_all", "filtered inbox", seen, self.labels, self.known, where="outside_rows",
                                seconds=took()))  # fmt: skip
        self._screen("filtered inbox", took())
        references: list[str] = []
        walked = 0
        complete = True
        for listed in inbox.error_pages():
            walked += 1
            references += [row.reference for row in listed.rows]
            if walked == 1:
                self.result.conclusions["rows_per_page"] = listed.rows_on_page
                self.result.conclusions["listed_total"] = listed.listed_total
            if pages is not None and walked >= pages:
                complete = False
                break
        self.result.conclusions["pages_walked"] = walked
        if walked == 1:
            self._one_page()
        self.result.conclusions["errored_rows_seen"] = len(set(references))
        if references:
            self.result.conclusions["first_reference"] = references[0]
        count = self.result.conclusions.get("banner_count")
        if complete and count is not None and count != len(set(references)):
            self.result.cross_checks.append(
                f"the banner counts {count} referrals with integration errors, the filtered pages list "
                f"{len(set(references))}"
            )
        total = self.result.conclusions.get("listed_total")
        if complete and total is not None and total != len(set(references)):
            self.result.cross_checks.append(f"the pager says {total}, the pages listed {len(set(references))}")

    def _one_page(self) -> None:
        """A list of one page shows no working Next: paging is then not applicable, not missing."""
        self.result.findings = [
            f.model_copy(update={"found": None, "suggestion": None, "note": "the list has one page: paging not seen"})
            if f.label == "next_page" and f.found is False
            else f
            for f in self.result.findings
        ]

    def _window(self, reference: str) -> None:
        inbox = InboxPage(self.page, self.current, self.folder / "screens")
        with self._step(f"referral {reference}'s Integration Triggers window") as took:
            window = inbox.open_window(reference)
            with contextlib.suppress(PageError):  # waits for the window's rows; a relabelled one is read below
                window.read()
        seconds = took()
        seen = dialog_only(self.probe.inventory())
        table = main_table(seen, in_dialog=True)
        title = any(re.search(self.labels.window_title, d, re.IGNORECASE) for d in seen["dialogs"])
        dialogs = [f"dialog '{kind_of(d, self.known) if d else ''}'" for d in seen["dialogs"]]
        self._add(Finding(label="window_title", screen="window", found=title, seconds=seconds,
                          how="dialog name" if title else "", pattern=self.labels.window_title,
                          candidates=dialogs))  # fmt: skip
        structural = window_columns(table) if table else {}
        for key in WINDOW_COLUMNS:
            self._add(check_header(key, "window", table, self.labels, self.known, structural.get(key)))
        failed_button = failed_row_button(table, structural.get("attempt_status_column")) if table else None
        view_link = column_link(table, structural.get("response_column")) if table else None
        self._add(check_control("resend", "window", seen, self.labels, self.known, where="rows",
                                structural=failed_button))  # fmt: skip
        self._add(check_control("view", "window", seen, self.labels, self.known, where="rows", structural=view_link))
        self._add(check_control("clear", "window", seen, self.labels, self.known, where="dialog_outside_rows"))
        self._add(check_control("close", "window", seen, self.labels, self.known, where="dialog_outside_rows"))
        self._screen("window", seconds, root=self.page.get_by_role("dialog").first)
        window.close()
        self._adopt_suggestions()
        inbox = InboxPage(self.page, self.current, self.folder / "screens")
        window = inbox.open_window(reference)
        attempts = window.read().attempts
        self._conclude_window(attempts, table)
        failed = [a for a in attempts if a.status is AttemptStatus.FAILED]
        if failed:
            latest = max(failed, key=lambda a: a.at)
            with self._step("the response tab") as took:
                record = read_response(window.read_response(latest))
            self.result.conclusions["response_format"] = record.format.value
            self.result.conclusions["response_http_code_read"] = record.http_code is not None
            self._add(
                Finding(
                    label="response",
                    screen="response tab",
                    found=record.readable,
                    seconds=took(),
                    how=f"{record.format.value} record" if record.readable else "",
                    note="" if record.readable else "the text block could not be read as a transfer record",
                )
            )
        window.close()
        self._add(Finding(label="back to the inbox", screen="inbox", found=True, how="window closed"))

    def _conclude_window(self, attempts: tuple[Any, ...], table: TableSeen | None) -> None:
        dates = [a.at for a in attempts]
        order = ("newest first" if dates == sorted(dates, reverse=True) else
                 "oldest first" if dates == sorted(dates) else "mixed (the latest is found by date)")  # fmt: skip
        self.result.conclusions["attempt_order"] = order if len(dates) > 1 else "one attempt"
        self.result.conclusions["destinations"] = sorted({kind_of(a.destination, self.known) if kind_of(
            a.destination, self.known) == "<name>" else a.destination for a in attempts})  # fmt: skip
        self.result.conclusions["attempt_statuses"] = sorted({a.status.value for a in attempts})
        for key, status in (("success", "success"), ("failed", "failed"), ("pending", "pending")):
            seen = any(a.status.value == status for a in attempts)
            self._add(
                Finding(
                    label=key,
                    screen="window",
                    found=True if seen else None,
                    pattern=getattr(self.labels, key),
                    how="attempt status read" if seen else "",
                    note="" if seen else "no such attempt shown",
                )
            )
        if table is not None:
            index = column_where(table, "date")
            texts = [r[index]["text"] for r in table["rows"] if index is not None and index < len(r)]
            self.result.conclusions["date_style"] = date_style(texts, any(
                r[index]["time"] for r in table["rows"] if index is not None and index < len(r)))  # fmt: skip

    # --- bookkeeping ---------------------------------------------------------------------------------

    @contextmanager
    def _step(self, what: str) -> Iterator[Callable[[], float]]:
        started = time.monotonic()
        done: list[float] = []

        def took() -> float:
            return round(done[0] if done else time.monotonic() - started, 3)

        try:
            yield took
        except AgentError as exc:
            self.result.stopped = f"{what}: {exc.message}"
            self._add(Finding(label=what, screen=what, found=False, note=exc.message, seconds=took()))
            raise
        done.append(time.monotonic() - started)

    def _add(self, finding: Finding) -> None:
        self.result.findings.append(finding)

    def _adopt_suggestions(self) -> None:
        """Go on with the suggested patterns, so that one relabelled screen does not end the survey."""
        update = {f.label: f.suggestion for f in self.result.findings if f.found is False and f.suggestion}
        if update:
            self.labels = self.labels.model_copy(update=update)

    def _screen(self, name: str, seconds: float, root: Any = None) -> None:
        aria = mask_aria(self.probe.aria(root), self.known, self.labels)
        shot = self.probe.screenshot(f"survey-{name}")
        relative = str(Path(shot).relative_to(self.folder)) if shot else None
        self.result.screens.append(ScreenRecord(name=name, seconds=seconds, aria=aria, screenshot=relative))


# --- running --------------------------------------------------------------------------------------------


def run_survey(
    settings: Settings, *, pages: int | None = None, reference: str | None = None, browser: Browser | None = None
) -> SurveyRun:
    """Survey the site; writes the report even when the walk stopped, then raises what stopped it."""
    settings.require_site()
    guarded = settings.model_copy(update={"dry_run": True})
    started = datetime.now(UTC)
    survey_id, folder = new_survey_dir(settings.report_dir, started)
    result = SurveyResult(survey_id=survey_id, base_url=settings.base_url or "", started_at=started)
    failure: AgentError | None = None
    with ExitStack() as stack:
        if browser is None:
            browser = stack.enter_context(
                launched(settings.browser_path, headless=settings.headless, slow_mo=settings.slow_mo)
            )
        context: BrowserContext = new_context(browser, guarded)
        stack.callback(context.close)
        traced(stack, context, guarded)
        walk = Survey(guarded, context.new_page(), folder, result)
        try:
            walk.run(pages=pages, reference=reference)
        except AgentError as exc:
            failure = exc
        except PlaywrightError as exc:
            result.stopped = f"the browser failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        result.refused_requests = refusals(context)
        known = walk.known
    result.finished_at = datetime.now(UTC)
    result.suggested_labels = toml_block(result.findings)
    run = write_survey(result, folder, known, mode=FILE_MODES[settings.file_mode])
    if isinstance(failure, SignInFailed):
        raise failure
    return run


def doctor_checks(settings: Settings, *, browser: Browser | None = None) -> list[Finding]:
    """For `doctor`: the survey's sign-in and inbox checks, read-only, nothing written to disk.

    Raises the AgentError that stopped it (SignInFailed, ControlMissing, …)."""
    settings.require_site()
    guarded = settings.model_copy(update={"dry_run": True, "screenshots": False})
    result = SurveyResult(survey_id="doctor", base_url=settings.base_url or "", started_at=datetime.now(UTC))
    with ExitStack() as stack:
        if browser is None:
            browser = stack.enter_context(launched(settings.browser_path, headless=settings.headless))
        context = new_context(browser, guarded)
        stack.callback(context.close)
        Survey(guarded, context.new_page(), settings.report_dir, result).up_to_inbox()
    return result.findings
