"""Each fault the sandbox can produce leaves a correct, complete report — and the never-list holds."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser
from pydantic import SecretStr

from agent.errors import SignInFailed
from agent.ledger import Ledger
from agent.models import SweepRun
from agent.settings import Settings
from sandbox.control import SandboxControl
from tests.sweeping import assert_never_list_held, by_reference, outcomes, reset_rules, sweep
from tests.test_sweep_procedure import RULES_OUTCOME

pytestmark = pytest.mark.browser


def rules_with(sandbox: SandboxControl, **faults: Any) -> dict[str, str]:
    """The rules scenario with faults; the faults may name referrals by rule id."""
    refs: dict[str, str] = reset_rules(sandbox, time_scale=0.01)["rules"]

    def resolve(value: Any) -> Any:
        if isinstance(value, list):
            return [refs.get(v, v) for v in value]
        if isinstance(value, dict):
            return {refs.get(k, k): v for k, v in value.items()}
        return value

    sandbox.set_faults(**{name: resolve(value) for name, value in faults.items()})
    return refs


def by_rule(run: SweepRun, refs: dict[str, str]) -> dict[str, str]:
    got = outcomes(run)
    assert sorted(got) == sorted(refs.values()), "every errored referral is in the report"
    return {rule: got[ref] for rule, ref in refs.items()}


def test_an_expired_session_mid_sweep_signs_in_again_and_goes_on(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    refs = rules_with(sandbox, expire_session_after_requests=15)
    run = sweep(settings, browser)
    record = sandbox.record()
    assert len([e for e in record if e["kind"] == "sign_in"]) >= 2
    # A click the server refused (401/403: the session had just ended) did not happen: the agent signs
    # in again and decides afresh, so every referral still ends as the procedure says.
    assert by_rule(run, refs) == RULES_OUTCOME
    assert_never_list_held([e for e in record if e["outcome"] != "rejected"])
    refused = {e["reference"] for e in record if e["outcome"] == "rejected" and e["kind"] in ("resend", "clear")}
    with Ledger(settings.state) as ledger:
        abandoned = {a.reference for a in ledger.actions(settings.require_site()[0]) if a.state == "abandoned"}
    assert refused <= abandoned, "a refused click is marked abandoned in the ledger, never counted"


def test_a_session_that_keeps_expiring_ends_the_sweep_with_a_partial_report(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    refs = rules_with(sandbox, expire_session_after_requests=5)
    run = sweep(settings, browser)
    assert not run.result.complete
    assert any("stopped early" in p for p in run.result.problems)
    assert run.report_html is not None and run.report_html.is_file()
    reached = outcomes(run)
    assert reached and set(reached) <= set(refs.values())
    assert_never_list_held([e for e in sandbox.record() if e["outcome"] != "rejected"])


def test_slow_pages_are_waited_for(sandbox: SandboxControl, settings: Settings, browser: Browser) -> None:
    refs = rules_with(sandbox, latency_ms=150)
    assert by_rule(sweep(settings, browser), refs) == RULES_OUTCOME
    assert_never_list_held(sandbox.record())


def test_a_failing_inbox_page_is_tried_again(sandbox: SandboxControl, settings: Settings, browser: Browser) -> None:
    refs = rules_with(sandbox, inbox_fail_times=2)
    assert by_rule(sweep(settings, browser), refs) == RULES_OUTCOME


def test_a_window_that_will_not_open_is_reported_with_a_screenshot_and_the_sweep_goes_on(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    refs = rules_with(sandbox, window_fail_for=["R5", "R2"])
    run = sweep(settings, browser)
    assert by_rule(run, refs) == {**RULES_OUTCOME, "R5": "error", "R2": "error"}
    failed = {r.reference: r for r in run.result.referrals if r.outcome.value == "error"}
    for reference in (refs["R5"], refs["R2"]):
        assert "Integration Triggers window" in failed[reference].reason
        shot = failed[reference].screenshot
        assert shot is not None and (run.report_dir / shot).is_file()
    assert not by_reference(sandbox.record(), "resend").get(refs["R2"])


@pytest.mark.parametrize("fault", ["response_garbage_for", "response_fail_for"])
def test_an_unreadable_response_is_escalated_never_guessed(
    sandbox: SandboxControl, settings: Settings, browser: Browser, fault: str
) -> None:
    refs = rules_with(sandbox, **{fault: ["R2", "R5"]})
    run = sweep(settings, browser)
    assert by_rule(run, refs) == {**RULES_OUTCOME, "R2": "escalated", "R5": "escalated"}
    rules = {r.reference: r.rule for r in run.result.referrals}
    assert rules[refs["R2"]] == rules[refs["R5"]] == "R8"
    assert not by_reference(sandbox.record(), "resend").get(refs["R2"])  # a 502 behind garbage: not resent


def test_a_resend_that_errors_is_not_clicked_again(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    refs = rules_with(sandbox, resend_error_for={"R2": "fail"})
    run = sweep(settings, browser)
    assert by_rule(run, refs)["R2"] == "pending"  # the click may or may not have landed: wait, report
    assert len(by_reference(sandbox.record(), "resend")[refs["R2"]]) == 1
    [action] = next(r for r in run.result.referrals if r.reference == refs["R2"]).actions
    assert not action.confirmed


def test_a_resend_applied_then_answered_with_an_error_still_clears_once_green(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    refs = rules_with(sandbox, resend_error_for={"R2": "commit_then_fail"})
    run = sweep(settings, browser)
    assert by_rule(run, refs)["R2"] == "cleared"
    assert len(by_reference(sandbox.record(), "resend")[refs["R2"]]) == 1
    assert_never_list_held(sandbox.record())


def test_a_clear_that_errors_is_reported(sandbox: SandboxControl, settings: Settings, browser: Browser) -> None:
    refs = rules_with(sandbox, clear_error_for=["R1"])
    run = sweep(settings, browser)
    assert by_rule(run, refs)["R1"] == "error"
    assert "did not take effect" in next(r for r in run.result.referrals if r.reference == refs["R1"]).reason


def test_a_refused_sign_in_stops_the_sweep_with_a_clear_error(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    reset_rules(sandbox, time_scale=0.01)
    with pytest.raises(SignInFailed, match="refused the sign-in") as caught:
        sweep(settings, browser, password=SecretStr("not-the-password"))
    assert "not-the-password" not in str(caught.value)
    assert [e["kind"] for e in sandbox.record()] == ["sign_in_failed"]


@pytest.mark.slow
def test_a_large_inbox_with_200_errors_is_swept_and_accounted_for(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    answer = sandbox.reset(scenario="large", size=1000, errors=200, error_mix="read_only", time_scale=0.01)
    run = sweep(settings, browser, dry_run=True)
    assert run.result.banner_count == 200
    assert len(run.result.referrals) == 200
    assert sorted(outcomes(run)) == sorted(answer["errored"])
    assert run.result.problems == []
