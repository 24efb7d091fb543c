"""Writing a sweep's report files and the index, and re-rendering them from stored results.

Files are written to a temporary name and renamed into place, so a support lead opening the report
while the agent writes it sees the old one or the new one, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError

from agent.errors import ReportError
from agent.models import SweepResult
from agent.reports.format import DEFAULT_ZONE
from agent.reports.history import REPORT_JSON, StoredSweep, build_index, previous_of, scan
from agent.reports.render import render_index, render_report
from agent.reports.text import actions_csv, text_summary
from agent.reports.view import build_view, sweep_time

REPORT_HTML = "report.html"
SUMMARY_MD = "summary.md"
ACTIONS_CSV = "actions.csv"
INDEX_HTML = "index.html"


class ReportFiles(BaseModel):
    """Where one sweep's rendered reports (and the shared index) were written."""

    model_config = ConfigDict(frozen=True)

    html: Path
    markdown: Path
    csv: Path
    index: Path


def write_atomic(path: Path, text: str, *, encoding: str = "utf-8", mode: int = 0o600) -> None:
    """The one way the agent writes a file: a private temporary file beside ``path``, renamed into
    place, so a reader sees the old file or the new one, never half of one. ``mode`` is 0600 unless
    the operator's ``file_mode`` lets the group read (agent/places.py)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_write = write_atomic  # the name the report modules use


def write_index(report_dir: Path, extra: StoredSweep | None = None, zone: ZoneInfo = DEFAULT_ZONE) -> Path:
    """Re-renders index.html from every stored sweep (plus ``extra`` if not stored yet)."""
    history = scan(report_dir)
    part = "failed" if extra is not None and extra.result.failure is not None else "sweeps"
    stored: tuple[StoredSweep, ...] = getattr(history, part)
    if extra is not None and all(s.folder != extra.folder for s in stored):
        ordered = sorted((*stored, extra), key=lambda s: (sweep_time(s.result), s.folder))
        history = history.model_copy(update={part: tuple(ordered)})
    path = report_dir / INDEX_HTML
    _write(path, render_index(build_index(report_dir, history, zone), zone))
    return path


def write_reports(
    result: SweepResult,
    sweep_dir: Path,
    report_dir: Path,
    *,
    zone: ZoneInfo = DEFAULT_ZONE,
    referral_url: str | None = None,
) -> ReportFiles:
    """Writes report.html, summary.md and actions.csv into ``sweep_dir``, then re-renders the index.

    "Change since the previous sweep" compares with the newest earlier real (not dry, not failed)
    sweep of the same inbox, so re-rendering an old sweep compares it with its own predecessor.
    ``referral_url`` links referrals whose address report.json does not hold.
    """
    history = [s.result for s in scan(report_dir).sweeps]
    previous = previous_of(history, result)
    html = sweep_dir / REPORT_HTML
    markdown = sweep_dir / SUMMARY_MD
    csv_path = sweep_dir / ACTIONS_CSV
    _write(html, render_report(build_view(result, previous, zone, referral_url=referral_url), zone))
    _write(markdown, text_summary(result, previous, zone, referral_url=referral_url))
    # A byte-order mark so that Excel opens the file as UTF-8 (em dashes, accents in partner text).
    _write(csv_path, actions_csv(result, zone, referral_url=referral_url), encoding="utf-8-sig")
    extra = StoredSweep(folder=sweep_dir.name, result=result) if sweep_dir.parent == report_dir else None
    index = write_index(report_dir, extra, zone)
    return ReportFiles(html=html, markdown=markdown, csv=csv_path, index=index)


def rerender(
    report_dir: Path,
    sweep: str | None = None,
    *,
    zone: ZoneInfo = DEFAULT_ZONE,
    referral_url: str | None = None,
) -> ReportFiles:
    """Renders one stored sweep again (the latest when ``sweep`` is None) and the index."""
    if not report_dir.is_dir():
        raise ReportError(f"report folder {report_dir} not found", fix="pass --report-dir or run a sweep first")
    if sweep is None:
        stored = scan(report_dir).sweeps
        if not stored:
            raise ReportError(f"no readable sweep results in {report_dir}", fix="run a sweep first")
        sweep = stored[-1].folder
    if sweep in {"", ".", ".."} or "/" in sweep or "\\" in sweep:
        raise ReportError(f"{sweep!r} is not a sweep folder name", fix="give a folder name from the index")
    sweep_dir = report_dir / sweep
    path = sweep_dir / REPORT_JSON
    if not path.is_file():
        raise ReportError(f"no {REPORT_JSON} for sweep {sweep} in {report_dir}", fix="check the sweep name")
    try:
        result = SweepResult.model_validate_json(path.read_bytes())
    except (OSError, ValueError, ValidationError) as exc:
        raise ReportError(
            f"{path} cannot be read ({type(exc).__name__})", fix="restore it from a backup or run a new sweep"
        ) from None
    return write_reports(result, sweep_dir, report_dir, zone=zone, referral_url=referral_url)
