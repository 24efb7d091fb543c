"""One sweep with everything around it: the lock, the browser, the ledger, the reports.

The CLI, the scheduler and the demo all call :func:`sweep_and_report`; nothing else wires the parts.
"""

from __future__ import annotations

import logging
import secrets
import threading
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext

from agent import tracing
from agent.browser import launched
from agent.guard import WriteGuard, guard_of
from agent.ledger import Ledger
from agent.lock import sweep_lock
from agent.models import SweepRun
from agent.pages import SignInPage
from agent.places import FILE_MODES, apply_umask, missing_ledger_problem
from agent.progress import reporter
from agent.reports import write_reports
from agent.reports.failed import record_failure
from agent.reports.links import with_inbox
from agent.reports.write import write_atomic
from agent.settings import Settings
from agent.sweep import Sweep
from agent.tracing import check_trace_path

log = logging.getLogger(__name__)


def new_sweep_dir(report_dir: Path, started: datetime, *, dry_run: bool) -> tuple[str, Path]:
    """A fresh folder per sweep, named so that names sort by time."""
    report_dir.mkdir(parents=True, exist_ok=True)
    stem = started.astimezone(UTC).strftime("%Y%m%d-%H%M%S") + ("-dry" if dry_run else "")
    for _ in range(100):
        sweep_id = stem if not (report_dir / stem).exists() else f"{stem}-{secrets.token_hex(2)}"
        try:
            (report_dir / sweep_id).mkdir()
        except FileExistsError:
            continue
        return sweep_id, report_dir / sweep_id
    raise RuntimeError(f"could not make a fresh folder in {report_dir}")


def new_context(browser: Browser, settings: Settings) -> BrowserContext:
    """A clean context per sweep: no saved session on disk, the site's own time zone, bounded waits.

    In a dry run (and a survey) the context cannot write, whatever a page object clicks: every request
    but GET/HEAD is refused at the network layer, the sign-in form's own submission aside (agent.guard)."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 900},
        locale="en-CA",
        timezone_id=settings.site_timezone,
        service_workers="block" if settings.dry_run else "allow",
    )
    context.set_default_timeout(settings.timeout_seconds * 1000)
    context.set_default_navigation_timeout(settings.navigation_timeout_seconds * 1000)
    if settings.dry_run:
        WriteGuard().install(context)
    return context


def traced(stack: ExitStack, context: BrowserContext, settings: Settings) -> None:
    """``--trace PATH``: trace this context and write the trace (scrubbed, 0600) when it closes."""
    target = check_trace_path(settings)
    if target is None:
        return
    hidden = [s.get_secret_value() for s in (settings.password, settings.totp_secret) if s is not None]
    tracing.start(context)
    stack.callback(tracing.save, context, target, hidden)


def refusals(context: BrowserContext) -> list[str]:
    """What the context's network guard refused (nothing when it has none)."""
    guard = guard_of(context)
    return [r.line() for r in guard.refused] if guard is not None else []


def sweep_and_report(
    settings: Settings,
    *,
    progress: bool = False,
    lock_wait: float = 0.0,
    stop: threading.Event | None = None,
    browser: Browser | None = None,
) -> SweepRun:
    """Take the inbox's lock, sweep once, write report.json and the rendered reports; raise AgentError
    (SweepLocked, SignInFailed, …) when the sweep itself could not run.

    ``stop`` set (SIGTERM) ends the sweep between two referrals, never between an intent and its click.
    ``browser``: an already running browser to sweep in (tests and benchmarks share one); each sweep
    still gets a fresh context, so no session carries over."""
    settings.require_site()
    check_trace_path(settings)  # a bad --trace is refused before anything starts
    apply_umask(settings.file_mode)  # ledger, lock, screenshots and reports: private unless told otherwise
    with sweep_lock(settings, wait=lock_wait):
        history_gap = missing_ledger_problem(settings.state, settings.report_dir, settings.base_url)
        if history_gap:
            log.warning("%s", history_gap)  # said before anything is clicked
        started = datetime.now(UTC)
        sweep_id, sweep_dir = new_sweep_dir(settings.report_dir, started, dry_run=settings.dry_run)
        log.info("sweep %s of %s started%s", sweep_id, settings.base_url, " (dry run)" if settings.dry_run else "")
        show = reporter(progress)
        try:
            with Ledger(settings.state) as ledger, ExitStack() as stack:
                if browser is None:
                    browser = stack.enter_context(
                        launched(settings.browser_path, headless=settings.headless, slow_mo=settings.slow_mo)
                    )
                context = new_context(browser, settings)
                stack.callback(context.close)
                traced(stack, context, settings)
                sweep = Sweep(
                    settings, ledger, context.new_page(), sweep_dir, sweep_id=sweep_id, stop=stop, reporter=show
                )
                result = sweep.run()
                if settings.dry_run and (refused := refusals(context)):
                    problem = (
                        f"The dry run's browser refused {len(refused)} write(s) ({', '.join(refused[:3])}"
                        f"{', …' if len(refused) > 3 else ''}): something tried to change the inbox; nothing changed."
                    )
                    result = result.model_copy(
                        update={"refused_requests": refused, "problems": [*result.problems, problem]}
                    )
        except Exception as exc:
            record_failure(exc, settings, sweep_id=sweep_id, started=started, sweep_dir=sweep_dir)
            raise
        finally:
            show.close()

        result = with_inbox(result, settings.inbox_url)
        if history_gap:
            result = result.model_copy(update={"problems": [history_gap, *result.problems]})
        report_json = sweep_dir / "report.json"
        write_atomic(report_json, result.model_dump_json(indent=2), mode=FILE_MODES[settings.file_mode])

        files = write_reports(
            result, sweep_dir, settings.report_dir, zone=settings.zone, referral_url=settings.referral_url
        )
        log.info("sweep %s finished: %s", sweep_id, result.summary)
        return SweepRun(result=result, report_dir=sweep_dir, report_json=report_json, report_html=files.html)


def check_sign_in(settings: Settings) -> None:
    """Sign in once and stop (for `doctor`); raises SignInFailed or another AgentError."""
    base_url, username, password = settings.require_site()
    with launched(settings.browser_path, headless=settings.headless) as browser:
        context = new_context(browser, settings)
        try:
            SignInPage(context.new_page(), settings).sign_in(base_url, username, password)
        finally:
            context.close()
