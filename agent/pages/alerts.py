"""Alerts that are a click's answer: the ones that were not on screen before it.

A standing banner with ``role=alert`` (maintenance tonight, an outage notice) is not what a Resend or a
clear said. :class:`AlertWatch` snapshots the alerts before the click; ``new()`` reports only those
that appeared or changed since (the multiset of texts is compared, so the same text appearing a second
time counts). Alerts inside open shadow roots are seen too.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator

from agent.pages.dom import DOM_JS

if TYPE_CHECKING:
    from agent.pages.base import Screen

ALERTS_JS = (
    "(root) => {\n"
    + DOM_JS
    + """
    return D.find(root || document, (e) => ['alert', 'alertdialog'].includes(D.role(e)) && D.visible(e))
        .map((e) => D.text(e)).filter(Boolean);
}"""
)


class AlertWatch:
    """The alerts on screen before a click, so that only a new or changed one is taken as its answer.

    A standing banner with ``role=alert`` is not what the click said; the same text appearing a
    second time is (the multiset of texts is compared)."""

    def __init__(self, screen: Screen, scope: Locator | None = None) -> None:
        self._screen = screen
        self._scope = scope
        self.before = Counter(self._texts())

    def new(self) -> list[str]:
        """Alert texts shown now that were not shown before (each standing one discounted once)."""
        left = Counter(self.before)
        out = []
        for text in self._texts():
            if left[text] > 0:
                left[text] -= 1
            else:
                out.append(text)
        return out

    def _texts(self) -> list[str]:
        try:
            if self._scope is not None:
                found: Any = self._scope.evaluate(ALERTS_JS)
            else:
                found = self._screen.page.evaluate(ALERTS_JS, None)
        except PlaywrightError:
            return []
        return [str(t) for t in found]
