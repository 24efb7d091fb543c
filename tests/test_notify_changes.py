"""Which messages a sweep deserves, decided from hand-made results: trouble every time, new items once,
a quiet repeat night nothing, a blind night never quiet — and never a word of the partner's reply."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agent.models import ActionRecord, ActionType, Outcome, ReferralResult, SweepResult, Unseen
from agent.notify import Context, digest_messages, failure_messages, overdue_messages, sweep_messages
from agent.notify.changes import baseline, blind, changes, trouble
from agent.schedules import Notify, Schedule

INBOX = "https://inbox.example"
NIGHT = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
PARTNER_TEXT = "John Smith DOB 1980-01-01 at 123 Main St, postal code M5V 2T6 is invalid"


def item(reference: str, outcome: Outcome, *, nights: int = 1, destination: str = "CDIS") -> ReferralResult:
    """A referral whose partner-derived fields all carry planted patient data."""
    return ReferralResult(
        reference=reference,
        outcome=outcome,
        rule="R5",
        reason=f"partner said: {PARTNER_TEXT}",
        fix=f"Correct {PARTNER_TEXT}",
        field="John Smith",
        text=PARTNER_TEXT,
        http_code=400 if outcome is Outcome.FIX else 504,
        destination=destination,
        nights_open=nights,
    )


def sweep(night: int, items: list[ReferralResult], **changes_: Any) -> SweepResult:
    start = NIGHT + timedelta(days=night)
    values: dict[str, Any] = {
        "sweep_id": f"night-{night}",
        "started_at": start,
        "finished_at": start + timedelta(minutes=3),
        "base_url": INBOX,
        "dry_run": False,
        "banner_count": len(items),
        "summary": SweepResult.count(items),
        "referrals": items,
    }
    return SweepResult(**(values | changes_))


def schedule(**notify: Any) -> Schedule:
    return Schedule(name="nightly", cron="30 2 * * *", timezone="America/Toronto", notify=Notify.model_validate(notify))


CTX = Context(schedule="nightly", inbox=INBOX, timezone="America/Toronto", report="/reports/x/report.html")
FIX_A = item("1111111111", Outcome.FIX)
FIX_B = item("2222222222", Outcome.FIX)
ESC_C = item("3333333333", Outcome.ESCALATED)


def kinds(messages: list[Any]) -> list[str]:
    return [m.kind for m in messages]


# --- trouble ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "headline", "critical"),
    [
        (sweep(0, [], banner_count=14), "saw 0 of the 14 referrals", True),
        (sweep(0, [FIX_A], banner_count=3), "saw 1 of the 3 referrals", True),
        (sweep(0, [FIX_A], complete=False), "the sweep stopped early", True),
        (sweep(0, [FIX_A, item("4444444444", Outcome.ERROR)]), "1 referral could not be processed", False),
        (sweep(0, [FIX_A], problems=["The banner's count was not found"]), "1 problem reported by the sweep", False),
    ],
)
def test_trouble_names_what_the_agent_could_not_do(result: SweepResult, headline: str, critical: bool) -> None:
    found = trouble(result)
    assert found
    assert found.headline.startswith(headline)
    assert found.critical is critical


def test_a_sweep_that_saw_and_processed_everything_is_no_trouble() -> None:
    assert not trouble(sweep(0, [FIX_A, ESC_C, item("5555555555", Outcome.CLEARED)]))
    assert not trouble(sweep(0, []))  # an inbox without errors is a clean night


def test_zero_found_against_a_non_zero_banner_is_blind_not_quiet() -> None:
    night = sweep(2, [], banner_count=3)
    assert blind(night)
    [message] = sweep_messages(schedule(), CTX, night, [sweep(0, [FIX_A, FIX_B, ESC_C])])
    assert message.kind == "trouble"
    assert message.severity == "critical"
    assert message.subject.startswith("caredove-agent TROUBLE: saw 0 of the 3 referrals")


def test_trouble_is_sent_every_time_it_happens() -> None:
    history = [sweep(0, [FIX_A]), sweep(1, [], banner_count=1)]
    assert kinds(sweep_messages(schedule(), CTX, sweep(2, [], banner_count=1), history)) == ["trouble"]


def test_a_failed_sweep_and_an_overdue_one_are_trouble() -> None:
    [failed] = failure_messages(schedule(), CTX, RuntimeError("inbox never loaded"))
    assert failed.subject.startswith("caredove-agent TROUBLE: the nightly sweep FAILED (RuntimeError)")
    last = sweep(0, [FIX_A])
    [late] = overdue_messages(schedule(), CTX, [last], now=last.finished_at + timedelta(hours=30), overdue_hours=26)
    assert late.kind == "trouble"
    assert late.subject.startswith("caredove-agent TROUBLE: no sweep for 30 h")
    assert overdue_messages(schedule(), CTX, [last], now=last.finished_at + timedelta(hours=2), overdue_hours=26) == []


# --- new for people -----------------------------------------------------------------------------


def test_the_first_night_tells_every_fix_and_escalation_as_new() -> None:
    night = sweep(0, [FIX_A, ESC_C, item("5555555555", Outcome.CLEARED)])
    [message] = sweep_messages(schedule(), CTX, night, [])
    assert message.kind == "new"
    assert "1 new fix for staff, 1 new escalation" in message.subject
    assert "1111111111" in message.text and "3333333333" in message.text
    assert "5555555555" not in message.text.split("Open after")[0]


def test_a_quiet_repeat_night_sends_nothing() -> None:
    first = sweep(0, [FIX_A, ESC_C])
    assert sweep_messages(schedule(), CTX, sweep(1, [FIX_A, ESC_C]), [first]) == []


def test_always_sends_the_nightly_message_even_when_nothing_is_new() -> None:
    first = sweep(0, [FIX_A])
    [message] = sweep_messages(schedule(when="always"), CTX, sweep(1, [FIX_A]), [first])
    assert message.kind == "new"
    assert "nothing new" in message.subject


def test_never_sends_nothing_not_even_trouble() -> None:
    assert sweep_messages(schedule(when="never"), CTX, sweep(0, [], banner_count=5), []) == []


def test_only_what_is_new_since_the_last_sweep_of_this_inbox_is_new() -> None:
    first = sweep(0, [FIX_A, ESC_C])
    other_inbox = sweep(1, [], base_url="https://other.example")
    found = changes(sweep(2, [FIX_A, FIX_B]), [first, other_inbox], [3, 7])
    assert [i.reference for i in found.new] == ["2222222222"]
    assert found.gone == ("3333333333",)


def test_a_fix_that_becomes_an_escalation_is_new_again() -> None:
    first = sweep(0, [FIX_A])
    found = changes(sweep(1, [item("1111111111", Outcome.ESCALATED)]), [first], [3, 7])
    assert [(i.reference, i.outcome) for i in found.new] == [("1111111111", Outcome.ESCALATED)]


def test_a_second_destination_of_one_referral_is_its_own_item() -> None:
    first = sweep(0, [FIX_A])
    found = changes(sweep(1, [FIX_A, item("1111111111", Outcome.FIX, destination="EMHware")]), [first], [3])
    assert [i.destination for i in found.new] == ["EMHware"]


@pytest.mark.parametrize(("before", "after", "crossed"), [(2, 3, 3), (6, 7, 7), (2, 8, 7), (3, 4, None), (1, 2, None)])
def test_items_crossing_an_age_threshold_are_told_again(before: int, after: int, crossed: int | None) -> None:
    first = sweep(0, [item("1111111111", Outcome.FIX, nights=before)])
    found = changes(sweep(1, [item("1111111111", Outcome.FIX, nights=after)]), [first], [3, 7])
    assert [a.nights for a in found.aged] == ([crossed] if crossed else [])
    messages = sweep_messages(schedule(), CTX, sweep(1, [item("1111111111", Outcome.FIX, nights=after)]), [first])
    assert kinds(messages) == (["new"] if crossed else [])


def test_a_blind_night_is_no_baseline_so_the_next_night_is_not_all_new() -> None:
    night_1 = sweep(0, [FIX_A, ESC_C])
    blind_night = sweep(1, [], banner_count=2)
    night_3 = sweep(2, [FIX_A, ESC_C])
    assert baseline([night_1, blind_night], night_3) == night_1
    assert not changes(night_3, [night_1, blind_night], [3, 7]).worth_telling


def test_a_partial_night_does_not_take_unreached_items_for_resolved() -> None:
    night_1 = sweep(0, [FIX_A, ESC_C])
    partial = sweep(1, [FIX_A], complete=False)
    assert changes(partial, [night_1], [3]).gone == ()


def test_the_good_night_after_a_troubled_one_says_ok_again() -> None:
    night_1 = sweep(0, [FIX_A, ESC_C])
    blind_night = sweep(1, [], banner_count=2)
    fixed = sweep(2, [item("1111111111", Outcome.CLEARED), ESC_C])
    [message] = sweep_messages(schedule(), CTX, fixed, [night_1, blind_night])
    assert message.kind == "recovered"
    assert message.subject.startswith("caredove-agent OK again:")


def test_the_scheduler_knowing_the_last_run_failed_also_gives_ok_again() -> None:
    night = sweep(1, [FIX_A])
    assert kinds(sweep_messages(schedule(), CTX, night, [sweep(0, [FIX_A])], last_failed=True)) == ["recovered"]


def test_a_dry_run_is_compared_with_dry_runs_only() -> None:
    real = sweep(0, [FIX_A])
    dry = sweep(1, [FIX_A], dry_run=True)
    assert kinds(sweep_messages(schedule(), CTX, dry, [real])) == ["new"]


# --- standing work ------------------------------------------------------------------------------


def test_the_digest_lists_everything_still_open_oldest_first() -> None:
    night = sweep(
        0,
        [
            item("1111111111", Outcome.FIX, nights=2),
            item("2222222222", Outcome.FIX, nights=9),
            item("3333333333", Outcome.ESCALATED, nights=4),
            item("5555555555", Outcome.CLEARED),
        ],
    )
    [message] = digest_messages(schedule(digest="0 8 * * mon"), CTX, night)
    assert message.kind == "standing"
    assert message.subject.startswith("caredove-agent: standing work — 3 referrals open, oldest 9 nights")
    assert message.text.index("2222222222") < message.text.index("1111111111") < message.text.index("3333333333")
    assert "2026-03-10 03:30 EDT" in message.text  # the sweep's time in the schedule's zone, with the zone
    assert "5555555555" not in message.text


def test_a_digest_from_a_blind_sweep_says_more_may_be_open() -> None:
    [message] = digest_messages(schedule(), CTX, sweep(0, [FIX_A], banner_count=4))
    assert "did not see the whole list" in message.text
    [clear] = digest_messages(schedule(), CTX, sweep(0, [FIX_A]))
    assert "did not see the whole list" not in clear.text


def test_no_digest_when_nothing_is_open() -> None:
    assert digest_messages(schedule(), CTX, sweep(0, [item("5555555555", Outcome.CLEARED)])) == []


# --- minimum necessary --------------------------------------------------------------------------


def test_no_message_carries_partner_text() -> None:
    night_1 = sweep(0, [FIX_A, ESC_C, item("4444444444", Outcome.ERROR)], banner_count=5, problems=["x"])
    messages = sweep_messages(schedule(when="always"), CTX, night_1, [])
    messages += digest_messages(schedule(), CTX, night_1)
    odd_cell = item("6666666666", Outcome.FIX, destination="Patient John Smith")  # page text, not vocabulary
    messages += sweep_messages(schedule(), CTX, sweep(1, [odd_cell]), [])
    assert kinds(messages) == ["trouble", "new", "standing", "new"]
    for message in messages:
        everything = message.subject + message.text + repr(message.facts)
        for planted in ("John", "Smith", "1980-01-01", "Main St", "M5V", "partner said"):
            assert planted not in everything
        assert message.attachment_html is None
        assert INBOX in message.subject and "/reports/x/report.html" in message.text


def test_every_message_kind_has_its_own_subject_line() -> None:
    subjects = {
        "trouble": sweep_messages(schedule(), CTX, sweep(0, [], banner_count=2), [])[0].subject,
        "new": sweep_messages(schedule(), CTX, sweep(0, [FIX_A]), [])[0].subject,
        "standing": digest_messages(schedule(), CTX, sweep(0, [FIX_A]))[0].subject,
        "recovered": sweep_messages(schedule(), CTX, sweep(1, [FIX_A]), [sweep(0, [], banner_count=1)])[0].subject,
    }
    prefixes = {k: s.split(":")[0] + ":" + s.split(":")[1][:12] for k, s in subjects.items()}
    assert len(set(prefixes.values())) == 4
    assert subjects["trouble"].startswith("caredove-agent TROUBLE:")


def test_clicks_do_not_count_as_partner_text_and_counts_are_kept() -> None:
    cleared = item("5555555555", Outcome.CLEARED)
    cleared.actions.append(ActionRecord(type=ActionType.CLEAR, at=NIGHT, confirmed=True))
    [message] = sweep_messages(schedule(when="always"), CTX, sweep(0, [cleared]), [])
    assert message.facts["counts"]["cleared"] == 1


def test_the_sweeps_own_account_of_what_it_did_not_see_is_trouble() -> None:
    unseen = Unseen(expected=None, found=2, why="an unknown table header hid the rows")
    found = trouble(sweep(0, [FIX_A, FIX_B], unseen=unseen))
    assert found.critical
    assert found.reasons[:2] == (
        "saw 2 referrals, fewer than the site lists",
        "not seen: an unknown table header hid the rows",
    )
    counted = trouble(sweep(0, [FIX_A], unseen=Unseen(expected=25, found=1, why="x")))
    assert counted.headline == "saw 1 of the 25 referrals the site lists with integration errors"


def test_a_stored_failure_is_trouble_no_baseline_and_the_next_good_night_is_ok_again() -> None:
    night_1 = sweep(0, [FIX_A])
    failed = sweep(1, [], banner_count=None, failure="the site refused the sign-in")
    assert trouble(failed).headline == "the sweep FAILED: the site refused the sign-in"
    assert baseline([night_1, failed], sweep(2, [FIX_A])) == night_1
    assert kinds(sweep_messages(schedule(), CTX, sweep(2, [FIX_A]), [night_1, failed])) == ["recovered"]


def test_every_open_item_vanishing_unseen_is_trouble_not_a_clean_night() -> None:
    """No banner, no red control, and last night's open items all gone without a clear: maybe the
    screens changed under the agent. Said once (the night after, nothing is open to vanish)."""
    night_1 = sweep(0, [FIX_A, ESC_C])
    empty = sweep(1, [], banner_count=0)
    [message] = sweep_messages(schedule(), CTX, empty, [night_1])
    assert message.kind == "trouble" and message.severity == "warning"
    assert message.subject.startswith("caredove-agent TROUBLE: all 2 referrals open after the last sweep are gone")
    assert sweep_messages(schedule(), CTX, sweep(2, [], banner_count=0), [night_1, empty]) == []
    cleared_by_the_agent = sweep(1, [item("1111111111", Outcome.CLEARED)])
    assert not trouble(cleared_by_the_agent, night_1)
    assert not trouble(sweep(1, [], banner_count=0), sweep(0, [item("5555555555", Outcome.CLEARED)]))


def test_many_new_5xx_escalations_from_one_destination_are_a_possible_service_failure() -> None:
    many = [item(f"77777777{i:02d}", Outcome.ESCALATED, destination="EMHware") for i in range(3)]
    [message] = sweep_messages(schedule(), CTX, sweep(0, [*many, ESC_C]), [])
    assert message.subject.startswith(
        "caredove-agent: new for people — 4 new escalations — possible Service Failure at EMHware"
    )
    assert "Possible Service Failure at EMHware: 3 new 500-series errors" in message.text
    assert message.facts["service_failure"] == ["EMHware"]
    [single] = sweep_messages(schedule(), CTX, sweep(0, [ESC_C]), [])
    assert "Service Failure" not in single.subject + single.text
