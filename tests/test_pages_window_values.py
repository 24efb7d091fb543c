"""Browser-free: the origin check of `view` links and the reading of attempt dates and statuses."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from agent.errors import ValueUnreadable
from agent.models import AttemptStatus
from agent.pages.attempt_rows import read_attempts
from agent.pages.attempt_values import DateOrder, numeric_order, read_date, read_status, read_visible_date
from agent.pages.base import rx
from agent.pages.click_watch import verdict
from agent.rules.origin import refusal
from agent.settings import Labels

SITE = "https://app.caredove.example"
TORONTO = ZoneInfo("America/Toronto")


@pytest.mark.parametrize(
    "address",
    [
        "https://app.caredove.example/referrals/1/attempts/2/response",
        "https://APP.caredove.example:443/x",
        "https://app.caredove.example/x?a=1#frag",
    ],
)
def test_an_address_on_the_sites_own_origin_is_allowed(address: str) -> None:
    assert refusal(address, SITE) is None


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("file:///etc/passwd", "file: address"),
        ("javascript:alert(1)", "javascript: address"),
        ("data:text/html,<b>x</b>", "data: address"),
        ("blob:https://app.caredove.example/1", "blob: address"),
        ("http://app.caredove.example/x", "another site (http://app.caredove.example)"),
        ("https://app.caredove.example:8443/x", "another site (https://app.caredove.example:8443)"),
        ("https://evil.example/x", "another site (https://evil.example)"),
        ("https://app.caredove.example.evil.example/x", "another site"),
        ("https://app.caredove.example@evil.example/x", "user name"),
        ("https://user:pw@app.caredove.example/x", "user name"),
        ("https://app.caredove.example\\@evil.example/x", "backslashes"),
        ("https://app.caredove.example/x y", "spaces"),
        ("//evil.example/x", "not an absolute address"),
        ("/referrals/1/attempts/2/response", "not an absolute address"),
        ("", "no address"),
        ("https://app.caredove.example:99999/x", "not a well-formed address"),
    ],
)
def test_anything_else_is_refused_with_a_reason_that_names_no_path(address: str, why: str) -> None:
    reason = refusal(address, SITE)
    assert reason is not None and why in reason
    assert "passwd" not in reason and "/x" not in reason.split("(")[-1]


def test_a_site_on_a_non_default_port_allows_its_own_port_only() -> None:
    assert refusal("http://127.0.0.1:8123/r", "http://127.0.0.1:8123") is None
    assert refusal("http://127.0.0.1:8124/r", "http://127.0.0.1:8123") is not None
    assert refusal("http://localhost:8123/r", "http://127.0.0.1:8123") is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("January 10, 2025 at 8:48:32 AM", datetime(2025, 1, 10, 8, 48, 32)),
        ("January 10, 2025 8:48 PM", datetime(2025, 1, 10, 20, 48)),
        ("10 Jan 2025 08:48", datetime(2025, 1, 10, 8, 48)),
        ("10 January 2025 at 14:03:09", datetime(2025, 1, 10, 14, 3, 9)),
        ("Fri, 10 Jan 2025 8:48 pm", datetime(2025, 1, 10, 20, 48)),
        ("2025-01-10 08:48:32", datetime(2025, 1, 10, 8, 48, 32)),
        ("2025-01-10T08:48:32", datetime(2025, 1, 10, 8, 48, 32)),
        ("13/01/2025 08:48", datetime(2025, 1, 13, 8, 48)),
        ("01/13/2025 08:48", datetime(2025, 1, 13, 8, 48)),
    ],
)
def test_visible_dates_in_every_common_spelling_are_read_in_the_sites_zone(text: str, expected: datetime) -> None:
    assert read_visible_date(text, TORONTO) == expected.replace(tzinfo=TORONTO)


@pytest.mark.parametrize(
    "text",
    ["Jan 10 8:48 AM", "January 10, 2025", "5", "Failed", "", "2 hours ago", "03/04/2025 10:00", "x" * 200],
)
def test_a_date_missing_a_year_a_time_or_an_order_is_not_guessed(text: str) -> None:
    assert read_visible_date(text, TORONTO) is None


def test_the_order_of_a_swappable_numeric_date_comes_from_the_windows_other_dates() -> None:
    texts = ["03/04/2025 10:00", "25/03/2025 09:00"]
    order = numeric_order(texts)
    assert order is DateOrder.DAY_FIRST
    assert read_visible_date(texts[0], TORONTO, order) == datetime(2025, 4, 3, 10, 0, tzinfo=TORONTO)
    assert numeric_order(["04/25/2025 10:00", "03/04/2025 10:00"]) is DateOrder.MONTH_FIRST
    conflict = numeric_order(["25/03/2025 10:00", "03/25/2025 10:00"])
    assert conflict is DateOrder.CONFLICT and read_visible_date("25/03/2025 10:00", TORONTO, conflict) is None


def test_the_time_element_wins_over_the_visible_text_and_a_tooltip_is_the_last_resort() -> None:
    machine = "2025-01-10T08:48:32.123-05:00"
    assert read_date(machine, "2 minutes ago", [], TORONTO, DateOrder.UNKNOWN) == datetime.fromisoformat(machine)
    assert read_date("2025-01-10", "2 minutes ago", ["2025-01-10 08:48"], TORONTO, DateOrder.UNKNOWN) == datetime(
        2025, 1, 10, 8, 48, tzinfo=TORONTO
    )
    assert read_date(None, "2 minutes ago", ["Sent by Caredove"], TORONTO, DateOrder.UNKNOWN) is None


LABELS = Labels()
PATTERNS = {"success": rx(LABELS.success), "failed": rx(LABELS.failed), "pending": rx(LABELS.pending)}


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (["Success", "✓Success"], AttemptStatus.SUCCESS),  # icon name + text
        (["Failed"], AttemptStatus.FAILED),  # icon only
        ([None, "Failed", "✕"], AttemptStatus.FAILED),  # title only, glyph text
        (["✓"], AttemptStatus.SUCCESS),
        (["✕"], AttemptStatus.FAILED),
        (["Unsuccessful"], AttemptStatus.FAILED),
        (["Not sent"], AttemptStatus.FAILED),
        (["Pending"], AttemptStatus.PENDING),
        (["Success", "Sending…"], AttemptStatus.PENDING),
        (["Success", "Failed"], None),  # the icon and the text disagree
        (["Delivered?"], None),
        ([], None),
        (["", None], None),
    ],
)
def test_status_is_read_from_icon_name_title_or_text_and_never_guessed(
    sources: list[str | None], expected: AttemptStatus | None
) -> None:
    assert read_status(sources, **PATTERNS) is expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], "none"),
        ([401], "refused"),
        ([403, 419], "refused"),
        ([401, 200], "applied"),  # the page retried with a fresh token and the site took it
        ([302], "applied"),
        ([None], "in_flight"),
        ([401, None], "in_flight"),  # a second write still on its way: not concluded yet
        ([500], "failed"),  # commit-then-fail: it may have been applied, so it is never repeated
        ([0], "failed"),
        ([401, 500], "failed"),
    ],
)
def test_a_clicks_writes_say_whether_it_happened(statuses: list[int | None], expected: str) -> None:
    assert verdict(statuses) == expected


def _table(*rows: tuple[str, str, str, str]) -> Any:
    headers = ["Date", "Trigger", "Destination", "Status", "Response", ""]

    def cell(text: str, **extra: Any) -> dict[str, Any]:
        return {"text": text, "datetime": None, "icon": None, "href": None, "controls": [], "titles": [], **extra}

    body = [
        {
            "index": i + 1,
            "flagged": False,
            "cells": [
                cell(date),
                cell(trigger),
                cell(destination),
                cell("", titles=[status]),  # an icon with only a title
                cell("view", href=f"https://site.example/r/{i}", controls=["view"]),
                cell("Resend" if status == "Failed" else "", controls=["Resend"] if status == "Failed" else []),
            ],
        }
        for i, (date, trigger, destination, status) in enumerate(rows)
    ]
    return {"headers": headers, "rows": body, "button": True, "notes": []}


def test_interleaved_destinations_are_all_read_in_the_order_shown_with_their_row_keys() -> None:
    table = _table(
        ("03/04/2025 10:00", "Received", "CDIS", "Failed"),
        ("03/04/2025 10:05", "Received", "Ocean eReferral", "Success"),
        ("25/03/2025 09:00", "Received", "CDIS", "Success"),  # shows the site writes the day first
    )
    window, keys = read_attempts(table, LABELS, TORONTO, "3502768696")
    assert [(a.destination, a.status, a.at.month, a.at.day) for a in window.attempts] == [
        ("CDIS", AttemptStatus.FAILED, 4, 3),
        ("Ocean eReferral", AttemptStatus.SUCCESS, 4, 3),
        ("CDIS", AttemptStatus.SUCCESS, 3, 25),
    ]
    assert window.clear_available
    assert keys[window.attempts[1].key].destination == "Ocean eReferral"


def test_one_unreadable_cell_fails_the_window_naming_the_kind_of_value_not_the_value() -> None:
    with pytest.raises(ValueUnreadable, match="the status of an attempt in referral 3502768696") as status:
        read_attempts(_table(("2025-01-10 08:48", "Received", "CDIS", "Smith, Jane")), LABELS, TORONTO, "3502768696")
    with pytest.raises(ValueUnreadable, match="the date of an attempt") as date:
        read_attempts(_table(("Smith, Jane", "Received", "CDIS", "Failed")), LABELS, TORONTO, "3502768696")
    assert "Smith" not in str(status.value) and "Smith" not in str(date.value)
