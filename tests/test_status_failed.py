"""`status` names a newest attempt that failed before reaching the inbox, and still judges overdue by
the last sweep that finished."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent.models import SweepResult
from agent.settings import Settings
from agent.status import sweep_status

BASE_URL = "https://inbox.example"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def stored(report_dir: Path, started: datetime, failure: str | None = None) -> None:
    result = SweepResult(
        sweep_id=started.strftime("%Y%m%d-%H%M%S"), started_at=started, finished_at=started + timedelta(minutes=2),
        base_url=BASE_URL, dry_run=False, banner_count=None if failure else 0, summary=SweepResult.count([]),
        referrals=[], failure=failure,
    )  # fmt: skip
    folder = report_dir / result.sweep_id
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(result.model_dump_json(), encoding="utf-8")


def test_a_newer_failed_attempt_is_named_and_overdue_follows_the_last_finished_sweep(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    stored(reports, NOW - timedelta(hours=30))
    stored(reports, NOW - timedelta(hours=6), failure="the site refused the sign-in")
    status = sweep_status(Settings(base_url=BASE_URL, report_dir=reports), NOW)
    lines = status.lines("America/Toronto")
    assert status.overdue
    assert "Last attempt FAILED 2026-03-10 02:00 EDT: the site refused the sign-in" in lines
    assert lines[-1].startswith("OVERDUE")


def test_an_older_failure_is_not_mentioned(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    stored(reports, NOW - timedelta(hours=30), failure="the inbox never loaded")
    stored(reports, NOW - timedelta(hours=6))
    status = sweep_status(Settings(base_url=BASE_URL, report_dir=reports), NOW)
    assert status.failed is None
    assert not any("FAILED" in line for line in status.lines())
    assert not status.overdue
