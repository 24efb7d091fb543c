"""The inbox changes under the agent: someone else works it during a sweep. A referral that is no
longer flagged when the agent comes back is reported as such — never a crash, a loss or a second click."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser

from agent.ledger import Ledger
from agent.models import SweepResult
from agent.pages import InboxPage, SignInPage
from agent.progress import Silent
from agent.run import new_context, new_sweep_dir
from agent.settings import Settings
from agent.sweep import Sweep
from sandbox.control import SandboxControl
from tests.sweeping import assert_never_list_held, by_reference, reset_rules
from tests.test_sweep_procedure import RULES_OUTCOME

pytestmark = pytest.mark.browser


class BeforeActing(Silent):
    """A progress reporter that lets a test play the other person right when phase 2 starts."""

    def __init__(self, act: Callable[[], None]) -> None:
        self.act = act

    def phase(self, name: str, total: int | None = None) -> None:
        if name == "Acting":
            self.act()


def clear_as_someone_else(browser: Browser, settings: Settings, reference: str) -> None:
    """A colleague signs in in their own browser and clears the referral's error."""
    base_url, username, password = settings.require_site()
    context = new_context(browser, settings.model_copy(update={"dry_run": False}))
    try:
        page = context.new_page()
        SignInPage(page, settings).sign_in(base_url, username, password)
        inbox = InboxPage(page, settings)
        inbox.open()
        inbox.show_errors()
        window = inbox.open_window(reference)
        window.clear(lambda: None)
    finally:
        context.close()


def sweep_with(settings: Settings, browser: Browser, reporter: Silent) -> SweepResult:
    sweep_id, sweep_dir = new_sweep_dir(settings.report_dir, datetime.now(UTC), dry_run=False)
    with Ledger(settings.state) as ledger:
        context = new_context(browser, settings)
        try:
            return Sweep(settings, ledger, context.new_page(), sweep_dir, sweep_id=sweep_id, reporter=reporter).run()
        finally:
            context.close()


def test_a_referral_cleared_by_someone_else_meanwhile_is_reported_no_longer_flagged(
    sandbox: SandboxControl, settings: Settings, browser: Browser
) -> None:
    refs = reset_rules(sandbox, time_scale=0.01)["rules"]
    result = sweep_with(settings, browser, BeforeActing(lambda: clear_as_someone_else(browser, settings, refs["R1"])))
    got = {r.reference: r for r in result.referrals}
    assert sorted(got) == sorted(refs.values()), "never lose one"
    gone = got[refs["R1"]]
    assert (gone.outcome.value, gone.rule) == ("error", "no-longer-flagged")
    assert "No longer flagged" in gone.reason
    assert {rule: got[ref].outcome.value for rule, ref in refs.items() if rule != "R1"} == {
        rule: outcome for rule, outcome in RULES_OUTCOME.items() if rule != "R1"
    }
    record = sandbox.record()
    assert len(by_reference(record, "clear")[refs["R1"]]) == 1  # the colleague's; the agent did not click
    assert_never_list_held(record)
    assert result.complete and result.unseen is None
