"""Is the nightly sweep happening? The answer a monitor (or a person) gets from ``caredove-agent status``.

The only evidence of a sweep that finished is its ``report.json``; a sweep that failed leaves none.
So "overdue" is simply: the newest report is older than ``overdue_hours`` (26 h by default: a
nightly sweep plus slack), or there is no report at all — both exit non-zero so a monitor alerts.
A sweep that failed before reaching the inbox leaves a report.json that says why (``failure``): it
is not a sweep that finished, but ``status`` names it when it is the newest attempt.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from agent.models import SweepResult
from agent.reports import load_history
from agent.reports.history import StoredSweep, scan
from agent.settings import Settings


def read_history(report_dir: Path) -> list[SweepResult]:
    """Every readable ``<report_dir>/<folder>/report.json``, oldest first (the reports module's reading)."""

    return load_history(report_dir)


class SweepStatus(BaseModel):
    """The newest sweep of one inbox and whether it is overdue at ``now``."""

    model_config = ConfigDict(frozen=True)

    now: datetime
    overdue_hours: float
    last: SweepResult | None
    report: Path | None
    failed: SweepResult | None = None  # the newest attempt, when it failed after ``last``

    @property
    def age(self) -> timedelta | None:
        return self.now - self.last.finished_at if self.last else None

    @property
    def overdue(self) -> bool:
        return self.age is None or self.age > timedelta(hours=self.overdue_hours)

    def lines(self, zone: str | None = None) -> list[str]:
        """What ``status`` prints: plain lines a person can read at 8 a.m."""
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(zone) if zone else None
        failed: list[str] = []
        if self.failed is not None:
            when = self.failed.started_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
            failed = [f"Last attempt FAILED {when}: {self.failed.failure}"]
        if self.last is None:
            return ["No sweep has finished yet (no report.json found).", *failed, "OVERDUE"]
        finished = self.last.finished_at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
        age = self.age or timedelta()
        hours = age.total_seconds() / 3600
        counts = ", ".join(f"{k} {v}" for k, v in self.last.summary.items())
        lines = [
            f"Last sweep: {self.last.sweep_id} of {self.last.base_url}, finished {finished} ({hours:.1f} h ago)"
            + (" [dry run]" if self.last.dry_run else ""),
            f"Outcomes: {counts or 'no referrals'}",
        ]
        if self.last.problems:
            lines.append(f"Problems: {len(self.last.problems)} (see the report)")
        lines += failed
        lines.append(f"Report: {self.report}")
        if self.overdue:
            lines.append(f"OVERDUE: no sweep in the last {self.overdue_hours:g} h (overdue_hours)")
        else:
            lines.append("OK: not overdue")
        return lines


def sweep_status(settings: Settings, now: datetime) -> SweepStatus:
    """The newest sweep of the configured inbox (any inbox when no base URL is set) in its report folder."""

    history = scan(settings.report_dir)

    def mine(found: tuple[StoredSweep, ...]) -> list[StoredSweep]:
        return [s for s in found if not settings.base_url or s.result.base_url == settings.base_url]

    stored, failures = mine(history.sweeps), mine(history.failed)
    last = stored[-1] if stored else None
    failed = failures[-1].result if failures else None
    if failed is not None and last is not None and failed.started_at <= last.result.started_at:
        failed = None
    return SweepStatus(
        now=now,
        overdue_hours=settings.overdue_hours,
        last=last.result if last else None,
        report=settings.report_dir / last.folder / "report.json" if last else None,
        failed=failed,
    )
