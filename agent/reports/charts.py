"""The trend chart's geometry: errors per sweep by outcome, as stacked bars in inline SVG.

Computed here (pure numbers in, frozen view-model out) so the template only draws rectangles and
the chart can be tested without a browser. No JavaScript: the SVG carries a title and a
description, every segment a tooltip, every outcome a pattern as well as a colour, and the page
shows the same numbers as a table.
"""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

from agent.models import SweepResult
from agent.reports.format import DEFAULT_ZONE, aware, fmt_short, fmt_time
from agent.reports.view import OUTCOME_LABELS, OUTCOME_MARKS, OUTCOME_ORDER, counts_of
from agent.reports.viewmodel import View

TREND_SWEEPS = 30

WIDTH = 720
HEIGHT = 300
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 84  # room below for labels like '14 May 02:00' at -40°
MAX_LABELS = 10


class Segment(View):
    outcome: str
    y: float
    height: float
    value: int
    title: str


class Bar(View):
    dry_run: bool
    x: float
    width: float
    label: str | None
    label_x: float
    title: str
    total: int
    segments: tuple[Segment, ...]


class Tick(View):
    y: float
    value: int


class LegendItem(View):
    outcome: str
    label: str
    mark: str


class TableRow(View):
    started: str
    dry_run: bool
    counts: tuple[int, ...]
    total: int


class TrendChart(View):
    key: str
    width: int
    height: int
    left: int
    top: int
    plot_width: float
    plot_height: float
    bottom_y: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    legend: tuple[LegendItem, ...]
    desc: str
    rows: tuple[TableRow, ...]


def _step(peak: int) -> int:
    """A tick step that gives at most 5 whole-number gridlines."""
    return max(1, math.ceil(peak / 4))


def _labels(recent: list[SweepResult], zone: ZoneInfo) -> list[str]:
    """``1 Dec`` under each bar, or ``1 Dec 16:30`` when some day had more than one sweep."""
    days = [aware(r.started_at).astimezone(zone).date() for r in recent]
    with_time = len(set(days)) < len(days)
    return [
        fmt_short(r.started_at, zone) if with_time else fmt_short(r.started_at, zone).rsplit(" ", 1)[0] for r in recent
    ]


def trend_chart(history: list[SweepResult], zone: ZoneInfo = DEFAULT_ZONE, *, key: str = "all") -> TrendChart:
    """The last TREND_SWEEPS sweeps of ``history`` (one inbox, oldest first) as stacked bars.

    ``key`` makes the chart's element ids unique when a page shows one chart per inbox."""
    recent = history[-TREND_SWEEPS:]
    labels = _labels(recent, zone)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_h
    all_counts = [counts_of(r) for r in recent]
    totals = [sum(c.values()) for c in all_counts]
    step = _step(max(totals, default=0))
    top_value = step * 4
    scale = plot_h / top_value
    slot = plot_w / max(len(recent), 1)
    bar_w = min(slot * 0.7, 36.0)
    every = max(1, math.ceil(len(recent) / MAX_LABELS))
    bars = []
    for i, (result, counts, total) in enumerate(zip(recent, all_counts, totals, strict=True)):
        x = LEFT + i * slot + (slot - bar_w) / 2
        y: float = bottom
        segments = []
        when = fmt_time(result.started_at, zone) + (" (dry run)" if result.dry_run else "")
        for outcome in OUTCOME_ORDER:
            value = counts[outcome]
            if not value:
                continue
            h = value * scale
            y -= h
            segments.append(
                Segment(
                    outcome=outcome.value,
                    y=round(y, 2),
                    height=round(h, 2),
                    value=value,
                    title=f"{when}: {value} {OUTCOME_LABELS[outcome].lower()}",
                )
            )
        show = i % every == 0 or i == len(recent) - 1
        bars.append(
            Bar(
                dry_run=result.dry_run,
                x=round(x, 2),
                width=round(bar_w, 2),
                label=labels[i] if show else None,
                label_x=round(x + bar_w / 2, 2),
                title=f"{when}: {total} referrals with errors",
                total=total,
                segments=tuple(segments),
            )
        )
    ticks = tuple(Tick(y=round(bottom - v * scale, 2), value=v) for v in range(0, top_value + 1, step))
    return TrendChart(
        key=key,
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        top=TOP,
        plot_width=plot_w,
        plot_height=plot_h,
        bottom_y=bottom,
        bars=tuple(bars),
        ticks=ticks,
        legend=tuple(
            LegendItem(outcome=o.value, label=OUTCOME_LABELS[o], mark=OUTCOME_MARKS[o]) for o in OUTCOME_ORDER
        ),
        desc=_describe(recent, totals, zone),
        rows=tuple(
            TableRow(
                started=fmt_time(r.started_at, zone),
                dry_run=r.dry_run,
                counts=tuple(c[o] for o in OUTCOME_ORDER),
                total=t,
            )
            for r, c, t in zip(recent, all_counts, totals, strict=True)
        ),
    )


def _describe(recent: list[SweepResult], totals: list[int], zone: ZoneInfo) -> str:
    """The chart in one or two sentences, for screen readers and for anyone skimming."""
    if not recent:
        return "No sweeps stored yet."
    first, last = totals[0], totals[-1]
    trend = (
        f"fewer than the first shown ({first})"
        if last < first
        else f"more than the first shown ({first})"
        if last > first
        else f"as many as the first shown ({first})"
    )
    peak = max(totals)
    return (
        f"Stacked bars, one per sweep, oldest on the left: {len(recent)} sweeps from "
        f"{fmt_time(recent[0].started_at, zone)} to {fmt_time(recent[-1].started_at, zone)}. "
        f"The latest sweep had {last} referrals with errors, {trend}; "
        f"the highest was {peak}."
    )
