"""No silent blindness: an inbox whose rows the agent cannot see is never a clean night.

Proven on the real sandbox: the sweep's result says what was not seen (first, with a masked
screenshot), report.json carries it, the notification path reads it as trouble, and nothing unseen
is clicked."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser

from agent.models import SweepRun
from agent.notify.changes import blind
from agent.settings import Settings
from sandbox.control import SandboxControl
from tests.sweeping import STATE_CHANGING, reset_rules, sweep

pytestmark = pytest.mark.browser


def assert_blind(run: SweepRun, sandbox: SandboxControl) -> None:
    result = run.result
    assert result.unseen is not None and not result.complete
    assert result.problems[0] == result.unseen.why  # the report opens with what was not seen
    assert result.unseen.screenshot and (run.report_dir / result.unseen.screenshot).is_file()
    stored = json.loads(run.report_json.read_text())
    assert stored["unseen"]["why"] == result.unseen.why and stored["complete"] is False
    assert blind(result)  # the notification path's "trouble"
    assert not [e for e in sandbox.record() if e["kind"] in STATE_CHANGING]


def test_an_unknown_table_header_that_hides_every_row_is_a_blind_sweep(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    """The site names its columns its own way ("Ref. no."): the agent sees no rows and says so."""
    answer = reset_rules(sandbox, relabel=True, time_scale=0.01)
    run = sweep(settings, browser)
    assert_blind(run, sandbox)
    assert run.result.referrals == []
    assert run.result.unseen is not None
    assert "could not read the inbox's rows" in run.result.unseen.why
    assert run.result.banner_count in (None, len(answer["errored"]))


def test_zero_found_against_the_banner_is_never_a_clean_night(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    """The red control was relabelled: the table reads, no row looks flagged, the banner counts 8."""
    answer = reset_rules(sandbox, time_scale=0.01)
    labels = settings.labels.model_copy(update={"error_control": r"^no control is called this$"})
    run = sweep(settings, browser, labels=labels)
    assert_blind(run, sandbox)
    assert run.result.unseen is not None
    assert (run.result.unseen.expected, run.result.unseen.found) == (len(answer["errored"]), 0)
    assert run.result.unseen.why.startswith("Saw fewer referrals than the site says")
