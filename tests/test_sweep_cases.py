"""One referral's explicit state through a sweep, and the report line it becomes: no browser."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent.cases import GONE, Case, Decided, Finished, Seen, State
from agent.models import Attempt, AttemptStatus, Outcome, TriggersWindow
from agent.policy import Policy
from agent.rules.decide import decide
from agent.rules.reader import read_response
from agent.waiting import Waiting

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
POSTAL = "'Primary Contact's Postal Code (Patient.contact[0].address.postCode)' is missing."


def window(*attempts: Attempt) -> TriggersWindow:
    return TriggersWindow(reference="3502768696", attempts=attempts)


def at(minutes: int, status: AttemptStatus, to: str, trigger: str = "Received") -> Attempt:
    return Attempt(at=T0 + timedelta(minutes=minutes), trigger=trigger, destination=to, status=status)


def state_of(case: Case) -> State:
    return case.state


def test_a_case_moves_through_explicit_states() -> None:
    case = Case(reference="3502768696")
    assert isinstance(state_of(case), Seen) and not case.final and case.waiting is None
    failed = at(0, AttemptStatus.FAILED, "CDIS")
    case.window = window(failed)
    decision = decide([failed], read_response(json.dumps({"http_code": 502, "text": ""})), [], Policy(), T0)
    case.decided(decision)
    assert state_of(case) == Decided(decision) and case.outcome is None
    case.wait(Waiting(deadline=10.0, next_look=1.0))
    assert case.waiting == Waiting(deadline=10.0, next_look=1.0) and not case.final
    case.finish(Outcome.PENDING, "still pending")
    assert state_of(case) == Finished(Outcome.PENDING, "still pending", "R2") and case.final and case.waiting is None


def test_the_report_line_names_the_destination_the_decision_concerns(tmp_path: Path) -> None:
    """CRMS refused the postal code; CDIS took the referral later: the fix is CRMS's, with its text."""
    crms, cdis = at(0, AttemptStatus.FAILED, "CRMS", "Edited"), at(5, AttemptStatus.SUCCESS, "CDIS", "Booked")
    case = Case(reference="3502768696", window=window(cdis, crms))
    case.responses[crms.key] = read_response(json.dumps({"http_code": 400, "text": POSTAL}))
    case.decided(decide(case.window.attempts if case.window else (), case.responses, [], Policy(), T0))
    case.finish(Outcome.FIX)
    line = case.result(tmp_path)
    assert (line.destination, line.trigger, line.http_code, line.rule) == ("CRMS", "Edited", 400, "R5")
    assert line.path == "Patient.contact[0].address.postCode" and line.text
    assert line.attempt_dates == [crms.at, cdis.at]


def test_a_referral_no_longer_flagged_keeps_its_evidence(tmp_path: Path) -> None:
    case = Case(reference="3502768696")
    shot = tmp_path / "screenshots" / "gone.png"
    case.fail("No longer flagged when the agent came back to it", str(shot), rule=GONE)
    line = case.result(tmp_path)
    assert (line.outcome, line.rule, line.screenshot) == (Outcome.ERROR, GONE, "screenshots/gone.png")


def test_an_unfinished_case_reports_pending(tmp_path: Path) -> None:
    assert Case(reference="3502768696").result(tmp_path).outcome is Outcome.PENDING
