"""Every stored sweep under the report folder, and the index page's view-model built from them.

History is read back from the ``report.json`` files other code wrote, never from memory, so that a
re-render tomorrow shows what was there. A folder whose report.json cannot be read (half-written,
from an older version, edited by hand) is skipped with a warning: one bad night must never hide
the others.
"""

from __future__ import annotations

import logging
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError

from agent.models import SweepResult
from agent.reports.charts import TrendChart, trend_chart
from agent.reports.format import DEFAULT_ZONE, fmt_time
from agent.reports.view import OUTCOME_LABELS, OUTCOME_MARKS, OUTCOME_ORDER, View, counts_of, sweep_time

log = logging.getLogger(__name__)

REPORT_JSON = "report.json"


class StoredSweep(BaseModel):
    """A sweep result with the folder it was read from (the folder name is what links use)."""

    model_config = ConfigDict(frozen=True)

    folder: str
    result: SweepResult


class History(BaseModel):
    model_config = ConfigDict(frozen=True)

    sweeps: tuple[StoredSweep, ...]
    skipped: tuple[str, ...]


def scan(report_dir: Path) -> History:
    """Stored sweeps oldest first, plus the names of folders that were skipped."""
    sweeps: list[StoredSweep] = []
    skipped: list[str] = []
    if not report_dir.is_dir():
        return History(sweeps=(), skipped=())
    for folder in sorted(p for p in report_dir.iterdir() if p.is_dir()):
        path = folder / REPORT_JSON
        if not path.is_file():
            continue
        try:
            result = SweepResult.model_validate_json(path.read_bytes())
        except (OSError, ValueError, ValidationError) as exc:
            # The class name only: a validation message quotes the input, which may hold partner text.
            log.warning("skipping %s: %s cannot be read (%s)", folder.name, REPORT_JSON, type(exc).__name__)
            skipped.append(folder.name)
            continue
        sweeps.append(StoredSweep(folder=folder.name, result=result))
    sweeps.sort(key=lambda s: (sweep_time(s.result), s.folder))
    return History(sweeps=tuple(sweeps), skipped=tuple(skipped))


def load_history(report_dir: Path) -> list[SweepResult]:
    """Every readable stored sweep, oldest first (by started_at)."""
    return [s.result for s in scan(report_dir).sweeps]


def previous_of(history: list[SweepResult], result: SweepResult) -> SweepResult | None:
    """The newest other sweep that started before ``result``: what "change since" compares with."""
    earlier = [h for h in history if h.sweep_id != result.sweep_id and sweep_time(h) < sweep_time(result)]
    return max(earlier, key=sweep_time, default=None)


class IndexRow(View):
    folder: str
    href: str
    sweep_id: str
    started: str
    dry_run: bool
    banner_count: int | None
    total: int
    counts: tuple[int, ...]
    problems: int
    has_html: bool


class IndexView(View):
    title: str
    zone: str
    outcomes: tuple[tuple[str, str, str], ...]
    rows: tuple[IndexRow, ...]
    skipped: tuple[str, ...]
    chart: TrendChart


def build_index(report_dir: Path, history: History, zone: ZoneInfo = DEFAULT_ZONE) -> IndexView:
    """Newest sweep first in the list; the chart reads oldest to newest, left to right."""
    rows = []
    for stored in reversed(history.sweeps):
        r = stored.result
        counts = counts_of(r)
        rows.append(
            IndexRow(
                folder=stored.folder,
                href=f"{stored.folder}/report.html",
                sweep_id=r.sweep_id,
                started=fmt_time(r.started_at, zone),
                dry_run=r.dry_run,
                banner_count=r.banner_count,
                total=len(r.referrals),
                counts=tuple(counts[o] for o in OUTCOME_ORDER),
                problems=len(r.problems),
                has_html=(report_dir / stored.folder / "report.html").is_file(),
            )
        )
    return IndexView(
        title="Caredove sweeps",
        zone=zone.key,
        outcomes=tuple((o.value, OUTCOME_LABELS[o], OUTCOME_MARKS[o]) for o in OUTCOME_ORDER),
        rows=tuple(rows),
        skipped=history.skipped,
        chart=trend_chart([s.result for s in history.sweeps], zone),
    )
