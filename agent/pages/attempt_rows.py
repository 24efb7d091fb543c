"""The attempts table, as read by ``tables.read_table``, turned into attempts (pure: no browser).

Columns are found by their header labels; every row is one attempt, whatever the order and however
many destinations are interleaved. A date or status that cannot be read fails the whole window with
ValueUnreadable (naming the kind of value and the referral, never the value): the rules must never
decide on a window read in part. Each attempt also gets a :class:`RowKey`, what tells its row apart
on screen, so a click can find that one row again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from agent.errors import ValueUnreadable
from agent.models import Attempt, AttemptStatus, TriggersWindow
from agent.pages.attempt_values import DateOrder, numeric_order, read_date, read_status
from agent.pages.dom import rx
from agent.pages.tables import Row, Table, cell_text, column
from agent.settings import Labels


@dataclass(frozen=True)
class RowKey:
    """What tells an attempt's row apart on screen (the window gives rows no id)."""

    machine: str | None
    date_text: str
    trigger: str
    destination: str


def read_attempts(
    table: Table, labels: Labels, zone: ZoneInfo, reference: str
) -> tuple[TriggersWindow, dict[str, RowKey]]:
    """The window's attempts in the order shown, and each attempt's row key by ``Attempt.key``."""
    cols = {
        "date": column(table["headers"], labels.date_column),
        "trigger": column(table["headers"], labels.trigger_column),
        "destination": column(table["headers"], labels.destination_column),
        "status": column(table["headers"], labels.attempt_status_column),
        "response": column(table["headers"], labels.response_column),
    }
    rows = [row for row in table["rows"] if row["cells"]]
    texts = [cell_text(row, cols["date"]) for row in rows]
    texts += [t for row in rows for t in (_cell(row, cols["date"]) or {}).get("titles", [])]
    order = numeric_order(texts)
    attempts: list[Attempt] = []
    keys: dict[str, RowKey] = {}
    for row in rows:
        attempt, key = _attempt(row, cols, order, labels, zone, reference)
        attempts.append(attempt)
        keys[attempt.key] = key
    window = TriggersWindow(reference=reference, attempts=tuple(attempts), clear_available=table["button"])
    return window, keys


def _attempt(
    row: Row, cols: dict[str, int | None], order: DateOrder, labels: Labels, zone: ZoneInfo, reference: str
) -> tuple[Attempt, RowKey]:
    where = f"an attempt in referral {reference}'s Integration Triggers window"
    date_cell = _cell(row, cols["date"])
    visible = date_cell["text"] if date_cell else ""
    machine = date_cell["datetime"] if date_cell else None
    at = read_date(machine, visible, date_cell["titles"] if date_cell else [], zone, order)
    if at is None:
        raise ValueUnreadable(
            f"the date of {where} is not readable",
            fix="the referral is reported for a person to look at; a date format setting may be needed",
        )
    status = _status(_cell(row, cols["status"]), labels)
    if status is None:
        raise ValueUnreadable(
            f"the status of {where} is not readable",
            fix="the referral is reported for a person to look at; labels.success/failed/pending may need adjusting",
        )
    response_cell = _cell(row, cols["response"])
    trigger = cell_text(row, cols["trigger"])
    destination = cell_text(row, cols["destination"])
    attempt = Attempt(
        at=at,
        trigger=trigger,
        destination=destination,
        status=status,
        response_url=response_cell["href"] if response_cell else None,
    )
    return attempt, RowKey(machine=machine, date_text=visible, trigger=trigger, destination=destination)


def _status(cell: Any, labels: Labels) -> AttemptStatus | None:
    """From every place the cell says it: the icon's name, a ``title``, the text."""
    sources = [cell["icon"], *cell["titles"], cell["text"]] if cell else []
    return read_status(sources, success=rx(labels.success), failed=rx(labels.failed), pending=rx(labels.pending))


def _cell(row: Row, index: int | None) -> Any:
    if index is None or index >= len(row["cells"]):
        return None
    return row["cells"][index]
