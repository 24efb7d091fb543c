"""The ledger: intents survive a crash, history spans sweeps, nights are counted once per night."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from agent.ledger import Ledger
from agent.models import ActionType, Attempt, AttemptStatus

BASE = "https://inbox.example"
T0 = datetime(2026, 11, 24, 2, 30, tzinfo=UTC)


def failed(at: datetime) -> Attempt:
    return Attempt(at=at, trigger="Received", destination="CDIS", status=AttemptStatus.FAILED)


def test_an_intent_written_before_a_kill_is_still_there_after(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    ledger = Ledger(path)
    ledger.start_sweep("s1", BASE, T0, dry_run=False)
    ledger.intend("s1", BASE, "3502768696", ActionType.RESEND, failed(T0), T0)
    # no close, no confirm: as if the process was killed right after the click
    reopened = Ledger(path)
    history = reopened.resend_history(BASE, "3502768696")
    assert len(history) == 1
    assert history[0].answers == failed(T0).key
    assert history[0].confirmed is False
    assert [(row.reference, row.state) for row in reopened.actions(BASE)] == [("3502768696", "intent")]


def test_a_confirmed_resend_remembers_the_attempt_it_produced(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        action = ledger.intend("s1", BASE, "1", ActionType.RESEND, failed(T0), T0)
        ledger.confirm(action, T0 + timedelta(seconds=2), produced="new-key")
        [record] = ledger.resend_history(BASE, "1")
        assert record.confirmed
        assert record.produced == "new-key"


def test_an_abandoned_intent_is_not_counted_as_a_resend(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        action = ledger.intend("s1", BASE, "1", ActionType.RESEND, failed(T0), T0)
        ledger.abandon(action, "the button was never clicked")
        assert ledger.resend_history(BASE, "1") == []


def test_clears_are_not_resends_and_inboxes_are_kept_apart(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.intend("s1", BASE, "1", ActionType.CLEAR, failed(T0), T0)
        ledger.intend("s1", "https://other.example", "1", ActionType.RESEND, failed(T0), T0)
        assert ledger.resend_history(BASE, "1") == []


def test_nights_open_grow_once_per_night_and_restart_after_a_clear(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        assert ledger.sighted(BASE, "1", T0, date(2026, 11, 23)).nights_open == 1
        assert ledger.sighted(BASE, "1", T0, date(2026, 11, 23)).nights_open == 1
        second = ledger.sighted(BASE, "1", T0 + timedelta(days=1), date(2026, 11, 24))
        assert second.nights_open == 2
        assert second.first_seen == T0
        ledger.settle(BASE, "1", "cleared")
        assert ledger.sighted(BASE, "1", T0, date(2026, 11, 25)).nights_open == 1


def _sweep_status(ledger: Ledger, sweep_id: str) -> str:
    """Read from the file itself, as an operator would with sqlite3."""
    return str(ledger._db.execute("SELECT status FROM sweeps WHERE id = ?", (sweep_id,)).fetchone()[0])


def test_sweeps_are_recorded_with_their_status(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.start_sweep("s1", BASE, T0, dry_run=True)
        assert _sweep_status(ledger, "s1") == "running"
        ledger.finish_sweep("s1", T0, status="finished", summary={"cleared": 1})
        assert _sweep_status(ledger, "s1") == "finished"
