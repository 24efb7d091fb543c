"""What the survey makes of the tables it saw: which column holds what, the Resend and view controls
of a failed row, the date style. Pure: an inventory in, names and indexes out (no browser)."""

from __future__ import annotations

import re

from agent.pages.survey import Inventory, TableSeen
from agent.survey_labels import column_where


def main_table(seen: Inventory, *, in_dialog: bool) -> TableSeen | None:
    tables = [t for t in seen["tables"] if t["in_dialog"] == in_dialog and t["headers"]]
    return max(tables, key=lambda t: len(t["rows"]), default=None)


def dialog_only(seen: Inventory) -> Inventory:
    return {**seen, "controls": [c for c in seen["controls"] if c["in_dialog"]], "lines": []}


def name_column_words(table: TableSeen | None) -> set[str]:
    """Words of any column whose cells look like people's names (two or more capitalised words)."""
    if table is None:
        return set()
    words: set[str] = set()
    width = max((len(r) for r in table["rows"]), default=0)
    for index in range(width):
        cells = [r[index]["text"] for r in table["rows"] if index < len(r)]
        named = [c for c in cells if re.fullmatch(r"[A-Z][\w'’-]+(,? [A-Z][\w'’.-]+)+", c)]
        if cells and len(named) * 2 > len(cells) and len(set(cells)) * 2 > len(cells):
            words |= {w.lower() for c in named for w in re.findall(r"[^\W\d_]{3,}", c)}
    return words


def inbox_columns(table: TableSeen) -> dict[str, int | None]:
    reference = column_where(table, "reference")
    submitted = column_where(table, "date", {reference} if reference is not None else set())
    workflow = column_where(table, "buttons")
    return {"reference_column": reference, "submitted_column": submitted, "workflow_column": workflow}


def window_columns(table: TableSeen) -> dict[str, int | None]:
    date = column_where(table, "date")
    taken = {i for i in (date,) if i is not None}
    status = column_where(table, "status", taken)
    taken |= {status} if status is not None else set()
    response = column_where(table, "link", taken)
    trigger = column_where(table, "trigger", taken)
    destination = column_where(table, "partner", taken)
    return {"date_column": date, "attempt_status_column": status, "response_column": response,
            "trigger_column": trigger, "destination_column": destination}  # fmt: skip


def failed_row_button(table: TableSeen, status: int | None) -> str | None:
    for row in table["rows"]:
        texts = " ".join(" ".join([c["text"], *c["icons"]]) for c in row)
        if re.search(r"fail|error|red x", texts, re.IGNORECASE):
            for cell in row:
                if cell["buttons"]:
                    return cell["buttons"][0]
    return None


def column_link(table: TableSeen, index: int | None) -> str | None:
    if index is None:
        return None
    return next((r[index]["link"][0] for r in table["rows"] if index < len(r) and r[index]["link"]), None)


def date_style(texts: list[str], machine: bool) -> str:
    sample = " ".join(texts)
    style = ("ISO (2025-01-10 08:48)" if re.search(r"\d{4}-\d{2}-\d{2}", sample) else
             "month name first (January 10, 2025 …)" if re.search(r"[A-Za-z]{3,} \d{1,2},? \d{4}", sample) else
             "day first (10 Jan 2025 …)" if re.search(r"\d{1,2} [A-Za-z]{3,} \d{4}", sample) else "other")  # fmt: skip
    return style + ("; <time datetime> given" if machine else "; no <time datetime>")
