"""What the agent did, remembered across sweeps and across crashes.

Every state-changing click is written here as an *intent* and committed to disk **before** the click,
then *confirmed* once the page shows it took effect. An intent that was never confirmed — the process
was killed between the click and the confirmation, or the page answered with an error — still counts
as done: the rules then refuse to click Resend again until a finished attempt shows (never-item 2).

One ledger may serve several inboxes; every row is keyed by the inbox's base URL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from agent.errors import LedgerUnavailable, SettingsError
from agent.models import ActionType, Attempt, ResendRecord

SCHEMA_VERSION = 1
"""The ledger's schema, in ``PRAGMA user_version``; raise it with every change to SCHEMA."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS sweeps (
    id TEXT PRIMARY KEY,
    base_url TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    dry_run INTEGER NOT NULL,
    status TEXT NOT NULL,              -- running | finished | failed | stopped
    summary TEXT                       -- JSON: counts per outcome
);
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY,
    sweep_id TEXT NOT NULL,
    base_url TEXT NOT NULL,
    reference TEXT NOT NULL,
    action TEXT NOT NULL,              -- resend | clear
    answers TEXT NOT NULL,             -- key of the attempt the action answers
    answers_at TEXT NOT NULL,
    intent_at TEXT NOT NULL,
    confirmed_at TEXT,
    produced TEXT,                     -- key of the attempt a resend produced, once seen
    state TEXT NOT NULL,               -- intent | confirmed | abandoned (never clicked)
    detail TEXT
);
CREATE INDEX IF NOT EXISTS actions_by_referral ON actions (base_url, reference, action);
CREATE TABLE IF NOT EXISTS referrals (
    base_url TEXT NOT NULL,
    reference TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    last_night TEXT NOT NULL,
    nights_open INTEGER NOT NULL,
    last_outcome TEXT,
    PRIMARY KEY (base_url, reference)
);
"""


class Sighting(BaseModel):
    """How long a referral has been showing an error, as the ledger has seen it."""

    model_config = ConfigDict(frozen=True)

    first_seen: datetime
    nights_open: int


class ActionRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    sweep_id: str
    reference: str
    action: ActionType
    answers: str
    intent_at: datetime
    confirmed_at: datetime | None
    produced: str | None
    state: str


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _unopenable(path: Path, exc: BaseException) -> SettingsError:
    return SettingsError(
        f"setting state ({path}): the ledger cannot be opened ({exc})",
        fix="point --state / CAREDOVE_STATE at a writable file",
    )


class Ledger:
    """The SQLite ledger. Each write is its own committed transaction: a kill loses nothing written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout=10000")  # first: a lock held elsewhere is waited for
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._migrate()
        except LedgerUnavailable:
            self._db.close()
            raise
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise LedgerUnavailable(
                    f"the ledger {path} is locked by another program",
                    fix="close whatever holds it (a sqlite3 shell, a backup or sync tool) and run again",
                ) from exc
            raise _unopenable(path, exc) from exc
        except (OSError, sqlite3.Error) as exc:
            raise _unopenable(path, exc) from exc

    def _migrate(self) -> None:
        """Creates the tables, or checks that an existing ledger's schema is one this version knows.

        ``PRAGMA user_version`` holds the schema version; 0 is a ledger from before versioning (the
        same tables) and is stamped. A newer ledger is left untouched: an older agent could misread it.
        """
        found = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise LedgerUnavailable(
                f"the ledger {self.path} was written by a newer caredove-agent (schema {found}; "
                f"this one knows {SCHEMA_VERSION})",
                fix="upgrade caredove-agent, or point --state / CAREDOVE_STATE at another ledger",
            )
        self._db.executescript(SCHEMA)
        if found < SCHEMA_VERSION:
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- sweeps ---------------------------------------------------------------------------------

    def start_sweep(self, sweep_id: str, base_url: str, started_at: datetime, *, dry_run: bool) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO sweeps (id, base_url, started_at, dry_run, status) VALUES (?, ?, ?, ?, 'running')",
                (sweep_id, base_url, _ts(started_at), int(dry_run)),
            )

    def finish_sweep(self, sweep_id: str, finished_at: datetime, *, status: str, summary: dict[str, int]) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE sweeps SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
                (_ts(finished_at), status, json.dumps(summary), sweep_id),
            )

    # --- actions ---------------------------------------------------------------------------------

    def intend(
        self,
        sweep_id: str,
        base_url: str,
        reference: str,
        action: ActionType,
        answers: Attempt,
        at: datetime,
    ) -> int:
        """Write the intent to click; committed before this returns, so it survives a kill."""
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO actions (sweep_id, base_url, reference, action, answers, answers_at, intent_at,"
                " state) VALUES (?, ?, ?, ?, ?, ?, ?, 'intent')",
                (sweep_id, base_url, reference, action.value, answers.key, _ts(answers.at), _ts(at)),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def confirm(self, action_id: int, at: datetime, *, produced: str | None = None) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE actions SET state = 'confirmed', confirmed_at = ?, produced = COALESCE(?, produced)"
                " WHERE id = ?",
                (_ts(at), produced, action_id),
            )

    def note(self, action_id: int, detail: str) -> None:
        """Why an intent stays unconfirmed (e.g. the page showed an error after the click)."""
        with self._tx() as db:
            db.execute("UPDATE actions SET detail = ? WHERE id = ?", (detail, action_id))

    def abandon(self, action_id: int, detail: str) -> None:
        """The click certainly did not happen (the control was never clicked)."""
        with self._tx() as db:
            db.execute("UPDATE actions SET state = 'abandoned', detail = ? WHERE id = ?", (detail, action_id))

    def resend_history(self, base_url: str, reference: str) -> list[ResendRecord]:
        """Every Resend that was (or may have been) clicked for this referral, oldest first."""
        rows = self._db.execute(
            "SELECT answers, answers_at, intent_at, state, produced FROM actions"
            " WHERE base_url = ? AND reference = ? AND action = 'resend' AND state != 'abandoned'"
            " ORDER BY id",
            (base_url, reference),
        ).fetchall()
        return [
            ResendRecord(
                answers=answers,
                answers_at=_dt(answers_at),
                clicked_at=_dt(intent_at),
                confirmed=state == "confirmed",
                produced=produced,
            )
            for answers, answers_at, intent_at, state, produced in rows
        ]

    def actions(self, base_url: str, reference: str | None = None) -> list[ActionRow]:
        query = (
            "SELECT id, sweep_id, reference, action, answers, intent_at, confirmed_at, produced, state"
            " FROM actions WHERE base_url = ?"
        )
        params: tuple[str, ...] = (base_url,)
        if reference is not None:
            query += " AND reference = ?"
            params += (reference,)
        return [
            ActionRow(
                id=row[0],
                sweep_id=row[1],
                reference=row[2],
                action=ActionType(row[3]),
                answers=row[4],
                intent_at=_dt(row[5]),
                confirmed_at=_dt(row[6]) if row[6] else None,
                produced=row[7],
                state=row[8],
            )
            for row in self._db.execute(query + " ORDER BY id", params)
        ]

    # --- referral history ------------------------------------------------------------------------

    def sighted(self, base_url: str, reference: str, at: datetime, night: date) -> Sighting:
        """Count this sweep's sighting of an error; a referral is open one more night per new night seen."""
        with self._tx() as db:
            row = db.execute(
                "SELECT first_seen, last_night, nights_open FROM referrals WHERE base_url = ? AND reference = ?",
                (base_url, reference),
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO referrals (base_url, reference, first_seen, last_seen, last_night, nights_open)"
                    " VALUES (?, ?, ?, ?, ?, 1)",
                    (base_url, reference, _ts(at), _ts(at), night.isoformat()),
                )
                return Sighting(first_seen=at, nights_open=1)
            first_seen, last_night, nights = row
            if night.isoformat() != last_night:
                nights += 1
            db.execute(
                "UPDATE referrals SET last_seen = ?, last_night = ?, nights_open = ?"
                " WHERE base_url = ? AND reference = ?",
                (_ts(at), night.isoformat(), nights, base_url, reference),
            )
            return Sighting(first_seen=_dt(first_seen), nights_open=nights)

    def settle(self, base_url: str, reference: str, outcome: str) -> None:
        """Remember the outcome; a cleared referral starts a fresh count if it errors again."""
        with self._tx() as db:
            if outcome == "cleared":
                db.execute("DELETE FROM referrals WHERE base_url = ? AND reference = ?", (base_url, reference))
            else:
                db.execute(
                    "UPDATE referrals SET last_outcome = ? WHERE base_url = ? AND reference = ?",
                    (outcome, base_url, reference),
                )
