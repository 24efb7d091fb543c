"""procedure.md's table, rule by rule, and the never-list it protects."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from agent.models import Attempt, AttemptStatus, DecisionKind, ResendRecord, ResponseRecord
from agent.policy import Policy
from agent.rules.decide import (
    by_destination,
    decide,
    latest_attempt,
    latest_per_destination,
    resends_seen,
    resends_used,
    responses_needed,
)
from agent.rules.reader import read_response

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)
POLICY = Policy()
POSTAL = "'Primary Contact's Postal Code (Patient.contact[0].address.postCode)' is missing."

F, S, P = AttemptStatus.FAILED, AttemptStatus.SUCCESS, AttemptStatus.PENDING


def attempt(minutes: int, status: AttemptStatus = F, trigger: str = "Received", to: str = "CDIS") -> Attempt:
    return Attempt(at=T0 + timedelta(minutes=minutes), trigger=trigger, destination=to, status=status)


def response(code: int | None, text: str = "") -> ResponseRecord:
    record: dict[str, object] = {"url": "https://cdis.example.ca", "text": text}
    if code is not None:
        record = {"http_code": code, **record}
    return read_response(json.dumps(record))


def resend(
    answers: Attempt, produced: Attempt | None = None, *, clicked: int = 1, confirmed: bool = True
) -> ResendRecord:
    return ResendRecord(
        answers=answers.key,
        answers_at=answers.at,
        clicked_at=answers.at + timedelta(minutes=clicked),
        confirmed=confirmed,
        produced=produced.key if produced else None,
    )


# --- the latest attempt ----------------------------------------------------------------------------


def test_latest_attempt_found_by_date_not_order() -> None:
    old, new, mid = attempt(0, S), attempt(30, F), attempt(10, S)
    assert latest_attempt([old, new, mid]) == new
    assert latest_attempt([new, mid, old]) == new
    assert decide([new, old, mid], response(502), [], POLICY, NOW).kind is DecisionKind.RESEND


@pytest.mark.parametrize(("statuses", "winner"), [((S, F), F), ((F, P), P), ((S, P), P), ((S, F, P), P), ((S, S), S)])
def test_tie_on_date_prefers_the_most_cautious_status(
    statuses: tuple[AttemptStatus, ...], winner: AttemptStatus
) -> None:
    tied = [attempt(5, s, trigger=f"t{i}") for i, s in enumerate(statuses)]
    for order in (tied, list(reversed(tied))):
        latest = latest_attempt(order)
        assert latest is not None
        assert latest.status is winner


def test_naive_and_aware_dates_compare_without_error() -> None:
    naive = Attempt(at=datetime(2025, 3, 3, 10, 0), trigger="Edited", destination="CDIS", status=F)
    assert latest_attempt([attempt(0, S), naive]) == naive


# --- R1 .. R8 ---------------------------------------------------------------------------------------


def test_no_attempt_escalates_as_unreadable() -> None:
    decision = decide([], None, [], POLICY, NOW)
    assert (decision.kind, decision.rule, decision.category) == (DecisionKind.ESCALATE, "R8", "unreadable")


def test_latest_success_is_cleared_even_after_failures() -> None:
    attempts = [attempt(0), attempt(10, S)]
    decision = decide(attempts, response(502), [], POLICY, NOW)
    assert (decision.kind, decision.rule, decision.attempt_key) == (DecisionKind.CLEAR, "R1", attempts[1].key)


def test_pending_after_agents_resend_is_waited_on() -> None:
    failed, pending = attempt(0), attempt(5, P)
    decision = decide([failed, pending], None, [resend(failed, pending)], POLICY, NOW)
    assert (decision.kind, decision.rule) == (DecisionKind.WAIT, "R3")
    assert "the agent's own Resend" in decision.reason


def test_pending_staff_attempt_is_waited_on_and_said_so() -> None:
    decision = decide([attempt(0), attempt(5, P, "Edited")], response(502), [], POLICY, NOW)
    assert (decision.kind, decision.rule) == (DecisionKind.WAIT, "R3")
    assert "did not start" in decision.reason


def test_resend_clicked_before_a_kill_is_not_repeated() -> None:
    failed = attempt(0)
    unconfirmed = resend(failed, confirmed=False)
    decision = decide([failed], response(502), [unconfirmed], POLICY, NOW)
    assert (decision.kind, decision.rule) == (DecisionKind.WAIT, "R3")
    assert "not clicking again" in decision.reason


def test_resend_that_never_produced_an_attempt_escalates_after_a_day() -> None:
    failed = attempt(0)
    history = [resend(failed, clicked=1)]
    later = failed.at + timedelta(minutes=1, hours=24)
    assert decide([failed], response(502), history, POLICY, later - timedelta(seconds=1)).kind is DecisionKind.WAIT
    decision = decide([failed], response(502), history, POLICY, later)
    assert (decision.kind, decision.rule) == (DecisionKind.ESCALATE, "R3")
    assert "never produced an attempt" in decision.reason


@pytest.mark.parametrize("code", [500, 502, 503, 504, 599])
def test_first_500_series_failure_is_resent(code: int) -> None:
    decision = decide([attempt(0)], response(code), [], POLICY, NOW)
    assert (decision.kind, decision.rule, decision.http_code, decision.category) == (
        DecisionKind.RESEND,
        "R2",
        code,
        "5xx",
    )


def test_second_resend_allowed_by_default_third_is_not() -> None:
    a, b, c = attempt(0), attempt(10), attempt(20)
    once = decide([a, b], response(502), [resend(a, b)], POLICY, NOW)
    assert (once.kind, once.rule) == (DecisionKind.RESEND, "R2")
    twice = decide([a, b, c], response(502), [resend(a, b), resend(b, c)], POLICY, NOW)
    assert (twice.kind, twice.rule) == (DecisionKind.ESCALATE, "R4")
    assert "500-series error that does not clear after Resend" in twice.reason


def test_resend_once_setting_escalates_after_one() -> None:
    a, b = attempt(0), attempt(10)
    decision = decide([a, b], response(503), [resend(a, b)], Policy(max_resends=1), NOW)
    assert (decision.kind, decision.rule) == (DecisionKind.ESCALATE, "R4")


def test_staff_resave_starts_new_resend_count() -> None:
    a, b, c = attempt(0), attempt(10), attempt(20)
    resaved = attempt(60, trigger="Edited")
    history = [resend(a, b), resend(b, c)]
    assert resends_used([a, b, c, resaved], history) == 0
    decision = decide([a, b, c, resaved], response(502), history, POLICY, NOW)
    assert (decision.kind, decision.rule) == (DecisionKind.RESEND, "R2")


def test_resend_whose_result_was_never_recorded_still_counts() -> None:
    a, b = attempt(0), attempt(10)
    history = [resend(a, None, confirmed=False)]  # killed after the click, before recording what it produced
    assert resends_used([a, b], history) == 1
    assert decide([a, b], response(502), history, Policy(max_resends=1), NOW).rule == "R4"


@pytest.mark.parametrize(
    "text",
    [
        POSTAL,
        "Bad Request",
        "",
        "<html><title>400 Bad Request</title></html>",
        '{"resourceType":"OperationOutcome","issue":[{"severity":"error","diagnostics":"boom"}]}',
    ],
)
@pytest.mark.parametrize("code", [400, 401, 404, 409, 422, 499])
def test_never_resends_a_400(code: int, text: str) -> None:
    decision = decide([attempt(0)], response(code, text), [], POLICY, NOW)
    assert decision.kind in (DecisionKind.FIX, DecisionKind.ESCALATE)
    assert decision.rule in ("R5", "R6")
    assert decision.category == "4xx"


def test_clear_400_is_a_fix_with_the_reading_attached() -> None:
    decision = decide([attempt(0)], response(400, POSTAL), [], POLICY, NOW)
    assert (decision.kind, decision.rule) == (DecisionKind.FIX, "R5")
    assert decision.reading is not None
    assert decision.reading.path == "Patient.contact[0].address.postCode"
    assert "postal code" in decision.reason and "400" in decision.reason


@pytest.mark.parametrize("text", ["Bad Request", "", "<html><title>400 Bad Request</title></html>"])
def test_400_without_clear_message_escalates(text: str) -> None:
    decision = decide([attempt(0)], response(400, text), [], POLICY, NOW)
    assert (decision.kind, decision.rule) == (DecisionKind.ESCALATE, "R6")
    assert "400-series error without a clear message" in decision.reason


@pytest.mark.parametrize("code", [200, 201, 204, 299])
def test_200_series_escalates_unless_the_setting_treats_it_as_success(code: int) -> None:
    older = decide([attempt(0)], response(code), [], POLICY, NOW)
    assert (older.kind, older.rule, older.category) == (DecisionKind.ESCALATE, "R7", "2xx")
    assert "200-series error code" in older.reason
    newer = decide([attempt(0)], response(code), [], Policy(treat_2xx_as_success=True), NOW)
    assert (newer.kind, newer.rule) == (DecisionKind.CLEAR, "R7")


@pytest.mark.parametrize("record", [None, response(None, "curl: (28) timed out"), read_response("garbage")])
def test_unreadable_response_escalates_never_guesses(record: ResponseRecord | None) -> None:
    decision = decide([attempt(0)], record, [], POLICY, NOW)
    assert (decision.kind, decision.rule, decision.category) == (DecisionKind.ESCALATE, "R8", "unreadable")


@pytest.mark.parametrize("code", [100, 101, 301, 302, 304, 399])
def test_other_codes_escalate(code: int) -> None:
    decision = decide([attempt(0)], response(code), [], POLICY, NOW)
    assert (decision.kind, decision.rule, decision.category, decision.http_code) == (
        DecisionKind.ESCALATE,
        "R8",
        "other",
        code,
    )


def test_reasons_carry_no_health_card_number() -> None:
    text = "'Health Card Number (Patient.identifier[0].value)' 1234-567-890-AB is invalid."
    for code in (400, 502, 200):
        decision = decide([attempt(0)], response(code, text), [], POLICY, NOW)
        assert "1234" not in decision.reason
        if decision.reading:
            assert "1234" not in decision.reading.model_dump_json()


def test_same_inputs_same_decision() -> None:
    args = ([attempt(0), attempt(10)], response(502), [resend(attempt(0), attempt(10))], POLICY, NOW)
    assert decide(*args) == decide(*args)


# --- resends the window itself shows (a fresh ledger must not resend a stuck 503 again) -------------


@pytest.mark.parametrize(
    ("history", "seen"),
    [
        ([(0, F, "Received")], 0),
        ([(0, F, "Received"), (10, F, "Received")], 1),
        ([(0, F, "Received"), (10, F, "Received"), (20, F, "Received")], 2),
        ([(0, F, "Received"), (10, S, "Received"), (20, F, "Received")], 0),  # a success ends the failure
        ([(0, F, "Received"), (10, F, "Received"), (20, F, "Edited")], 0),  # a staff re-save: a new count
        ([(0, F, "Edited"), (10, F, "Edited")], 1),  # a re-save looks like a resend: escalates sooner
        ([(0, F, "Received"), (10, P, "Received")], 0),  # nothing failed last
        ([], 0),
    ],
)
def test_resends_seen_in_the_window_count_the_run_of_same_trigger_failures(
    history: list[tuple[int, AttemptStatus, str]], seen: int
) -> None:
    attempts = [attempt(m, s, t) for m, s, t in history]
    assert resends_seen(attempts) == seen
    assert resends_seen(list(reversed(attempts))) == seen  # by date, whatever the row order


def test_a_fresh_ledger_does_not_resend_a_503_the_window_shows_resent_twice() -> None:
    attempts = [attempt(0), attempt(10), attempt(20)]
    decision = decide(attempts, response(503), [], POLICY, NOW)
    assert (decision.kind, decision.rule) == (DecisionKind.ESCALATE, "R4")
    assert "window's history" in decision.reason


def test_one_resend_seen_in_the_window_leaves_one_more_try() -> None:
    attempts = [attempt(0), attempt(10)]
    assert decide(attempts, response(503), [], POLICY, NOW).kind is DecisionKind.RESEND
    assert decide(attempts, response(503), [], Policy(max_resends=1), NOW).rule == "R4"


def test_the_agents_own_resends_are_not_counted_twice() -> None:
    """The ledger's resend and the attempt it produced are one resend, not two."""
    a, b = attempt(0), attempt(10)
    assert decide([a, b], response(502), [resend(a, b)], POLICY, NOW).kind is DecisionKind.RESEND


