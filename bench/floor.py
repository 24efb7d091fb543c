"""Overhead against the floor: the least a script can do per errored referral, against a full dry run.

The floor is bare Playwright (no agent code but the browser's launch options): sign in, the filtered
inbox, and per errored row: open its Integration Triggers window, read the attempts, open the latest
failed attempt's response in a kept second tab and read it, close the window; then the next page.
No decisions, no ledger, no report. Both run in the same browser with a fresh context each, on the
same inbox, alternately, best of ``repeats``.
"""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Browser

from agent.run import sweep_and_report
from bench.harness import SANDBOX_PASSWORD, SANDBOX_USER, Bench, Stopwatch
from bench.profile import CallProfile, counting

ERRORED_ROWS = """
() => [...document.querySelectorAll('tr')]
    .filter(tr => tr.querySelector('button[aria-label="API error"], button[title*="API message has FAILED"]'))
    .map(tr => (tr.innerText.match(/\\b\\d{10}\\b/) || [''])[0])
"""
LATEST_FAILED_HREF = """
(dialog) => {
    const rows = [...dialog.querySelectorAll('tbody tr')].map(tr => ({
        at: tr.querySelector('time') ? tr.querySelector('time').getAttribute('datetime') : '',
        failed: !!tr.querySelector('[aria-label=Failed]'),
        href: tr.querySelector('a[href]') ? tr.querySelector('a[href]').href : null,
    }));
    rows.sort((a, b) => (a.at < b.at ? 1 : -1));
    return rows.length && rows[0].failed ? rows[0].href : null;
}
"""


@dataclass(frozen=True)
class FloorResult:
    referrals: int
    floor_seconds: float
    sweep_seconds: float
    repeats: int = 1

    @property
    def floor_per_referral(self) -> float:
        return self.floor_seconds / self.referrals

    @property
    def sweep_per_referral(self) -> float:
        return self.sweep_seconds / self.referrals

    @property
    def ratio(self) -> float:
        return self.sweep_seconds / self.floor_seconds


def floor_script(browser: Browser, base_url: str) -> int:
    """The minimal page sequence; returns the number of referrals whose response was read."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-CA")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(base_url)
        page.get_by_label("Email").fill(SANDBOX_USER)
        page.get_by_label("Password").fill(SANDBOX_PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        page.get_by_role("button", name="Referrals").wait_for()
        page.goto(f"{base_url}/referrals/inbox?errors=1")
        tab = context.new_page()
        read = 0
        while True:
            for reference in page.evaluate(ERRORED_ROWS):
                row = page.get_by_role("row").filter(has_text=reference)
                row.get_by_role("button", name="API error").click()
                dialog = page.get_by_role("dialog", name="Integration Triggers")
                href = dialog.evaluate(LATEST_FAILED_HREF)
                if href:
                    tab.goto(href, wait_until="domcontentloaded")
                    read += bool(tab.evaluate("() => document.querySelector('pre').textContent"))
                    page.bring_to_front()
                dialog.get_by_role("button", name="Close", exact=True).click()
                dialog.wait_for(state="hidden")
            following = page.get_by_role("link", name="Next")
            if following.count() == 0:
                return read
            with page.expect_navigation(wait_until="domcontentloaded"):
                following.click()
    finally:
        context.close()


def reset(b: Bench, errors: int) -> None:
    b.control.reset(scenario="large", size=max(200, 2 * errors), errors=errors, error_mix="read_only", page_size=25)


def profiled(b: Bench, *, errors: int = 50) -> tuple[CallProfile, CallProfile]:
    """One floor run and one sweep with every Playwright call counted (slower: the counting costs too)."""
    reset(b, errors)
    with counting() as floor_calls:
        floor_script(b.browser, b.server.base_url)
    with counting() as sweep_calls:
        sweep_and_report(b.settings(dry_run=True), browser=b.browser)
    return floor_calls(), sweep_calls()


def run(b: Bench, *, errors: int = 50, repeats: int = 2) -> FloorResult:
    reset(b, errors)
    floors: list[float] = []
    sweeps: list[float] = []
    for _ in range(repeats):
        clock = Stopwatch()
        read = floor_script(b.browser, b.server.base_url)
        floors.append(clock.seconds)
        if read != errors:
            raise RuntimeError(f"the floor script read {read} responses, expected {errors}")
        clock = Stopwatch()
        swept = sweep_and_report(b.settings(dry_run=True), browser=b.browser)
        sweeps.append(clock.seconds)
        if len(swept.result.referrals) != errors:
            raise RuntimeError(f"the sweep found {len(swept.result.referrals)} referrals, expected {errors}")
    return FloorResult(referrals=errors, floor_seconds=min(floors), sweep_seconds=min(sweeps), repeats=repeats)
