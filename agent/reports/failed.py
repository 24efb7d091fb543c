"""A sweep that failed before it reached any referral still leaves a report that says why.

Without it a failed night is an empty folder: the history page cannot list it and the support lead
cannot tell "nothing to do" from "the agent never got in". run.py calls :func:`record_failed_sweep`
when the sweep raises; the result is an ordinary report.json (no referrals, ``failure`` set) that
the index lists with its reason and never uses as a baseline for "change since".
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from agent.errors import AgentError
from agent.models import SweepResult
from agent.places import FILE_MODES
from agent.redact import scrub, shorten
from agent.reports.format import DEFAULT_ZONE
from agent.reports.history import REPORT_JSON
from agent.reports.write import ReportFiles, write_atomic, write_reports
from agent.settings import Settings

log = logging.getLogger(__name__)

REASON_LIMIT = 300


def failure_reason(exc: BaseException) -> str:
    """One safe line: the agent's own message (it names settings and references, never a value),
    scrubbed all the same; for anything else only the kind of error, since its text may quote a page."""
    if isinstance(exc, AgentError):
        return shorten(scrub(str(exc)), REASON_LIMIT)
    return f"unexpected error ({type(exc).__name__}); the agent's log has the details"


def failed_sweep(
    *,
    sweep_id: str,
    started: datetime,
    base_url: str,
    dry_run: bool,
    why: str,
    inbox: str | None = None,
    finished: datetime | None = None,
) -> SweepResult:
    """The report.json of a sweep that reached no referral."""
    return SweepResult(
        sweep_id=sweep_id,
        started_at=started,
        finished_at=finished or datetime.now(UTC),
        base_url=base_url,
        dry_run=dry_run,
        banner_count=None,
        summary=SweepResult.count([]),
        referrals=[],
        problems=[f"The sweep failed and reported no referral: {why}"],
        complete=False,
        inbox=inbox,
        failure=why,
    )


def record_failed_sweep(
    result: SweepResult, sweep_dir: Path, report_dir: Path, *, zone: ZoneInfo = DEFAULT_ZONE, mode: int = 0o600
) -> ReportFiles:
    """Writes the failed sweep's report.json (through the one atomic writer, with a sweep's file mode),
    its reports, and the index."""
    write_atomic(sweep_dir / REPORT_JSON, result.model_dump_json(indent=2), mode=mode)
    return write_reports(result, sweep_dir, report_dir, zone=zone)


def record_failure(
    exc: BaseException, settings: Settings, *, sweep_id: str, started: datetime, sweep_dir: Path
) -> None:
    """What run.py calls when a sweep raises: leave a report that says why, never mask the error."""
    try:
        result = failed_sweep(
            sweep_id=sweep_id,
            started=started,
            base_url=settings.base_url or "",
            dry_run=settings.dry_run,
            why=failure_reason(exc),
            inbox=settings.inbox_url,
        )
        mode = FILE_MODES[settings.file_mode]
        record_failed_sweep(result, sweep_dir, settings.report_dir, zone=settings.zone, mode=mode)
    except Exception:  # the sweep's own error is what the caller must see
        log.warning("could not write the failed sweep's report in %s", sweep_dir.name, exc_info=True)