# --- per destination ---------------------------------------------------------------------------------


def test_attempts_are_grouped_by_destination_and_each_latest_found_by_date() -> None:
    cdis_old, cdis_new = attempt(0, S), attempt(30, F)
    emh_new, emh_old = attempt(20, S, to="EMHware"), attempt(5, F, to="EMHware")
    attempts = [cdis_new, emh_old, cdis_old, emh_new]
    assert set(by_destination(attempts)) == {"CDIS", "EMHware"}
    assert latest_per_destination(attempts) == (emh_new, cdis_new)
    assert responses_needed(attempts) == (cdis_new,)


@pytest.mark.parametrize(
    ("cdis", "emh", "kind", "rule", "destination"),
    [
        ((S, None), (S, None), DecisionKind.CLEAR, "R1", None),
        ((S, None), (F, 502), DecisionKind.RESEND, "R2", "EMHware"),
        ((F, 502), (S, None), DecisionKind.RESEND, "R2", "CDIS"),
        ((S, None), (P, None), DecisionKind.WAIT, "R3", "EMHware"),
        ((F, 502), (P, None), DecisionKind.WAIT, "R3", "EMHware"),  # no Resend while any attempt runs
        ((S, None), (F, 400), DecisionKind.FIX, "R5", "EMHware"),
        ((F, 400), (F, 502), DecisionKind.RESEND, "R2", "EMHware"),
        ((F, 400), (F, 200), DecisionKind.ESCALATE, "R7", "EMHware"),
        ((S, None), (F, None), DecisionKind.ESCALATE, "R8", "EMHware"),
        ((S, None), (F, 299), DecisionKind.ESCALATE, "R7", "EMHware"),
    ],
)
def test_each_destination_is_judged_on_its_own_latest_attempt(
    cdis: tuple[AttemptStatus, int | None],
    emh: tuple[AttemptStatus, int | None],
    kind: DecisionKind,
    rule: str,
    destination: str | None,
) -> None:
    texts = {400: POSTAL, 502: "Bad Gateway", 200: "OK"}
    a, b = attempt(10, cdis[0]), attempt(12, emh[0], to="EMHware")
    older = [attempt(0, S), attempt(1, S, to="EMHware")]
    responses = {x.key: response(code, texts.get(code, "")) for x, (_, code) in ((a, cdis), (b, emh)) if code}
    for attempts in ([*older, a, b], [b, a, *older]):
        decision = decide(attempts, responses, [], POLICY, NOW)
        assert (decision.kind, decision.rule, decision.destination) == (kind, rule, destination)
        if destination is not None:
            assert decision.reason.startswith(f"{destination}: ")
            chosen = a if destination == "CDIS" else b
            assert decision.attempt_key == chosen.key  # Resend goes on the failed destination's latest row


