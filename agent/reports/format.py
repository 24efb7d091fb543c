"""Small formatting helpers shared by every report form (HTML, Markdown, CSV).

They live apart from the templates so that the HTML report, the e-mail body and the spreadsheet
say a time, a change or a shortened reply in exactly the same words.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

# Caredove is a Canadian service and its support hours are Eastern; the site shows times in the
# clinic's zone. Callers pass Settings.zone; this is only the default when they do not.
DEFAULT_ZONE = ZoneInfo("America/Toronto")

# How much of a partner's reply a report shows: enough for support to recognise it, short enough
# to keep a page of escalations readable. The caller has already scrubbed and shortened it.
TEXT_LIMIT = 300


def aware(moment: datetime) -> datetime:
    """Treats a naive time as UTC, so that a report never shows a time in an unknown zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def fmt_time(moment: datetime | None, zone: ZoneInfo = DEFAULT_ZONE, *, seconds: bool = False) -> str:
    """``Tue 14 May 2024, 02:03`` (``02:03:07`` where order matters): the page's one date style.

    The zone is not repeated on every time: a page says it once, in its header."""
    if moment is None:
        return "unknown"
    local = aware(moment).astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}" + (f":{local:%S}" if seconds else "")


def fmt_stamp(moment: datetime | None, zone: ZoneInfo = DEFAULT_ZONE) -> str:
    """``Tue 14 May 2024, 02:03 EDT``: the page's style with the zone, for text that leaves the page
    (a message pasted to support, an e-mail subject)."""
    if moment is None:
        return "unknown"
    return f"{fmt_time(moment, zone)} {aware(moment).astimezone(zone):%Z}"


def fmt_span(start: datetime, end: datetime, zone: ZoneInfo = DEFAULT_ZONE) -> str:
    """``Tue 14 May 2024, 02:00:00–02:07:05``: the day said once when both ends share it."""
    first = fmt_time(start, zone, seconds=True)
    a, b = aware(start).astimezone(zone), aware(end).astimezone(zone)
    last = f"{b:%H:%M:%S}" if a.date() == b.date() else fmt_time(end, zone, seconds=True)
    return f"{first}–{last}"


def zone_name(moment: datetime, zone: ZoneInfo = DEFAULT_ZONE) -> str:
    """``EDT (America/Toronto)``: how a page says its zone, once."""
    return f"{aware(moment).astimezone(zone):%Z} ({zone.key})"


def fmt_short(moment: datetime, zone: ZoneInfo = DEFAULT_ZONE) -> str:
    """``14 May 02:03``: for chart axes and dense tables where the zone is said once nearby."""
    local = aware(moment).astimezone(zone)
    return f"{local.day} {local:%b %H:%M}"


# What the rules write into a reason: ``2026-12-01 15:27 UTC-05:00`` and ``http_code 504``.
_RULE_TIME = re.compile(r"\b(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})(:\d{2})? UTC(?:([+-]\d{2}):?(\d{2}))?\b")


def plain_words(text: str, zone: ZoneInfo = DEFAULT_ZONE) -> str:
    """A decision's reason in the page's words: its dates in the page's style and zone, and
    "HTTP status" where the procedure says ``http_code`` (a support lead's word, not curl's)."""

    def local(match: re.Match[str]) -> str:
        hours, minutes = match.group(4), match.group(5)
        tz = UTC
        if hours and minutes:
            sign = -1 if hours.startswith("-") else 1
            tz = timezone(sign * timedelta(hours=abs(int(hours)), minutes=int(minutes)))
        stamp = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}{match.group(3) or ''}")
        moment = stamp.replace(tzinfo=tz)
        return fmt_time(moment, zone, seconds=match.group(3) is not None)

    return _RULE_TIME.sub(local, text).replace("http_code", "HTTP status")


def fmt_duration(span: timedelta) -> str:
    """``7 min 5 s``; a negative or absurd span (clock trouble) is shown as it is, not hidden."""
    seconds = int(span.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours} h {minutes} min"
    if minutes:
        return f"{sign}{minutes} min {secs} s"
    return f"{sign}{secs} s"


def fmt_delta(delta: int | None) -> str:
    """``+2``, ``−1`` (a real minus sign), ``±0``; ``n/a`` when there is no previous sweep."""
    if delta is None:
        return "n/a"
    if delta > 0:
        return f"+{delta}"
    if delta < 0:
        return f"−{-delta}"
    return "±0"


def shorten(text: str | None, limit: int = TEXT_LIMIT) -> str:
    """One line, at most ``limit`` characters, ``…`` when cut (word boundary when one is near)."""
    if not text:
        return ""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def safe_relative(path: str | None) -> str | None:
    """The screenshot path if it stays inside the sweep folder, else None.

    report.json is read back from disk; a path that is absolute, climbs out with ``..`` or carries a
    URL scheme would make the report load something else, so it is not linked at all.
    """
    if not path or "\\" in path or ":" in path:
        return None
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts:
        return None
    return pure.as_posix()
