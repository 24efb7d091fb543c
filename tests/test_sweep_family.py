"""The procedure on a family of Caredove-like inboxes: every rule R1–R8 and the two-destination cases,
on random sandbox variants (``--variants N``, ``--variant-seeds``), under both article versions —
each proven from the sandbox's record, and a dry run that writes nothing on every other one.

A failure names its seed and what the variant drew, so ``--variant-seeds SEED`` rebuilds the site."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from agent.settings import Settings
from sandbox.control import SandboxControl
from sandbox.variants import describe
from tests.family import Variant
from tests.sweeping import STATE_CHANGING, assert_never_list_held, by_reference, outcomes, reset_rules, sweep
from tests.test_sweep_procedure import RULES_OUTCOME

pytestmark = pytest.mark.browser

FAMILY_OUTCOME = {**RULES_OUTCOME, "R1_2d": "cleared", "R2_2d": "cleared", "R5_2d": "fix"}
RESENDS = {"R2": 1, "R3": 1, "R4": 2, "R2_2d": 1}  # R4: "try one more time", then escalate
CLEARED = {"R1", "R2", "R1_2d", "R2_2d"}


def reset_family(sandbox: SandboxControl, variant: Variant) -> dict[str, str]:
    answer: dict[str, Any] = reset_rules(
        sandbox, variant=variant.seed, ui=variant.ui, two_destinations=True, time_scale=0.01
    )
    return dict(answer["rules"])


def test_the_procedure_holds_on_a_variant(
    sandbox: SandboxControl, settings: Settings, browser: Browser, variant: Variant
) -> None:
    site = f"{describe(variant.seed)}; ui={variant.ui} (replay: --variant-seeds {variant.seed})"
    print(site)
    refs = reset_family(sandbox, variant)
    run = sweep(settings, browser)
    got = outcomes(run)
    assert sorted(got) == sorted(refs.values()), f"{site}: every errored referral is in the report"
    reasons = {r.reference: r.reason for r in run.result.referrals}
    wrong = {
        rule: f"{got[ref]} ({reasons[ref][:160]})" for rule, ref in refs.items() if got[ref] != FAMILY_OUTCOME[rule]
    }
    assert wrong == {}, f"{site}: not as the procedure says: {wrong}"
    assert run.result.ui == variant.ui, site
    assert run.result.complete and run.result.unseen is None, f"{site}: {run.result.problems}"
    record = sandbox.record()
    assert_never_list_held(record)
    resends = by_reference(record, "resend")
    assert {rule: len(resends.get(ref, [])) for rule, ref in refs.items() if rule in RESENDS} == RESENDS, site
    assert set(by_reference(record, "clear")) == {refs[rule] for rule in CLEARED}, site
    [to_emhware] = resends[refs["R2_2d"]]
    assert to_emhware["before"]["latest_status"] == "failed", f"{site}: Resend on the failed destination's row"


def test_a_dry_run_of_a_variant_writes_nothing_and_reports_every_referral(
    sandbox: SandboxControl, settings: Settings, browser: Browser, dry_variant: Variant
) -> None:
    site = f"{describe(dry_variant.seed)}; ui={dry_variant.ui} (replay: --variant-seeds {dry_variant.seed})"
    refs = reset_family(sandbox, dry_variant)
    dry = sweep(settings, browser, dry_run=True)
    writes = [e for e in sandbox.record() if e["kind"] in STATE_CHANGING]
    assert writes == [], f"{site}: a dry run wrote {writes}"
    assert sorted(outcomes(dry)) == sorted(refs.values()), site
