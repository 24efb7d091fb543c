"""How long to wait before loading a page the site called too busy (429/503), bounded."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

MAX_BACKOFF_SECONDS = 30.0


def retry_after(header: str | None, attempt: int, now: float | None = None) -> float:
    """Seconds to wait before loading again: the site's ``Retry-After`` (seconds, fractions allowed,
    or an HTTP date), else a doubling back-off from half a second; never more than MAX_BACKOFF_SECONDS.
    ``attempt`` counts the loads already answered "too busy" (0 for the first)."""
    fallback: float = min(MAX_BACKOFF_SECONDS, 0.5 * (2.0**attempt))
    value = (header or "").strip()
    if not value:
        return fallback
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - (time.time() if now is None else now)
        except (TypeError, ValueError):
            return fallback
    return float(max(0.0, min(MAX_BACKOFF_SECONDS, seconds)))
