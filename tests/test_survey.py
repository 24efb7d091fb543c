"""`caredove-agent survey` against sandbox variants: every control found on the default screens, a
relabelled site whose suggested [labels] block makes a real sweep pass, no planted personal detail
anywhere in what it writes, and not a single write on the sandbox's record."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from agent.doctor import check_sign_in
from agent.settings import Settings, load_settings
from agent.survey import run_survey
from sandbox.control import SandboxControl
from sandbox.variants import describe
from tests.sweeping import assert_never_list_held, outcomes, reset_rules, sweep

pytestmark = pytest.mark.browser

PLANTED = {
    "name": "Zebediah Quillfeather",
    "dob": "1931-04-17",
    "hcn": "4532-118-274-XK",
    "postal_code": "K7L 3N6",
    "phone": "613-555-0147",
    "address": "77 Quarrystone Lane",
}


def kinds(sandbox: SandboxControl) -> list[str]:
    return [event["kind"] for event in sandbox.record()]


@pytest.mark.parametrize("ui", ["older", "newer"])
def test_survey_of_the_default_screens_finds_every_control(
    browser: Browser, sandbox: SandboxControl, settings: Settings, ui: str
) -> None:
    sandbox.reset(scenario="rules", ui=ui, page_size=3, time_scale=0.01)
    run = run_survey(settings, browser=browser)
    result = run.result
    assert result.stopped is None
    assert [f"{f.screen}: {f.label}" for f in result.misses] == []
    assert result.suggested_labels == ""
    assert result.conclusions["screens"] == ui
    assert result.conclusions["pages_walked"] > 1
    assert result.conclusions["errored_rows_seen"] == result.conclusions["banner_count"]
    assert result.conclusions["response_format"] == "json"
    assert {s.name for s in result.screens} >= {"sign-in", "inbox", "filtered inbox", "window"}
    assert run.json_path.is_file() and run.html_path.is_file()
    assert result.refused_requests == []
    assert kinds(sandbox) == ["sign_in"]


@pytest.mark.parametrize("seed", [3, 6])
def test_survey_of_other_sites_of_the_family_finds_every_control(
    browser: Browser, sandbox: SandboxControl, settings: Settings, seed: int
) -> None:
    sandbox.reset(scenario="rules", variant=seed, time_scale=0.01)
    result = run_survey(settings, browser=browser).result
    assert result.stopped is None, describe(seed)
    assert [f"{f.screen}: {f.label}" for f in result.misses] == [], describe(seed)
    assert kinds(sandbox) == ["sign_in"], describe(seed)


def test_survey_writes_none_of_the_planted_personal_details(
    browser: Browser, sandbox: SandboxControl, settings: Settings
) -> None:
    sandbox.reset(scenario="rules", plant=PLANTED, page_size=4, response_style="key_value", time_scale=0.01)
    run = run_survey(settings, browser=browser)
    assert run.result.stopped is None
    files = [p for p in run.folder.rglob("*") if p.is_file()]
    assert any(p.suffix == ".png" for p in files), "masked screenshots are part of the output"
    needles = [*PLANTED.values(), *PLANTED["name"].split(), "Quarrystone", "1931", "613-555", "K7L"]
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="ignore").lower()
        # compressed pixels can hold any three letters by chance: images are searched for whole values
        for needle in needles if path.suffix != ".png" else PLANTED.values():
            assert needle.lower() not in text, f"{needle!r} found in {path.name}"
    assert kinds(sandbox) == ["sign_in"]


def test_a_relabelled_site_gets_a_labels_block_that_makes_the_sweep_pass(
    browser: Browser, sandbox: SandboxControl, settings: Settings, tmp_path: Path
) -> None:
    reset_rules(sandbox, relabel=True, page_size=3, time_scale=0.01)
    survey = run_survey(settings, browser=browser).result
    missed = {f.label for f in survey.misses}
    assert {"reference_column", "date_column", "resend", "clear", "view"} <= missed
    assert all(f.suggestion for f in survey.misses), [f.label for f in survey.misses if not f.suggestion]
    assert kinds(sandbox) == ["sign_in"]

    config = tmp_path / "caredove-agent.toml"
    config.write_text(survey.suggested_labels, encoding="utf-8")
    fitted = load_settings(
        config,
        base_url=settings.base_url,
        state=settings.state,
        report_dir=settings.report_dir,
        timeout_seconds=settings.timeout_seconds,
        navigation_timeout_seconds=settings.navigation_timeout_seconds,
        **{"policy.settle_seconds": 1.5, "policy.poll_seconds": 0.2},
    )
    refs = sandbox.last_reset["rules"]
    run = sweep(fitted, browser)
    got = outcomes(run)
    assert sorted(got) == sorted(sandbox.last_reset["errored"])
    assert "error" not in got.values(), [r.reason for r in run.result.referrals if r.outcome.value == "error"]
    assert got[refs["R1"]] == "cleared" and got[refs["R2"]] == "cleared"
    assert_never_list_held(sandbox.record())
    assert {"resend", "clear"} <= set(kinds(sandbox))


def test_doctor_runs_the_surveys_sign_in_and_inbox_checks(
    browser: Browser, sandbox: SandboxControl, settings: Settings
) -> None:
    sandbox.reset(scenario="rules", relabel=True, time_scale=0.01)
    signed_in, inbox = check_sign_in(settings, browser)
    assert signed_in.ok is True
    assert inbox.ok is False and "labels.reference_column" in inbox.detail
    assert inbox.fix is not None and "caredove-agent survey" in inbox.fix
    assert kinds(sandbox) == ["sign_in"]
