"""Every referral ends with the outcome procedure.md gives — proven from the sandbox's record."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, Page, expect

from agent.settings import Settings
from sandbox.control import SandboxControl
from tests.sweeping import assert_never_list_held, by_reference, outcomes, reset_rules, sweep
from tests.test_reports_browser import serious

pytestmark = pytest.mark.browser

RULES_OUTCOME = {
    "R1": "cleared",
    "R2": "cleared",
    "R3": "pending",
    "R4": "escalated",
    "R5": "fix",
    "R6": "escalated",
    "R7": "escalated",
    "R8": "escalated",
}


@pytest.mark.parametrize("ui", ["older", "newer"])
def test_rules_scenario_ends_as_the_procedure_says(
    sandbox: SandboxControl, settings: Settings, browser: Browser, ui: str
) -> None:
    answer = reset_rules(sandbox, ui=ui, time_scale=0.01)
    run = sweep(settings, browser)
    assert run.result.ui == ui
    got = outcomes(run)
    assert {rule: got[ref] for rule, ref in answer["rules"].items()} == RULES_OUTCOME
    record = sandbox.record()
    assert_never_list_held(record)
    resends = by_reference(record, "resend")
    assert len(resends[answer["rules"]["R2"]]) == 1
    assert len(resends[answer["rules"]["R4"]]) == 2  # "try one more time", then escalate
    assert set(by_reference(record, "clear")) == {answer["rules"]["R1"], answer["rules"]["R2"]}
    report = json.loads(run.report_json.read_text())
    assert report["summary"] == {"cleared": 2, "fix": 1, "escalated": 4, "pending": 1, "error": 0}
    assert run.report_html is not None and run.report_html.is_file()


@pytest.mark.parametrize(("ui", "order"), [("older", "newest_first"), ("newer", "oldest_first")])
def test_demo_scenario_ends_as_the_procedure_says(
    sandbox: SandboxControl, settings: Settings, browser: Browser, ui: str, order: str
) -> None:
    answer = sandbox.reset(scenario="demo", ui=ui, window_order=order, date_style="long", time_scale=0.01)
    run = sweep(settings, browser)
    assert run.result.summary == {"cleared": 3, "fix": 6, "escalated": 6, "pending": 0, "error": 0}
    assert sorted(outcomes(run)) == sorted(answer["errored"])
    assert run.result.banner_count == len(answer["errored"])
    assert run.result.problems == []
    fixes = [r for r in run.result.referrals if r.outcome.value == "fix"]
    assert all(r.field and r.fix and r.http_code and 400 <= r.http_code <= 499 for r in fixes)
    assert_never_list_held(sandbox.record())


def test_resend_once_when_max_resends_is_one(sandbox: SandboxControl, settings: Settings, browser: Browser) -> None:
    answer = reset_rules(sandbox, time_scale=0.01)
    run = sweep(settings, browser, policy={"max_resends": 1})
    assert outcomes(run)[answer["rules"]["R4"]] == "escalated"
    assert len(by_reference(sandbox.record(), "resend")[answer["rules"]["R4"]]) == 1


def test_a_2xx_failure_is_cleared_when_the_newer_article_is_followed(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    answer = reset_rules(sandbox, ui="newer", time_scale=0.01)
    run = sweep(settings, browser, policy={"treat_2xx_as_success": True})
    assert outcomes(run)[answer["rules"]["R7"]] == "cleared"
    assert_never_list_held(sandbox.record(), allow_2xx_clear=True)


def test_the_next_sweep_carries_on_where_the_last_left_off(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    """R3's resend is still pending at the end of the first sweep: the second does not click again."""
    answer = reset_rules(sandbox, time_scale=0.01)
    sweep(settings, browser)
    second = sweep(settings, browser)
    assert outcomes(second)[answer["rules"]["R3"]] == "pending"
    assert len(by_reference(sandbox.record(), "resend")[answer["rules"]["R3"]]) == 1
    nights = {r.reference: r.nights_open for r in second.result.referrals}
    assert nights[answer["rules"]["R3"]] == 1  # the same night


def test_only_sweeps_the_named_referrals(sandbox: SandboxControl, settings: Settings, browser: Browser) -> None:
    answer = reset_rules(sandbox, time_scale=0.01)
    wanted = [answer["rules"]["R1"], answer["rules"]["R5"]]
    run = sweep(settings, browser, only=wanted)
    assert sorted(outcomes(run)) == sorted(wanted)
    assert {e["reference"] for e in sandbox.record() if e["kind"] == "clear"} == {answer["rules"]["R1"]}
    assert run.result.problems == []  # the banner counts everything; --only does not call that a loss


def test_max_actions_stops_clicking_and_reports_the_rest_pending(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    reset_rules(sandbox, time_scale=0.01)
    run = sweep(settings, browser, max_actions=1)
    clicks = [e for e in sandbox.record() if e["kind"] in ("resend", "clear")]
    assert len(clicks) == 1
    pending = [r for r in run.result.referrals if r.outcome.value == "pending"]
    assert any("limit of 1 click" in r.reason for r in pending)


def test_the_demo_report_reads_right_in_a_browser(
    sandbox: SandboxControl, settings: Settings, browser: Browser, page: Page, request: pytest.FixtureRequest
) -> None:
    """The real demo sweep's report.html: counts as in report.json, a screenshot, no serious axe findings."""
    sandbox.reset(scenario="demo", time_scale=0.01)
    run = sweep(settings, browser)
    assert run.report_html is not None
    stored = json.loads(run.report_json.read_text())
    page.goto(run.report_html.resolve().as_uri())
    for outcome, n in stored["summary"].items():
        expect(page.locator(f'[data-count="{outcome}"]')).to_have_text(str(n))
    for section in ("Fixes for staff (6)", "Escalations for Caredove support (6)", "What the agent did"):
        expect(page.get_by_role("heading", name=section)).to_be_visible()
    shots = request.config.rootpath / "test-results" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=shots / "demo-sweep-report.png", full_page=True)
    assert serious(page) == []


def test_an_inbox_without_errors_is_a_clean_complete_sweep(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    sandbox.reset(scenario="large", size=30, errors=0, time_scale=0.01)
    run = sweep(settings, browser)
    assert run.result.referrals == []
    assert run.result.banner_count == 0
    assert run.result.complete and run.result.problems == []
    assert [e["kind"] for e in sandbox.record()] == ["sign_in"]
