"""Where the time goes: every Playwright call of a floor run and of a sweep, counted and timed.

cProfile cannot attribute time across the sync API's greenlet switches, so instead each public
``Page``/``Locator`` method that talks to the browser is wrapped for the duration of one run.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Locator, Page

CALLS: dict[type, tuple[str, ...]] = {
    Locator: ("click", "wait_for", "is_visible", "count", "get_attribute", "evaluate", "inner_text", "fill"),
    Page: ("goto", "bring_to_front", "evaluate", "wait_for_function", "wait_for_load_state", "reload", "screenshot"),
}


@dataclass(frozen=True)
class CallProfile:
    seconds: dict[str, float]
    calls: dict[str, int]

    def per_referral(self, referrals: int) -> list[tuple[str, float, float]]:
        """(call, calls per referral, milliseconds per referral), most expensive first."""
        rows = [(name, self.calls[name] / referrals, 1000 * s / referrals) for name, s in self.seconds.items()]
        return sorted(rows, key=lambda row: -row[2])


@contextmanager
def counting() -> Iterator[Callable[[], CallProfile]]:
    seconds: defaultdict[str, float] = defaultdict(float)
    calls: Counter[str] = Counter()
    originals: list[tuple[type, str, Any]] = []

    def wrap(cls: type, name: str) -> None:
        original = getattr(cls, name)
        label = f"{cls.__name__}.{name}"

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[label] += time.perf_counter() - started
                calls[label] += 1

        originals.append((cls, name, original))
        setattr(cls, name, timed)

    for cls, names in CALLS.items():
        for name in names:
            wrap(cls, name)
    try:
        yield lambda: CallProfile(dict(seconds), dict(calls))
    finally:
        for cls, name, original in originals:
            setattr(cls, name, original)
