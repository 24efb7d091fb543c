"""The sweep report's content, rendered without a browser: sections, counts, escaping, outage rule,
the Markdown and CSV forms, and that nothing secret or personal is added."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from jinja2 import StrictUndefined
from test_reports_samples import (
    BOLD,
    PLANTED_HCN,
    PLANTED_PASSWORD,
    SCRIPT,
    T0,
    demo_sweep,
    ocean_outage,
    referral,
    store,
)

from agent.models import Outcome, SweepResult
from agent.reports import OUTAGE_THRESHOLD, actions_csv, text_summary, write_reports
from agent.reports.render import environment, render_report
from agent.reports.text import CSV_COLUMNS
from agent.reports.view import build_view


def html_of(result: SweepResult, previous: SweepResult | None = None) -> str:
    return render_report(build_view(result, previous))


def count_in(html: str, outcome: str) -> int:
    found = re.search(rf'data-count="{outcome}">(\d+)<', html)
    assert found, outcome
    return int(found.group(1))


def test_environment_escapes_and_is_strict() -> None:
    env = environment()
    assert env.autoescape is True
    assert env.undefined is StrictUndefined


def test_summary_counts_match_the_referrals() -> None:
    result = demo_sweep()
    html = html_of(result)
    for outcome, n in SweepResult.count(result.referrals).items():
        assert count_in(html, outcome) == n


def test_every_section_is_there_with_its_count() -> None:
    html = html_of(demo_sweep())
    assert '<h2 id="fixes-h">Fixes for staff (3)</h2>' in html
    assert '<h2 id="escalations-h">Escalations for Caredove support (6)</h2>' in html
    assert '<h2 id="failed-h">Could not process (1)</h2>' in html
    assert '<h2 id="pending-h">Pending (1)</h2>' in html
    # 2 resends for each of 3 outage referrals, 1 for EMHware, 1 pending, 2 clears.
    assert '<h2 id="actions-h">What the agent did (10)</h2>' in html


def test_change_since_previous_sweep() -> None:
    previous = demo_sweep(sweep_id="before", started_at=T0 - timedelta(days=1), outage=0)
    html = html_of(demo_sweep(), previous)
    assert "+3 since previous (3)" in html  # escalated: 3 before, 6 now
    assert "±0 since previous (3)" in html  # fixes unchanged
    assert "no previous sweep" not in html
    assert "no previous sweep" in html_of(demo_sweep())


def test_fixes_are_grouped_by_field_with_nights_open() -> None:
    view = build_view(demo_sweep(), None)
    groups = {g.field: [i.reference for i in g.items] for g in view.fix_groups}
    assert groups == {"Primary Contact's Postal Code": ["3502768696", "3502768697"], "Birth date": ["3502768698"]}
    assert view.fix_groups[0].path == "Patient.contact[0].address.postCode"
    assert view.fix_groups[0].items[0].nights_open == 3  # longest open first


def test_response_markup_renders_as_text() -> None:
    html = html_of(demo_sweep())
    assert SCRIPT not in html
    assert BOLD not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script" not in html.lower()


def test_escalation_has_what_support_needs_and_a_message() -> None:
    view = build_view(demo_sweep(), None)
    crms = next(e for e in view.escalations if e.reference == "3502768699")
    assert crms.destination == "CRMS"
    assert crms.trigger == "Edited Status - Ready"
    assert len(crms.attempts) == 2
    assert all("EDT" in a for a in crms.attempts)
    for fact in ("3502768699", "CRMS", "http_code: 400", "Edited Status - Ready", "400-series error without"):
        assert fact in crms.message
    emh = next(e for e in view.escalations if e.reference == "3502768700")
    assert "Resend at Tue 14 May 2024, 02:02 EDT (confirmed)" in emh.message
    ocean = next(e for e in view.escalations if e.reference == "3502768701")
    assert ocean.ocean
    assert "Ocean Site ID" in ocean.message
    assert "Ocean Site ID" not in crms.message
    html = html_of(demo_sweep())
    assert html.count('<pre class="paste">') == len(view.escalations) + len(view.outages)
    assert "Talk to a person" in html
    assert "8:30–17:30 Eastern" in html


def test_outage_notice_once_from_threshold() -> None:
    assert OUTAGE_THRESHOLD == 3
    html = html_of(demo_sweep(outage=OUTAGE_THRESHOLD))
    assert html.count('class="item outage"') == 1
    assert "Service Failure: Ocean eReferral (3 referrals)" in html
    view = build_view(demo_sweep(outage=OUTAGE_THRESHOLD), None)
    (outage,) = view.outages
    assert outage.references == ("3502769000", "3502769001", "3502769002")
    assert "Service Failure" in outage.message
    assert "Ocean Site ID" in outage.message
    # The outage's referrals are not repeated as single escalations.
    assert not {e.reference for e in view.escalations} & set(outage.references)
    assert 'id="esc-3502769000-h"' not in html


@pytest.mark.parametrize("n", [0, OUTAGE_THRESHOLD - 1])
def test_no_outage_notice_below_threshold(n: int) -> None:
    html = html_of(demo_sweep(outage=n))
    assert 'class="item outage"' not in html
    assert "Service Failure" not in html
    view = build_view(demo_sweep(outage=n), None)
    assert sum(e.destination == "Ocean eReferral" for e in view.escalations) == n + 1


def test_outage_counts_only_5xx_from_one_destination() -> None:
    mixed = [*ocean_outage(2), *ocean_outage(1, code=400)]
    other = [
        referral("3502769100", Outcome.ESCALATED, rule="R4", reason="5xx", http_code=502, destination="CRMS"),
    ]
    view = build_view(demo_sweep(referrals=[*mixed, *other]), None)
    assert view.outages == ()
    assert len(view.escalations) == 4


def test_dry_run_banner_and_planned_actions() -> None:
    dry = html_of(demo_sweep(dry_run=True))
    assert "Dry run: nothing was clicked" in dry
    assert "planned, not clicked (dry run)" in dry
    assert dry.startswith("<!doctype html>")
    live = html_of(demo_sweep())
    assert "Dry run: nothing was clicked" not in live
    assert "planned, not clicked" not in live


def test_sweep_problems_are_prominent() -> None:
    html = html_of(demo_sweep())
    assert "Needs attention: 1 problem with this sweep" in html
    assert html.index("Needs attention") < html.index('id="summary"')
    assert "Needs attention" not in html_of(demo_sweep(problems=[]))


def test_could_not_process_shows_reason_and_screenshot() -> None:
    html = html_of(demo_sweep())
    assert "the Integration Triggers window did not open" in html
    assert '<img src="screenshots/3502768711.png" alt="The screen when referral 3502768711' in html


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "javascript:alert(1)", "file:///x.png"])
def test_screenshot_outside_the_sweep_folder_is_not_linked(path: str) -> None:
    refs = [referral("3502768711", Outcome.ERROR, rule="page", reason="x", screenshot=path)]
    html = html_of(demo_sweep(referrals=refs))
    assert "<img" not in html
    assert "No screenshot was saved." in html


def test_times_are_readable_with_zone() -> None:
    html = html_of(demo_sweep())
    assert "Tue 14 May 2024, 02:00 EDT to Tue 14 May 2024, 02:07 EDT" in html
    assert "America/Toronto" in html


def test_empty_sweep_says_so() -> None:
    html = html_of(demo_sweep(referrals=[], problems=[]))
    assert "No referral needs a fix by staff." in html
    assert "Nothing to take to Caredove support." in html
    assert "The agent clicked nothing in this sweep." in html


def test_markdown_summary() -> None:
    previous = demo_sweep(sweep_id="before", started_at=T0 - timedelta(days=1), outage=0)
    md = text_summary(demo_sweep(), previous)
    assert md.startswith("# Caredove sweep of Tue 14 May 2024, 02:00 EDT")
    assert "| Escalate to Caredove | 6 | +3 |" in md
    assert "| Fix for staff | 3 | ±0 |" in md
    assert "**Service Failure, Ocean eReferral**: 3 referrals" in md
    assert "3502768696: is missing" in md
    assert "3502768711: the Integration Triggers window did not open" in md
    assert "the banner counted" in md
    assert "<" not in md.replace("\\<", "")  # partner markup is escaped for Markdown renderers
    assert "Dry run" not in md
    assert "**Dry run: the agent clicked nothing.**" in text_summary(demo_sweep(dry_run=True), None)


def test_csv_has_the_action_items() -> None:
    rows = list(csv.DictReader(io.StringIO(actions_csv(demo_sweep()))))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    by_ref = {r["Reference #"]: r for r in rows}
    assert "3502768712" not in by_ref  # cleared: nothing to do
    assert len(rows) == 3 + 6 + 1 + 1
    postal = by_ref["3502768696"]
    assert postal["Outcome"] == "Fix for staff"
    assert postal["Field"] == "Primary Contact's Postal Code (Patient.contact[0].address.postCode)"
    assert postal["What to do"].startswith("Add the primary contact's postal code")
    assert postal["Nights open"] == "3"
    assert postal["http_code"] == "400"
    assert by_ref["3502769000"]["What to do"].startswith("Report a Service Failure of Ocean eReferral")
    assert by_ref["3502768698"]["What to do"].startswith("'=HYPERLINK")  # no formula in a spreadsheet


def test_files_hold_no_planted_secret_or_added_personal_data(tmp_path: Path) -> None:
    result = demo_sweep(dry_run=True)
    inputs = result.model_dump_json()
    sweep_dir = store(tmp_path, result)
    files = write_reports(result, sweep_dir, tmp_path)
    hcn_like = re.compile(r"\d{4}[- ]\d{3}[- ]\d{3}")
    assert not hcn_like.search(inputs)
    for path in (files.html, files.markdown, files.csv, files.index):
        text = path.read_text(encoding="utf-8-sig")
        assert PLANTED_PASSWORD not in text
        assert PLANTED_HCN not in text
        assert not hcn_like.search(text), path.name
        # The only 10-digit numbers are the reference numbers the inputs hold.
        assert set(re.findall(r"(?<!\d)\d{10}(?!\d)", text)) <= {r.reference for r in result.referrals}
    assert "[redacted]" in files.html.read_text(encoding="utf-8")  # the caller's scrub is kept, not undone
