"""``variant=SEED`` draws one consistent site from the family; without it, today's look (no browser)."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

import pytest

from sandbox.config import CHOICES, Config, ConfigError
from sandbox.state import Store
from sandbox.variants import AXES, MINUTE_STYLES, describe, draw, expand

SEEDS = range(300)
TODAY = {
    "rows": "html", "table": "html", "sort_buttons": False, "filter_row": False, "checkbox_column": False,
    "detail_rows": False, "banner_role": "status", "toasts": "none", "paging": "links", "showing_line": True,
    "page_size": 25, "load_delay_ms": 0, "window_load": "ready", "window_shadow": False,
    "window_order": "newest_first", "two_destinations": False, "date_style": "iso", "time_element": True,
    "status_style": "text_icon", "response_link": "new_tab", "response_block": "pre", "response_style": "json",
    "clear_confirm": "none", "landing": "home", "nav": "menu_click", "announcement": False, "expiry": "redirect",
    "rate_limit_ms": 0, "csrf": False, "salt": False, "relabel": False, "plant": {},
}  # fmt: skip


def test_no_variant_keeps_todays_look() -> None:
    config = Config.from_dict({})
    assert config.variant is None
    assert {name: getattr(config, name) for name in TODAY} == TODAY


def test_every_seed_draws_a_valid_consistent_site() -> None:
    for seed in SEEDS:
        drawn = draw(seed)
        assert set(drawn) <= {f.name for f in fields(Config)}
        for axis, value in drawn.items():
            assert axis not in AXES or value in AXES[axis], (describe(seed), axis)
            assert axis not in CHOICES or value in CHOICES[axis], (describe(seed), axis)
        if drawn.get("date_style") in MINUTE_STYLES:
            assert drawn.get("time_element", True), describe(seed)
        config = Config.from_dict(expand({"variant": seed}))
        assert {k: getattr(config, k) for k in drawn} == drawn, describe(seed)


def test_the_same_seed_draws_the_same_site_and_others_differ() -> None:
    assert draw(7) == draw(7)
    assert len({tuple(sorted(draw(s).items())) for s in SEEDS}) > len(SEEDS) * 0.9


def test_every_value_of_every_axis_is_drawn_by_some_seed() -> None:
    for axis, values in AXES.items():
        seen = {draw(s)[axis] for s in SEEDS}
        assert seen == set(values), axis


def test_explicit_switches_override_the_draw() -> None:
    seed = next(s for s in SEEDS if draw(s)["rows"] == "fetch")
    config = Config.from_dict(expand({"variant": seed, "rows": "html", "ui": "newer"}))
    assert (config.rows, config.ui, config.variant) == ("html", "newer", seed)


def test_describe_names_the_seed_and_what_differs_from_today() -> None:
    line = describe(11)
    assert line.startswith("variant 11: ") and "\n" not in line
    for part in line.removeprefix("variant 11: ").split():
        name, _, _ = part.partition("=")
        assert name in draw(11)


@pytest.mark.parametrize("bad", [{"variant": "7"}, {"variant": True}, {"rows": "ajax"}, {"csrf": "yes"},
                                 {"plant": {"ssn": "1"}}, {"load_delay_ms": -1}])  # fmt: skip
def test_bad_switches_are_refused_with_the_reason(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match=next(iter(bad))):
        Config.from_dict(expand(bad))


def test_state_reports_the_drawn_switches() -> None:
    store = Store(clock=lambda: datetime(2025, 1, 10, tzinfo=UTC).timestamp())
    store.reset({"scenario": "rules", "variant": 5, "paging": "single"})
    state = store.state()
    assert state["variant"]["seed"] == 5 and state["variant"]["drawn"] == draw(5)
    assert state["variant"]["describe"].startswith(describe(5))
    assert state["config"]["paging"] == "single" and "password" not in state["config"]
    store.reset({"scenario": "rules"})
    assert store.state()["variant"] is None


def two_destination_store() -> Store:
    store = Store(clock=lambda: datetime(2025, 1, 10, 13, tzinfo=UTC).timestamp())
    store.reset({"scenario": "rules", "two_destinations": True, "time_scale": 0.0})
    return store


def test_two_destination_referrals_are_added_only_when_asked() -> None:
    plain = Store()
    plain.reset({"scenario": "rules"})
    assert not any(key.endswith("_2d") for key in plain.rules)
    store = two_destination_store()
    for rule in ("R1_2d", "R2_2d", "R5_2d"):
        assert len(store.referrals[store.rules[rule]].destinations()) == 2, rule
    demo = Store()
    assert len(demo.reset({"scenario": "demo", "two_destinations": True})["errored"]) == 15 + 3


def test_each_destination_is_judged_on_its_own_latest_attempt() -> None:
    store = two_destination_store()
    resolved, resend, fix = (store.referrals[store.rules[r]] for r in ("R1_2d", "R2_2d", "R5_2d"))
    assert resolved.snapshot()["latest_status"] == "success"
    assert resend.latest().status == "success"  # type: ignore[union-attr]  # the newest of all succeeded...
    assert resend.snapshot()["latest_status"] == "failed"  # ...but EMHware's own latest failed
    assert fix.snapshot()["latest_http_code"] == 400


def test_a_resend_answers_its_own_destination_and_a_save_goes_to_both() -> None:
    store = two_destination_store()
    ref = store.rules["R2_2d"]
    failed = next(a for a in store.referrals[ref].attempts if a.status == "failed")
    store.resend(ref, failed.id)
    event = store.record[-1]
    assert event["before"]["latest_http_code"] == 502 and set(event["before"]["destinations"]) == {"EMHware", "CDIS"}
    assert store.referrals[ref].latest_by_destination()["EMHware"].status == "success"
    fix = store.rules["R5_2d"]
    store.save(fix, {"contact_postal_code": "K7L 0Z9"})
    edited = [a for a in store.referrals[fix].attempts if a.trigger == "Edited"]
    assert sorted((a.destination, a.status) for a in edited) == [("CDIS", "success"), ("CRMS", "success")]


def test_someone_else_clears_and_new_errors_arrive_outside_the_record() -> None:
    store = Store()
    answer = store.reset({"scenario": "rules"})
    gone, healthy = store.rules["R5"], next(r for r in store.order if r not in answer["errored"])
    after = store.others([gone], {healthy: "nginx-502"})
    assert gone not in after["errored"] and healthy in after["errored"]
    assert store.referrals[healthy].snapshot()["latest_http_code"] == 502
    assert store.record == []


def test_overrides_of_a_draw_are_named_in_the_state() -> None:
    seed = next(s for s in SEEDS if draw(s)["rows"] == "fetch")
    store = Store()
    store.reset({"scenario": "rules", "variant": seed, "rows": "html"})
    variant = store.state()["variant"]
    assert variant["overridden"] == {"rows": "html"} and variant["describe"].endswith("(given: rows=html)")
