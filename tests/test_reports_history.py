"""The index page and the trend chart over several stored sweeps; unreadable sweeps are skipped."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
from test_reports_samples import T0, demo_sweep, referral, store

from agent.errors import ReportError
from agent.models import Outcome, SweepResult
from agent.reports import load_history, rerender, write_reports
from agent.reports.charts import TREND_SWEEPS, trend_chart
from agent.reports.history import previous_of


def small_sweep(day: int, fixes: int, escalated: int, cleared: int) -> SweepResult:
    refs = [
        *(
            referral(f"35000{day:02d}1{i:02d}", Outcome.FIX, rule="R5", reason="x", field="Postal code")
            for i in range(fixes)
        ),
        *(referral(f"35000{day:02d}2{i:02d}", Outcome.ESCALATED, rule="R6", reason="x") for i in range(escalated)),
        *(referral(f"35000{day:02d}3{i:02d}", Outcome.CLEARED, rule="R1", reason="x") for i in range(cleared)),
    ]
    return demo_sweep(sweep_id=f"sweep-{day}", started_at=T0 + timedelta(days=day), referrals=refs, problems=[])


# Folder names deliberately sort differently from the start times: order comes from started_at.
SWEEPS = [
    ("c-first", small_sweep(0, 4, 1, 2)),
    ("a-second", small_sweep(1, 3, 2, 0)),
    ("b-third", small_sweep(2, 1, 0, 5)),
]


@pytest.fixture
def report_dir(tmp_path: Path) -> Path:
    for folder, result in SWEEPS:
        write_reports(result, store(tmp_path, result, folder), tmp_path)
    return tmp_path


def rows_of(index: str) -> list[tuple[str, list[int]]]:
    rows = re.findall(r'<tr data-sweep="([^"]+)">(.*?)</tr>', index, re.S)
    return [(folder, [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', body)]) for folder, body in rows]


def test_load_history_is_oldest_first(report_dir: Path) -> None:
    assert [r.sweep_id for r in load_history(report_dir)] == ["sweep-0", "sweep-1", "sweep-2"]


def test_index_lists_every_sweep_newest_first_with_counts(report_dir: Path) -> None:
    index = (report_dir / "index.html").read_text(encoding="utf-8")
    # Columns: fix, escalated, error, pending, cleared, total, banner.
    assert rows_of(index) == [
        ("b-third", [1, 0, 0, 0, 5, 6, 7]),
        ("a-second", [3, 2, 0, 0, 0, 5, 6]),
        ("c-first", [4, 1, 0, 0, 2, 7, 8]),
    ]
    assert '<a href="b-third/report.html">' in index
    assert "3 sweeps stored" in index


def test_trend_chart_bars_follow_the_sweeps(report_dir: Path) -> None:
    index = (report_dir / "index.html").read_text(encoding="utf-8")
    assert "<script" not in index
    svg = index[index.index("<svg") : index.index("</svg>")]
    assert 'role="img"' in svg
    assert '<title id="trend-title">' in svg
    assert "<desc" in svg
    assert re.findall(r'data-total="(\d+)"', svg) == ["7", "5", "6"]  # oldest on the left
    fixes = re.findall(r'data-outcome="fix" data-value="(\d+)"', svg)
    assert fixes == ["4", "3", "1"]
    assert "The latest sweep had 6 referrals with errors, fewer than the first shown (7)" in svg
    table = index[index.index('<table id="trend-data">') :]
    assert table.index("Tue 14 May") < table.index("Wed 15 May") < table.index("Thu 16 May")


def test_trend_chart_geometry_is_stacked_and_capped() -> None:
    history = [small_sweep(d, d % 4, 1, 2) for d in range(TREND_SWEEPS + 5)]
    chart = trend_chart(history)
    assert len(chart.bars) == TREND_SWEEPS
    assert chart.rows[0].started.startswith("Sun 19 May")  # the 6th sweep: the first 5 are dropped
    for bar in chart.bars:
        bottom = chart.bottom_y
        for seg in bar.segments:  # each segment sits on the one below
            assert seg.y + seg.height == pytest.approx(bottom, abs=0.02)
            bottom = seg.y
        assert sum(s.value for s in bar.segments) == bar.total
    assert chart.ticks[-1].value >= max(b.total for b in chart.bars)
    assert all(b.x + b.width <= chart.left + chart.plot_width for b in chart.bars)
    assert sum(b.label is not None for b in chart.bars) <= 11
    assert trend_chart([]).bars == ()


def test_unreadable_report_json_is_skipped_with_a_warning(report_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = report_dir / "broken-night"
    broken.mkdir()
    (broken / "report.json").write_text('{"sweep_id": "half-writ', encoding="utf-8")
    (report_dir / "not-a-sweep").mkdir()
    latest = small_sweep(3, 2, 2, 2)
    with caplog.at_level(logging.WARNING):
        assert [r.sweep_id for r in load_history(report_dir)] == ["sweep-0", "sweep-1", "sweep-2"]
        files = write_reports(latest, store(report_dir, latest), report_dir)
    assert any("broken-night" in r.getMessage() for r in caplog.records)
    index = files.index.read_text(encoding="utf-8")
    assert "1 folder could not be read" in index
    assert [folder for folder, _ in rows_of(index)] == ["sweep-3", "b-third", "a-second", "c-first"]


def test_previous_is_by_start_time_not_folder(report_dir: Path) -> None:
    history = load_history(report_dir)
    assert previous_of(history, history[2]) == history[1]
    assert previous_of(history, history[0]) is None
    html = (report_dir / "a-second" / "report.html").read_text(encoding="utf-8")
    assert "Change compared with the sweep of Tue 14 May 2024, 02:00 EDT (sweep-0)" in html


def test_rerender_defaults_to_the_latest(report_dir: Path) -> None:
    (report_dir / "b-third" / "report.html").unlink()
    files = rerender(report_dir)
    assert files.html == report_dir / "b-third" / "report.html"
    assert files.html.is_file()
    with pytest.raises(ReportError, match=r"no report\.json for sweep nope"):
        rerender(report_dir, "nope")
