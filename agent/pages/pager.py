"""The inbox's pager, however the site draws it: Next as a link or a button, "Load more", or page
numbers only. A control disabled while rows load is waited for, never taken for the last page; a
page that says there is more than the pager lets the agent reach is an error, never a silent stop."""

from __future__ import annotations

import re

from playwright.sync_api import Locator
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from agent.errors import ControlMissing
from agent.pages.base import Screen, rx
from agent.pages.dom import DOM_JS
from agent.pages.settle import PATIENCE_MS, POLL_MS, Settled

NEXT_NUMBER_JS = (
    "() => {\n"
    + DOM_JS
    + r"""
    const number = (e) => { const m = /^\s*(?:go to )?(?:page )?(\d+)\s*$/i.exec(D.name(e)); return m ? +m[1] : null; };
    const marked = (e) => ['page', 'true', 'step'].includes(e.getAttribute('aria-current') || '')
        || e.getAttribute('aria-selected') === 'true' || e.getAttribute('aria-pressed') === 'true';
    const numbered = D.find(document, (e) => (D.isControl(e) || marked(e)) && number(e) !== null && D.visible(e));
    const current = numbered.find(marked);
    if (!current) return null;
    const next = number(current) + 1;
    return numbered.some((e) => number(e) === next && D.isControl(e)) ? next : null;
}"""
)
"""In a pager of page numbers only: the number after the current page, when it is offered."""

ENABLED_JS = """(el) => !(el.disabled || el.getAttribute('aria-disabled') === 'true' || el.hasAttribute('inert'))"""


class Pager(Screen):
    """Finds the control that shows the next rows; the inbox clicks it and checks the rows moved on."""

    def control(self, more_to_come: bool | None) -> Locator | None:
        """The enabled Next / Load more control, waited for while it is disabled and the list has more;
        None when there is none and the page does not say there is more."""
        name_next, name_more = rx(self.labels.next_page), rx(self.labels.load_more)
        page = self.page
        control = (
            page.get_by_role("link", name=name_next)
            .or_(page.get_by_role("button", name=name_next))
            .or_(page.get_by_role("button", name=name_more))
            .or_(page.get_by_role("link", name=name_more))
        ).filter(visible=True)
        if control.count() == 0:
            numbered = self._next_numbered()
            if numbered is not None:
                return numbered
            if not more_to_come:
                return None
            if not self.shows(control, self.timeout_ms):
                raise ControlMissing(
                    "the inbox says it lists more referrals than this page, but shows no Next or Load more",
                    fix="check the pager in the screenshot; adjust labels.next_page or labels.load_more",
                    screenshot=self.screenshot("pager-missing"),
                )
        target = control.first
        handle = target.element_handle(timeout=self.timeout_ms)
        if handle.evaluate(ENABLED_JS):
            return target
        # Disabled: maybe only while rows load. Wait for it to come back; the page's own count says
        # how long to be patient (more to come: the whole timeout; unknown: a patient while).
        patience = self.timeout_ms if more_to_come else PATIENCE_MS
        try:
            self.page.wait_for_function(ENABLED_JS, arg=handle, polling=POLL_MS, timeout=patience)
        except PlaywrightTimeoutError:
            if more_to_come:
                raise ControlMissing(
                    "the inbox's Next stayed disabled although the page says there are more referrals",
                    fix="check the pager in the screenshot; the sweep reports what it read",
                    screenshot=self.screenshot("pager-disabled"),
                ) from None
            return None
        return target

    def _next_numbered(self) -> Locator | None:
        """A pager of page numbers only (1 2 3 …): the number after the current one (``aria-current``,
        ``aria-selected`` or ``aria-pressed``), when there is one."""
        following = self.page.evaluate(NEXT_NUMBER_JS)
        if not isinstance(following, int):
            return None
        name = re.compile(rf"^\s*(go to )?(page )?{following}\s*$", re.IGNORECASE)
        target = self.page.get_by_role("link", name=name).or_(self.page.get_by_role("button", name=name))
        target = target.filter(visible=True)
        return target.first if target.count() > 0 else None


def more_to_come(settled: Settled) -> bool | None:
    """What "Showing a–b of n" says: True when b < n, False when b ≥ n, None when the page says nothing."""
    if settled.showing is None or settled.showing[1] is None:
        return None
    return settled.showing[1] < settled.showing[2]
