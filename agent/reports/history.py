"""Every stored sweep under the report folder, and the index page's view-model built from them.

History is read back from the ``report.json`` files other code wrote, never from memory, so that a
re-render tomorrow shows what was there. A folder whose report.json cannot be read (half-written,
from an older version, edited by hand) is skipped with a warning: one bad night must never hide
the others.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError

from agent.models import SweepResult
from agent.reports.charts import TrendChart, trend_chart
from agent.reports.format import DEFAULT_ZONE, fmt_time, plain_words, shorten
from agent.reports.links import inbox_key
from agent.reports.view import OUTCOME_LABELS, OUTCOME_MARKS, OUTCOME_ORDER, counts_of, sweep_time
from agent.reports.viewmodel import View

log = logging.getLogger(__name__)

REPORT_JSON = "report.json"


class StoredSweep(BaseModel):
    """A sweep result with the folder it was read from (the folder name is what links use)."""

    model_config = ConfigDict(frozen=True)

    folder: str
    result: SweepResult


class History(BaseModel):
    """What the report folder holds: sweeps that reached the inbox, sweeps that failed before it."""

    model_config = ConfigDict(frozen=True)

    sweeps: tuple[StoredSweep, ...]
    skipped: tuple[str, ...]
    failed: tuple[StoredSweep, ...] = ()


def _order(stored: StoredSweep) -> tuple[datetime, str]:
    return sweep_time(stored.result), stored.folder


def scan(report_dir: Path) -> History:
    """Stored sweeps oldest first (failed ones apart), plus the names of folders that were skipped."""
    sweeps: list[StoredSweep] = []
    failed: list[StoredSweep] = []
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
        (failed if result.failure is not None else sweeps).append(StoredSweep(folder=folder.name, result=result))
    return History(
        sweeps=tuple(sorted(sweeps, key=_order)), skipped=tuple(skipped), failed=tuple(sorted(failed, key=_order))
    )


def load_history(report_dir: Path) -> list[SweepResult]:
    """Every readable stored sweep that reached the inbox, oldest first (by started_at)."""
    return [s.result for s in scan(report_dir).sweeps]


def previous_of(history: list[SweepResult], result: SweepResult) -> SweepResult | None:
    """What "change since" compares with: the newest earlier real sweep of the same inbox.

    A dry run clicked nothing and a failed sweep saw nothing, so neither is a baseline; another inbox
    is another list of referrals altogether."""
    inbox = inbox_key(result)
    earlier = [
        h
        for h in history
        if h.sweep_id != result.sweep_id
        and sweep_time(h) < sweep_time(result)
        and not h.dry_run
        and h.failure is None
        and inbox_key(h) == inbox
    ]
    return max(earlier, key=sweep_time, default=None)


class IndexRow(View):
    folder: str
    href: str | None
    sweep_id: str
    started: str
    inbox: int
    dry_run: bool
    failure: str | None
    banner_count: int | None
    total: int | None
    counts: tuple[int, ...] | None
    problems: tuple[str, ...]
    complete: bool


class InboxView(View):
    number: int
    address: str
    sweeps: int
    chart: TrendChart


class IndexView(View):
    title: str
    zone: str
    outcomes: tuple[tuple[str, str, str], ...]
    inboxes: tuple[InboxView, ...]
    rows: tuple[IndexRow, ...]
    skipped: tuple[str, ...]
    failed: int


def build_index(report_dir: Path, history: History, zone: ZoneInfo = DEFAULT_ZONE) -> IndexView:
    """Newest sweep first in the list, failed ones among them; one chart per inbox, oldest on the left."""
    every = sorted((*history.sweeps, *history.failed), key=_order)
    addresses: list[str] = []
    for stored in every:
        if inbox_key(stored.result) not in addresses:
            addresses.append(inbox_key(stored.result))
    number = {a: i for i, a in enumerate(addresses, start=1)}
    rows = []
    for stored in reversed(every):
        r = stored.result
        counts = counts_of(r)
        has_html = (report_dir / stored.folder / "report.html").is_file()
        rows.append(
            IndexRow(
                folder=stored.folder,
                href=f"{stored.folder}/report.html" if has_html else None,
                sweep_id=r.sweep_id,
                started=fmt_time(r.started_at, zone),
                inbox=number[inbox_key(r)],
                dry_run=r.dry_run,
                failure=plain_words(r.failure, zone) if r.failure is not None else None,
                banner_count=r.banner_count,
                total=None if r.failure is not None else len(r.referrals),
                counts=None if r.failure is not None else tuple(counts[o] for o in OUTCOME_ORDER),
                problems=() if r.failure is not None else tuple(shorten(plain_words(p, zone), 160) for p in r.problems),
                complete=r.complete,
            )
        )
    inboxes = tuple(
        InboxView(
            number=number[a],
            address=a,
            sweeps=sum(inbox_key(s.result) == a for s in every),
            chart=trend_chart(
                [s.result for s in history.sweeps if inbox_key(s.result) == a], zone, key=f"i{number[a]}"
            ),
        )
        for a in addresses
    )
    return IndexView(
        title="Caredove sweeps",
        zone=zone.key,
        outcomes=tuple((o.value, OUTCOME_LABELS[o], OUTCOME_MARKS[o]) for o in OUTCOME_ORDER),
        inboxes=inboxes,
        rows=tuple(rows),
        skipped=history.skipped,
        failed=len(history.failed),
    )