def test_never_clears_while_one_destination_failed_even_if_the_other_succeeded_later() -> None:
    failed = attempt(0, F, to="EMHware")
    later_success = attempt(30, S)
    decision = decide([failed, later_success], {failed.key: response(400, POSTAL)}, [], POLICY, NOW)
    assert decision.kind is not DecisionKind.CLEAR
    assert latest_attempt([failed, later_success]) == later_success  # what a per-referral reading would see


def test_the_other_destinations_verdicts_are_kept_in_the_reason() -> None:
    a, b = attempt(10, F), attempt(12, F, to="EMHware")
    decision = decide([a, b], {a.key: response(400, POSTAL), b.key: response(502)}, [], POLICY, NOW)
    assert decision.kind is DecisionKind.RESEND
    assert "CDIS: " in decision.reason and "postal code" in decision.reason


def test_a_failed_destination_without_a_response_read_is_unreadable_not_guessed() -> None:
    a, b = attempt(10, F), attempt(12, F, to="EMHware")
    decision = decide([a, b], {b.key: response(502)}, [], POLICY, NOW)
    assert (decision.kind, decision.destination) == (DecisionKind.RESEND, "EMHware")
    only_a = decide([a, b], {a.key: response(400, POSTAL)}, [], POLICY, NOW)
    assert (only_a.kind, only_a.rule, only_a.destination) == (DecisionKind.ESCALATE, "R8", "EMHware")


def test_resends_are_counted_per_destination() -> None:
    """Two resends to CDIS do not use up EMHware's; the ledger's records go to their own destination."""
    c0, c1, c2 = attempt(0), attempt(10), attempt(20)
    e0 = attempt(5, F, to="EMHware")
    history = [resend(c0, c1), resend(c1, c2)]
    responses = {c2.key: response(502), e0.key: response(502)}
    decision = decide([c0, c1, c2, e0], responses, history, POLICY, NOW)
    assert (decision.kind, decision.destination, decision.attempt_key) == (DecisionKind.RESEND, "EMHware", e0.key)
    escalated = decide([c0, c1, c2], {c2.key: response(502)}, history, POLICY, NOW)
    assert escalated.rule == "R4"


def test_one_destination_reads_exactly_as_before() -> None:
    a = attempt(0)
    decision = decide([a], response(502), [], POLICY, NOW)
    assert decision.destination == "CDIS"
    assert decision.reason.startswith("The latest attempt failed with http_code 502")
    assert decide([a], {a.key: response(502)}, [], POLICY, NOW) == decision
