"""How long the agent waits before loading a page the site called too busy: pure, no browser."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from agent.pages.loads import MAX_BACKOFF_SECONDS, retry_after

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "attempt", "seconds"),
    [
        ("2", 0, 2.0),
        ("0.2", 0, 0.2),  # fractions, as a test site sends them
        (" 5 ", 3, 5.0),  # the site's word beats the back-off
        (None, 0, 0.5),
        ("", 1, 1.0),
        ("soon", 2, 2.0),  # unreadable: the doubling back-off
        (None, 10, MAX_BACKOFF_SECONDS),  # bounded
        ("86400", 0, MAX_BACKOFF_SECONDS),
        ("-3", 0, 0.0),
        (format_datetime(datetime(2026, 12, 2, 1, 0, 7, tzinfo=UTC), usegmt=True), 0, 7.0),  # an HTTP date
        (format_datetime(datetime(2026, 12, 2, 0, 59, tzinfo=UTC), usegmt=True), 0, 0.0),  # already past
    ],
)
def test_retry_after_honours_the_site_within_bounds(header: str | None, attempt: int, seconds: float) -> None:
    assert retry_after(header, attempt, now=NOW.timestamp()) == pytest.approx(seconds)
