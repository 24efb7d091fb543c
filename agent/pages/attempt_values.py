"""The two values of an attempt a person reads by eye: when it happened and how it went.

Pure (text in, value or None out) so every spelling a site may use is tested without a browser.
None means "not readable": the window raises ValueUnreadable for that referral and the rules never
act on a guess. Dates: the machine-readable ``<time datetime>`` when the page gives one, else the
visible text in the site's zone — 12- or 24-hour, month names either side of the day, ISO — as long
as it names a year, a day and a time to the minute. A numeric date whose day and month could be
swapped (``03/04/2025``) is read only when another date in the same window shows the order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from enum import StrEnum

from dateutil import parser as dateparser

from agent.models import AttemptStatus

NUMERIC_DATE = re.compile(r"(?<![\d./-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?![\d./-])")
# Words a site puts around a date that dateutil does not know.
FILLER = re.compile(r"\b(at|on|um|à|le)\b|,", re.IGNORECASE)
# Two defaults that differ in every field: a field the text did not give shows up as a difference.
PROBE_A = datetime(1901, 2, 3, 4, 5, 6)
PROBE_B = datetime(1902, 3, 4, 5, 6, 7)
LONGEST_DATE = 80


class DateOrder(StrEnum):
    DAY_FIRST = "day_first"
    MONTH_FIRST = "month_first"
    UNKNOWN = "unknown"
    CONFLICT = "conflict"


def numeric_order(texts: Iterable[str]) -> DateOrder:
    """Which of day and month comes first in a window's numeric dates, from the ones that show it."""
    day_first = month_first = False
    for text in texts:
        for first, second, _ in NUMERIC_DATE.findall(text or ""):
            day_first |= int(first) > 12
            month_first |= int(second) > 12
    if day_first and month_first:
        return DateOrder.CONFLICT
    if day_first:
        return DateOrder.DAY_FIRST
    if month_first:
        return DateOrder.MONTH_FIRST
    return DateOrder.UNKNOWN


def read_machine_date(value: str | None, zone: tzinfo) -> datetime | None:
    """A ``<time datetime>`` value with a time of day (a bare date cannot order two attempts)."""
    raw = (value or "").strip()
    if len(raw) < 16 or raw[10] not in "T ":
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def read_visible_date(text: str, zone: tzinfo, order: DateOrder = DateOrder.UNKNOWN) -> datetime | None:
    """A date as the page prints it, or None when a field is missing, ambiguous or not a date."""
    raw = " ".join((text or "").split())
    if not raw or len(raw) > LONGEST_DATE or not re.search(r"\d{1,2}:\d{2}", raw):
        return None
    numeric = NUMERIC_DATE.findall(raw)
    if numeric and order is DateOrder.CONFLICT:
        return None
    swappable = any(a != b and int(a) <= 12 and int(b) <= 12 for a, b, _ in numeric)
    if swappable and order is DateOrder.UNKNOWN:
        return None
    day_first = order is DateOrder.DAY_FIRST
    cleaned = FILLER.sub(" ", raw)
    try:
        a = dateparser.parse(cleaned, default=PROBE_A, dayfirst=day_first)
        b = dateparser.parse(cleaned, default=PROBE_B, dayfirst=day_first)
    except (ValueError, OverflowError):
        return None
    if (a.year, a.month, a.day, a.hour, a.minute) != (b.year, b.month, b.day, b.hour, b.minute):
        return None  # the text left out the year, the day or the time
    moment = a if a.second == b.second else a.replace(second=0)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def read_date(
    machine: str | None, visible: str, titles: Sequence[str], zone: tzinfo, order: DateOrder
) -> datetime | None:
    """The attempt's date from the best source the cell offers: ``datetime``, the text, a tooltip."""
    found = read_machine_date(machine, zone)
    if found is not None:
        return found
    for text in (visible, *titles):
        found = read_visible_date(text, zone, order)
        if found is not None:
            return found
    return None


def read_status(
    sources: Iterable[str | None], *, success: re.Pattern[str], failed: re.Pattern[str], pending: re.Pattern[str]
) -> AttemptStatus | None:
    """The status from every place a cell can say it: an icon's name, a ``title``, the text.

    Each source is read on its own: pending wins (never act on an unfinished attempt), then failed
    before success within one source ("Unsuccessful", "Not sent"). Sources that disagree — one says
    failed, another success — are not guessed between."""
    seen: set[AttemptStatus] = set()
    for source in sources:
        text = (source or "").strip()
        if not text:
            continue
        if pending.search(text):
            seen.add(AttemptStatus.PENDING)
        elif failed.search(text):
            seen.add(AttemptStatus.FAILED)
        elif success.search(text):
            seen.add(AttemptStatus.SUCCESS)
    if AttemptStatus.PENDING in seen:
        return AttemptStatus.PENDING
    if len(seen) == 1:
        return seen.pop()
    return None
