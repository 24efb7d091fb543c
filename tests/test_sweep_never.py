"""procedure.md's never-list, one test per item, each proven from the sandbox's record of requests."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from pydantic import SecretStr

from agent.settings import Settings
from sandbox.control import SandboxControl
from tests.sweeping import STATE_CHANGING, assert_never_list_held, by_reference, outcomes, reset_rules, sweep

pytestmark = pytest.mark.browser


def test_never_resends_anything_but_a_500_series_failure(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    sandbox.reset(scenario="demo", time_scale=0.01)
    sweep(settings, browser)
    resends = [e for e in sandbox.record() if e["kind"] == "resend"]
    assert resends, "the demo has 500-series errors to resend"
    assert all(500 <= e["before"]["latest_http_code"] <= 599 for e in resends)


def test_never_clicks_resend_twice_without_a_finished_attempt_between(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    answer = reset_rules(sandbox, time_scale=0.01)
    sweep(settings, browser)
    sweep(settings, browser)  # and not across sweeps either
    record = sandbox.record()
    assert_never_list_held(record)
    assert len(by_reference(record, "resend")[answer["rules"]["R3"]]) == 1  # still pending: no second click


def test_kill_right_after_the_click_does_not_resend_again(
    sandbox: SandboxControl, settings: Settings, browser: Browser, tmp_path: Path
) -> None:
    """The agent is SIGKILLed while its Resend is in flight; the next sweep must not click again."""
    reference = reset_rules(sandbox, time_scale=0.01)["rules"]["R2"]
    sandbox.set_faults(resend_error_for={reference: "commit_then_hang"})
    env = {
        **os.environ,
        "CAREDOVE_BASE_URL": sandbox.base_url,
        "CAREDOVE_STATE": str(settings.state),
        "CAREDOVE_REPORT_DIR": str(tmp_path / "killed-reports"),
        "CAREDOVE_TIMEOUT_SECONDS": "30",
    }
    agent = subprocess.Popen(
        [sys.executable, "-m", "agent", "sweep", "--only", reference, "--quiet"],
        env=env,
        cwd=tmp_path,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not by_reference(sandbox.record(), "resend").get(reference):
            assert agent.poll() is None, "the agent exited before clicking Resend"
            assert time.monotonic() < deadline, "the agent never clicked Resend"
            time.sleep(0.05)
    finally:
        os.killpg(agent.pid, signal.SIGKILL)
        agent.wait()
    sandbox.set_faults(resend_error_for={})
    run = sweep(settings, browser, only=[reference])
    resends = by_reference(sandbox.record(), "resend")[reference]
    assert len(resends) == 1
    assert outcomes(run)[reference] == "cleared"  # the in-flight resend succeeded; the next sweep cleared it
    assert_never_list_held(sandbox.record())


def test_never_clears_a_failed_or_pending_attempt(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    answer = reset_rules(sandbox, ui="newer", window_order="oldest_first", time_scale=0.01)
    sweep(settings, browser)
    clears = [e for e in sandbox.record() if e["kind"] == "clear"]
    assert {e["reference"] for e in clears} == {answer["rules"]["R1"], answer["rules"]["R2"]}
    assert all(e["before"]["latest_status"] == "success" and not e["before"]["pending"] for e in clears)


def test_never_edits_or_saves_a_referral(sandbox: SandboxControl, settings: Settings, browser: Browser) -> None:
    sandbox.reset(scenario="demo", time_scale=0.01)
    sweep(settings, browser)
    assert not [e for e in sandbox.record() if e["kind"] == "save"]


def test_never_loses_a_referral(sandbox: SandboxControl, settings: Settings, browser: Browser) -> None:
    answer = sandbox.reset(scenario="demo", page_size=4, time_scale=0.01)  # errors over several pages
    run = sweep(settings, browser)
    assert sorted(outcomes(run)) == sorted(answer["errored"])
    assert all(r.reason for r in run.result.referrals)
    assert run.result.problems == []


def test_a_dry_run_clicks_nothing_that_changes_anything(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    answer = reset_rules(sandbox, time_scale=0.01)
    run = sweep(settings, browser, dry_run=True)
    assert not [e for e in sandbox.record() if e["kind"] in STATE_CHANGING]
    assert sorted(outcomes(run)) == sorted(answer["errored"])
    planned = {r.reference: [a.type.value for a in r.actions] for r in run.result.referrals}
    assert planned[answer["rules"]["R1"]] == ["clear"]
    assert planned[answer["rules"]["R2"]] == ["resend"]
    assert all(a.planned and not a.confirmed for r in run.result.referrals for a in r.actions)


PLANTED_PASSWORD = "Pl4nted-Passw0rd-7731"
PLANTED_CARD = ("9876", "543", "210")


def test_no_password_cookie_or_health_card_number_in_anything_written(
    sandbox: SandboxControl,
    settings: Settings,
    browser: Browser,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    refs = reset_rules(sandbox, time_scale=0.01)["rules"]
    card = "-".join(PLANTED_CARD) + "-XY"
    leaky = [{"status": "failed", "http_code": 502, "text": f"Upstream rejected health card {card}", "delay": 10}]
    sandbox.reset(
        scenario="rules",
        time_scale=0.01,
        password=PLANTED_PASSWORD,
        scripts={refs["R4"]: leaky * 3},
        faults={"window_fail_for": [refs["R5"]]},  # so a screenshot is taken too
    )
    run = sweep(settings, browser, password=SecretStr(PLANTED_PASSWORD))
    assert outcomes(run)[refs["R4"]] == "escalated"
    assert outcomes(run)[refs["R5"]] == "error"
    needles = [PLANTED_PASSWORD, "".join(PLANTED_CARD), card]
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".png" for p in written)
    # no saved browser session and no Playwright trace, so no cookie can be on disk
    assert not [p for p in written if p.suffix == ".zip" or "storage_state" in p.name]
    for path in written:
        data = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in data, f"{needle!r} leaked into {path.relative_to(tmp_path)}"
    for needle in needles:
        assert needle not in caplog.text
