"""The demo-like sweep's report.html in real Chromium: sections and counts against report.json,
a full-page screenshot, no sideways scrolling on a phone, and no serious axe violations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from test_reports_samples import SCRIPT, demo_sweep, store

from agent.reports import write_reports

pytestmark = pytest.mark.browser


@pytest.fixture
def report(tmp_path: Path, page: Page) -> Path:
    result = demo_sweep(dry_run=True)
    sweep_dir = store(tmp_path, result)
    shots = sweep_dir / "screenshots"
    shots.mkdir()
    page.set_content("<h1>Integration Triggers</h1><p>The window did not open.</p>")
    page.screenshot(path=shots / "3502768711.png")
    return write_reports(result, sweep_dir, tmp_path).html


@pytest.fixture
def shots_dir(request: pytest.FixtureRequest) -> Path:
    path = request.config.rootpath / "test-results" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def serious(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_report_sections_and_counts_match_report_json(page: Page, report: Path, shots_dir: Path) -> None:
    stored = json.loads((report.parent / "report.json").read_text(encoding="utf-8"))
    page.goto(report.as_uri())
    expect(page.get_by_role("heading", level=1)).to_contain_text("Caredove sweep of")
    for outcome in ("fix", "escalated", "error", "pending", "cleared"):
        n = sum(r["outcome"] == outcome for r in stored["referrals"])
        expect(page.locator(f'[data-count="{outcome}"]')).to_have_text(str(n))
    main = page.get_by_role("main")
    for name in (
        "Summary",
        "Fixes for staff (3)",
        "Escalations for Caredove support (6)",
        "Could not process (1)",
        "Pending (1)",
        "What the agent did (10)",
        "Dry run: nothing was clicked",
    ):
        expect(main.get_by_role("heading", name=name, exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", name="Service Failure: Ocean eReferral (3 referrals)")).to_have_count(1)
    expect(page.locator("article.o-escalated")).to_have_count(3)
    # Partner markup is shown as text and never runs.
    expect(page.get_by_text(SCRIPT).first).to_be_visible()
    assert page.evaluate("document.scripts.length") == 0
    img = page.get_by_role("img", name="The screen when referral 3502768711 could not be processed")
    img.scroll_into_view_if_needed()
    expect(img).to_be_visible()
    assert page.evaluate("(i) => i.complete && i.naturalWidth > 0", img.element_handle())
    page.screenshot(path=shots_dir / "report-desktop.png", full_page=True)


def test_report_fits_a_phone(page: Page, report: Path, shots_dir: Path) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(report.as_uri())
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    assert page.evaluate("document.body.scrollWidth") <= 360
    page.screenshot(path=shots_dir / "report-phone.png", full_page=True)


def test_report_prints(page: Page, report: Path) -> None:
    page.goto(report.as_uri())
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation")).to_be_hidden()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_report_has_no_serious_accessibility_violations(page: Page, report: Path) -> None:
    page.goto(report.as_uri())
    assert serious(page) == []


def test_index_has_no_serious_accessibility_violations(page: Page, report: Path, shots_dir: Path) -> None:
    page.goto((report.parent.parent / "index.html").as_uri())
    expect(page.get_by_role("img", name="Referrals with integration errors per sweep, by outcome")).to_be_visible()
    assert serious(page) == []
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    page.screenshot(path=shots_dir / "index-phone.png", full_page=True)
