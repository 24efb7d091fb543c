"""The index page and the trend chart over several stored sweeps; unreadable sweeps are skipped."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest

from agent.errors import ReportError
from agent.models import Outcome, SweepResult
from agent.reports import load_history, rerender, write_reports
from agent.reports.charts import TREND_SWEEPS, trend_chart
from agent.reports.history import previous_of
from tests.report_samples import CLINIC, T0, build_two_inboxes, demo_sweep, referral, store


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
    rows = re.findall(r'<tr data-sweep="([^"]+)" data-inbox="\d+"[^>]*>(.*?)</tr>', index, re.S)
    return [(folder, [int(n) for n in re.findall(r'<td class="num"[^>]*>(\d+)</td>', body)]) for folder, body in rows]


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
    assert "3 sweeps stored of 1 inbox" in index
    assert 'id="inbox-filter"' not in index  # one inbox: nothing to filter


def test_trend_chart_bars_follow_the_sweeps(report_dir: Path) -> None:
    index = (report_dir / "index.html").read_text(encoding="utf-8")
    assert "<script" not in index
    start = index.index('<svg viewBox="0 0 720')
    svg = index[start : index.index("</svg>", start)]
    assert 'role="img"' in svg
    assert '<title id="i1-title">' in svg
    assert "<desc" in svg
    assert re.findall(r'data-total="(\d+)"', svg) == ["7", "5", "6"]  # oldest on the left
    fixes = re.findall(r'data-outcome="fix" data-value="(\d+)"', svg)
    assert fixes == ["4", "3", "1"]
    assert "The latest sweep had 6 referrals with errors, fewer than the first shown (7)" in svg
    table = index[index.index('<table id="i1-data"') :]
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
    assert "What changed since the last sweep of this inbox (Tue 14 May 2024, 02:00, sweep-0)" in html


def test_rerender_defaults_to_the_latest(report_dir: Path) -> None:
    (report_dir / "b-third" / "report.html").unlink()
    files = rerender(report_dir)
    assert files.html == report_dir / "b-third" / "report.html"
    assert files.html.is_file()
    with pytest.raises(ReportError, match=r"no report\.json for sweep nope"):
        rerender(report_dir, "nope")


# --- several inboxes, a dry run, a failed sweep, several sweeps in one day ------------------------


@pytest.fixture
def two_inboxes(tmp_path: Path) -> Path:
    return build_two_inboxes(tmp_path)


def test_since_previous_is_the_previous_real_sweep_of_the_same_inbox(two_inboxes: Path) -> None:
    history = load_history(two_inboxes)
    assert [h.sweep_id for h in history] == ["c1", "o1", "c2-dry", "c4"]  # the failed one is listed apart
    by_id = {h.sweep_id: h for h in history}
    assert previous_of(history, by_id["c4"]) == by_id["c1"]  # not the dry run, the other inbox or the failure
    assert previous_of(history, by_id["c2-dry"]) == by_id["c1"]
    assert previous_of(history, by_id["o1"]) is None
    html = (two_inboxes / "c4" / "report.html").read_text(encoding="utf-8")
    assert "(Tue 14 May 2024, 02:00, c1)" in html
    changes = html[html.index('id="changes"') : html.index("</div>", html.index('id="changes"'))]
    assert 'New (1):</strong> <span class="ref" data-ref="3500000004">' in changes
    assert re.search(
        r'Still open \(2\):</strong> <span class="ref" data-ref="3500000002">3500000002</span> \(2 nights\)', changes
    )
    assert 'Gone (1):</strong> <span class="ref">3500000001</span>' in changes
    other = (two_inboxes / "o1" / "report.html").read_text(encoding="utf-8")
    assert "no previous sweep" in other  # another inbox is never "−2 since previous"


def test_index_has_an_inbox_column_a_filter_and_the_failed_sweep_with_why(two_inboxes: Path) -> None:
    index = (two_inboxes / "index.html").read_text(encoding="utf-8")
    assert "5 sweeps stored of 2 inboxes, 1 failed" in index
    rows = re.findall(r'<tr data-sweep="([^"]+)" data-inbox="(\d+)"', index)
    assert rows == [("c4", "1"), ("c3-failed", "1"), ("c2-dry", "1"), ("o1", "2"), ("c1", "1")]
    assert 'id="show-1"' in index and 'id="show-2"' in index
    assert 'body:has(#show-2:checked) [data-inbox]:not([data-inbox="2"]) { display: none; }' in index
    assert "inbox 2: https://other-clinic.caredove.example" in index
    failed = index[index.index('data-sweep="c3-failed"') :]
    assert "Failed: the site refused the sign-in: check CAREDOVE_USERNAME and the password" in failed.split("</tr>")[0]
    assert "Dry run (not compared)." in index


def test_a_failed_sweep_leaves_a_report_that_says_why(two_inboxes: Path) -> None:
    stored = SweepResult.model_validate_json((two_inboxes / "c3-failed" / "report.json").read_bytes())
    assert stored.failure == "the site refused the sign-in: check CAREDOVE_USERNAME and the password"
    assert stored.referrals == []
    assert not stored.complete
    html = (two_inboxes / "c3-failed" / "report.html").read_text(encoding="utf-8")
    assert "The sweep failed and reported no referral: the site refused the sign-in" in html
    assert 'id="summary"' not in html  # no zero counts that read like a clean inbox


def test_problems_are_spelled_out_in_the_index(tmp_path: Path) -> None:
    result = demo_sweep()  # the banner counted 14 but the sweep found 13
    write_reports(result, store(tmp_path, result), tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "⚠ the banner counted 14 referrals but the sweep found 13" in index


def test_several_sweeps_a_day_are_told_apart_on_the_chart(two_inboxes: Path) -> None:
    history = [h for h in load_history(two_inboxes) if h.base_url == CLINIC]
    labels = [b.label for b in trend_chart(history).bars]
    assert labels == ["14 May 02:00", "14 May 04:00", "14 May 06:00"]
    assert [b.dry_run for b in trend_chart(history).bars] == [False, True, False]
    days_apart = [small_sweep(d, 1, 0, 0) for d in range(3)]
    assert [b.label for b in trend_chart(days_apart).bars] == ["14 May", "15 May", "16 May"]
    index = (two_inboxes / "index.html").read_text(encoding="utf-8")
    assert index.count(' role="img" aria-labelledby=') == 2  # one chart per inbox
