"""Overhead against the floor: the least a script can do per errored referral, against a full dry run.

The floor is bare Playwright (no agent code but the browser's launch options): sign in, the filtered
inbox, and per errored row: open its Integration Triggers window, read the attempts, open the latest
failed attempt's response in a kept second tab and read it, close the window; then the next page.
No decisions, no ledger, no report. Both run in the same browser with a fresh context each, on the
same inbox, alternately, best of ``repeats``.

``late=True`` runs both on the sandbox's asynchronous look (``LATE_SITE``): rows fetched by the page
after it loads behind a "Loading…" row, the window's contents fetched after it opens, and "Load
more" instead of pages. The floor then waits for the same content the sweep waits for — the rows
in, the loading row gone, the window's table there, the list grown after Load more — each with one
``wait_for_function`` or locator wait, never a sleep.

    python -m bench.floor --late --errors 5     # one small measurement, printed
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Browser, Page

from agent.run import sweep_and_report
from bench.harness import SANDBOX_PASSWORD, SANDBOX_USER, Bench, Stopwatch, bench
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


LATE_SITE: dict[str, Any] = {
    "rows": "fetch",
    "loading": "loading_row",
    "load_delay_ms": 120,
    "paging": "load_more",
    "window_load": "after_open",
}
"""The asynchronous look: what arrives late, and how much later (real milliseconds, not scaled)."""

ROWS_IN = """
(before) => !document.querySelector('tr[data-loading]')
    && document.querySelectorAll('tr[data-reference]').length > before
"""


@dataclass(frozen=True)
class FloorResult:
    referrals: int
    floor_seconds: float
    sweep_seconds: float
    repeats: int = 1
    late: bool = False

    @property
    def floor_per_referral(self) -> float:
        return self.floor_seconds / self.referrals

    @property
    def sweep_per_referral(self) -> float:
        return self.sweep_seconds / self.referrals

    @property
    def ratio(self) -> float:
        return self.sweep_seconds / self.floor_seconds


def floor_script(browser: Browser, base_url: str, *, late: bool = False) -> int:
    """The minimal page sequence; returns the number of referrals whose response was read."""
    if late:
        return late_floor_script(browser, base_url)
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


def late_floor_script(browser: Browser, base_url: str) -> int:
    """The floor on the asynchronous look: the same steps, each waiting for the content it reads."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-CA")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, base_url)
        page.goto(f"{base_url}/referrals/inbox?errors=1")
        page.wait_for_function(ROWS_IN, arg=0)
        tab = context.new_page()
        read = 0
        done: set[str] = set()
        while True:
            for reference in page.evaluate(ERRORED_ROWS):
                if reference in done:
                    continue
                done.add(reference)
                read += read_one(page, tab, reference)
            more = page.get_by_role("button", name="Load more")
            if more.count() == 0:
                return read
            listed = page.locator("tr[data-reference]").count()
            more.click()
            page.wait_for_function(ROWS_IN, arg=listed)
    finally:
        context.close()


def sign_in(page: Page, base_url: str) -> None:
    page.goto(base_url)
    page.get_by_label("Email").fill(SANDBOX_USER)
    page.get_by_label("Password").fill(SANDBOX_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("button", name="Referrals").wait_for()


def read_one(page: Page, tab: Page, reference: str) -> int:
    """Open one referral's window, wait for its table (it arrives after the window), read the latest
    failed attempt's response in the kept tab, close the window; 1 when a response was read."""
    row = page.get_by_role("row").filter(has_text=reference)
    row.get_by_role("button", name="API error").click()
    dialog = page.get_by_role("dialog", name="Integration Triggers")
    dialog.locator("[data-window] tbody tr").first.wait_for()
    href = dialog.evaluate(LATEST_FAILED_HREF)
    read = 0
    if href:
        tab.goto(href, wait_until="domcontentloaded")
        read = int(bool(tab.evaluate("() => document.querySelector('pre').textContent")))
        page.bring_to_front()
    dialog.get_by_role("button", name="Close", exact=True).click()
    dialog.wait_for(state="hidden")
    return read


def reset(b: Bench, errors: int, *, late: bool = False) -> None:
    b.control.reset(
        scenario="large",
        size=max(200, 2 * errors),
        errors=errors,
        error_mix="read_only",
        page_size=25,
        **(LATE_SITE if late else {}),
    )


def profiled(b: Bench, *, errors: int = 50) -> tuple[CallProfile, CallProfile]:
    """One floor run and one sweep with every Playwright call counted (slower: the counting costs too)."""
    reset(b, errors)
    with counting() as floor_calls:
        floor_script(b.browser, b.server.base_url)
    with counting() as sweep_calls:
        sweep_and_report(b.settings(dry_run=True), browser=b.browser)
    return floor_calls(), sweep_calls()


def run(b: Bench, *, errors: int = 50, repeats: int = 2, late: bool = False) -> FloorResult:
    reset(b, errors, late=late)
    floors: list[float] = []
    sweeps: list[float] = []
    for _ in range(repeats):
        clock = Stopwatch()
        read = floor_script(b.browser, b.server.base_url, late=late)
        floors.append(clock.seconds)
        if read != errors:
            raise RuntimeError(f"the floor script read {read} responses, expected {errors}")
        clock = Stopwatch()
        swept = sweep_and_report(b.settings(dry_run=True), browser=b.browser)
        sweeps.append(clock.seconds)
        if len(swept.result.referrals) != errors:
            raise RuntimeError(f"the sweep found {len(swept.result.referrals)} referrals, expected {errors}")
    return FloorResult(
        referrals=errors, floor_seconds=min(floors), sweep_seconds=min(sweeps), repeats=repeats, late=late
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="One floor-vs-sweep measurement, printed.")
    parser.add_argument("--errors", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--late", action="store_true", help="the asynchronous look (LATE_SITE)")
    args = parser.parse_args()
    with bench() as b:
        result = run(b, errors=args.errors, repeats=args.repeats, late=args.late)
    look = "asynchronous look" if result.late else "today's look"
    print(
        f"{look}, {result.referrals} errors, best of {result.repeats}: floor {result.floor_seconds:.2f} s, "
        f"sweep {result.sweep_seconds:.2f} s, sweep / floor {result.ratio:.2f}x"
    )


if __name__ == "__main__":
    main()
