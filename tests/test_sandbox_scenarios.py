"""The sandbox's data sets, without a browser: sizes, determinism, synthetic people, scripted outcomes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sandbox.config import Config, ConfigError
from sandbox.faults import FaultError, Faults
from sandbox.model import DESTINATIONS, TRIGGERS
from sandbox.people import luhn_valid
from sandbox.responses import EXAMPLES, render, transfer_record
from sandbox.scenarios import build
from sandbox.state import Store

NOW = datetime(2025, 1, 10, 13, 0, tzinfo=UTC)
EXAMPLES_DIR = Path(__file__).parent / "data" / "error-examples"


class FakeClock:
    def __init__(self) -> None:
        self.t = NOW.timestamp()

    def __call__(self) -> float:
        return self.t


def test_large_has_the_size_and_errors_asked_for() -> None:
    world = build(Config(scenario="large", size=20_000, errors=1_234), NOW)
    assert len(world.referrals) == 20_000
    assert sum(r.has_error for r in world.referrals) == 1_234
    assert len({r.reference for r in world.referrals}) == 20_000


def test_large_errors_are_mostly_resend_then_success() -> None:
    world = build(Config(scenario="large", size=1_000, errors=100), NOW)
    errored = [r for r in world.referrals if r.has_error]
    resendable = [r for r in errored if r.attempts[-1].http_code == 502 and r.script[0].status == "success"]
    assert len(resendable) >= 70


def test_large_read_only_mix_has_nothing_to_resend() -> None:
    world = build(Config(scenario="large", size=300, errors=60, error_mix="read_only"), NOW)
    for r in (r for r in world.referrals if r.has_error):
        code = r.latest().http_code  # type: ignore[union-attr]
        assert code is None or code < 500
        assert r.latest().status == "failed"  # type: ignore[union-attr]


@pytest.mark.parametrize("scenario", ["demo", "rules", "large"])
def test_same_seed_same_referrals(scenario: str) -> None:
    config = Config(scenario=scenario, size=200, errors=20, seed=7)  # type: ignore[arg-type]
    one, two = build(config, NOW), build(config, NOW)
    assert [r.reference for r in one.referrals] == [r.reference for r in two.referrals]
    assert [r.fields for r in one.referrals] == [r.fields for r in two.referrals]
    other = build(Config(scenario=scenario, size=200, errors=20, seed=8), NOW)  # type: ignore[arg-type]
    assert [r.reference for r in other.referrals] != [r.reference for r in one.referrals]


@pytest.mark.parametrize("scenario", ["demo", "rules", "large"])
def test_references_are_ten_digits_and_partners_and_triggers_are_caredoves(scenario: str) -> None:
    world = build(Config(scenario=scenario, size=300, errors=30), NOW)  # type: ignore[arg-type]
    for r in world.referrals:
        assert len(r.reference) == 10 and r.reference.isdigit() and r.reference[0] != "0"
        assert r.destination in DESTINATIONS
        assert all(a.trigger in TRIGGERS and a.destination in DESTINATIONS for a in r.attempts)


def test_synthetic_health_card_numbers_fail_luhn() -> None:
    world = build(Config(scenario="large", size=2_000, errors=0), NOW)
    numbers = [r.fields["hcn"] for r in world.referrals]
    assert all(len(n) == 10 and n.isdigit() for n in numbers)
    assert not any(luhn_valid(n) for n in numbers)


def test_luhn_check_itself() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


def test_demo_covers_every_row_of_the_procedure() -> None:
    world = build(Config(scenario="demo"), NOW)
    assert len(world.referrals) == 40
    errored = [r for r in world.referrals if r.has_error]
    codes = {r.latest().http_code for r in errored}  # type: ignore[union-attr]
    assert {None, 200, 400, 422, 502, 503, 504} <= codes
    assert any(r.latest().status == "success" for r in errored)  # type: ignore[union-attr] - R1
    assert {r.problem_field for r in errored} >= {
        "contact_postal_code", "contact_phone", "hcn", "birth_date", "gender", "family_name"
    }  # fmt: skip
    scripts = sorted(tuple(o.status for o in r.script) for r in errored if r.script)
    assert ("success",) in scripts and ("failed", "success") in scripts and ("failed", "failed") in scripts


def test_rules_scenario_names_one_referral_per_rule() -> None:
    world = build(Config(scenario="rules"), NOW)
    assert sorted(world.rules) == [f"R{i}" for i in range(1, 9)]
    by_ref = {r.reference: r for r in world.referrals}
    assert all(by_ref[ref].has_error for ref in world.rules.values())
    assert sum(not r.has_error for r in world.referrals) >= 3


def test_examples_match_the_shared_error_examples() -> None:
    for path in EXAMPLES_DIR.glob("*.json"):
        if path.stem == "expected":
            continue
        data = json.loads(path.read_text())
        example = EXAMPLES[path.stem]
        assert (example.http_code, example.text) == (data.get("http_code"), data["text"])
        assert transfer_record("CDIS", example.http_code, example.text, 1).keys() == data.keys()


def test_render_styles() -> None:
    record = transfer_record("CDIS", 502, "bad gateway", 3)
    assert json.loads(render(record, "json"))["http_code"] == 502
    assert render(record, "key_value").splitlines()[0] == "http_code: 502"
    assert "    [http_code] => 502" in render(record, "print_r").splitlines()


def test_resend_resolves_lazily_after_the_scaled_delay() -> None:
    clock = FakeClock()
    store = Store(clock=clock)
    answer = store.reset({"scenario": "rules", "time_scale": 0.5})
    ref = answer["rules"]["R2"]
    first = store.referrals[ref].attempts[0].id
    assert store.resend(ref, first).applied
    assert store.state()["referrals"][1]["attempts"][-1]["status"] == "pending"
    clock.t += 29.0  # the scripted 60 s times 0.5 = 30 s
    assert store.referral_state(ref)["attempts"][-1]["status"] == "pending"
    clock.t += 2.0
    assert store.referral_state(ref)["attempts"][-1]["status"] == "success"
    event = store.record[-1]
    assert event["kind"] == "resend" and event["before"]["latest_status"] == "failed"


def test_save_succeeds_only_once_the_named_field_is_filled() -> None:
    store = Store(clock=FakeClock())
    ref = store.reset({"scenario": "rules"})["rules"]["R5"]
    store.save(ref, {"contact_postal_code": ""})
    assert store.referral_state(ref)["attempts"][-1]["status"] == "failed"
    store.save(ref, {"contact_postal_code": "K7L 0Z9"})
    last = store.referral_state(ref)["attempts"][-1]
    assert (last["status"], last["trigger"]) == ("success", "Edited")
    assert [e["kind"] for e in store.record] == ["save", "save"]


def test_unknown_switches_and_faults_are_refused() -> None:
    with pytest.raises(ConfigError):
        Config.from_dict({"ui": "newest"})
    with pytest.raises(ConfigError):
        Config.from_dict({"colour": "blue"})
    with pytest.raises(FaultError):
        Faults().merge({"latency": 5})
    with pytest.raises(FaultError):
        Faults().merge({"resend_error_for": {"1234567890": "explode"}})
