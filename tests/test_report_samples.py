"""The report tests' shared sample is honest: every outcome in it, its canaries really fed in."""

from __future__ import annotations

from agent.models import SweepResult
from tests.report_samples import PLANTED_HCN, PLANTED_PASSWORD, canary_sweep, demo_sweep


def test_demo_sweep_has_every_outcome() -> None:
    counts = SweepResult.count(demo_sweep().referrals)
    assert all(n > 0 for n in counts.values()), counts


def test_canaries_are_really_in_the_inputs() -> None:
    dumped = canary_sweep().model_dump_json()
    assert dumped.count(PLANTED_PASSWORD) == 2
    assert dumped.count(PLANTED_HCN) == 2
    assert PLANTED_PASSWORD not in demo_sweep().model_dump_json()
