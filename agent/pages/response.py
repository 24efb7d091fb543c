"""The response tab: the `view` control's page, where a person reads the text block.

Only the agent's own site is read (``agent.rules.origin``): an address is checked before it is
opened and again where it ended up (a redirect), a popup that lands elsewhere is closed unread and a
same-tab page that does is left at once. One tab is kept for the whole sweep and sent to each link's
address: opening a fresh tab per referral costs Chromium about a third of a second each, a tenth of
the whole per-referral budget. A control with no address of its own (a button calling
``window.open``, ``#``, ``javascript:void(0)``) is clicked as a person would; its popup is read and
closed, or its same-tab page read and left with Back.

The block is the longest ``<pre>``, ``<code>`` or read-only ``<textarea>`` (open shadow roots
included), else the document's text (a ``text/plain`` document). A 4xx/5xx page is PageUnavailable.
"""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import BrowserContext, Frame, Locator, Page
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from pydantic import BaseModel, ConfigDict

from agent.errors import AddressRefused, PageUnavailable, SessionExpired
from agent.pages.dom import DOM_JS
from agent.rules.origin import refusal

READ_BLOCK = (
    "() => {\n"
    + DOM_JS
    + """
    const nav = performance.getEntriesByType('navigation')[0];
    const status = nav && nav.responseStatus ? nav.responseStatus : 0;
    const blocks = D.find(document, (e) => ['PRE', 'CODE', 'TEXTAREA'].includes(e.tagName));
    const textOf = (e) => (e.tagName === 'TEXTAREA' ? e.value : e.textContent) || '';
    const best = blocks.sort((a, b) => textOf(b).length - textOf(a).length)[0];
    const text = best ? textOf(best) : (document.body ? document.body.innerText : '');
    return {status, text: text || '', signIn: D.signIn()};
}"""
)
PLACEHOLDER = re.compile(r"^\s*javascript:\s*(void\s*\(?\s*0?\s*\)?\s*;?|;)?\s*$", re.IGNORECASE)
WAIT_SLICE_MS = 100
NOT_LOADED = "open the 'view' link by hand; the sweep reports it"
REFUSED = "open the 'view' link by hand and check where it leads"


class ResponseView(BaseModel):
    """The text block, and what reading it did to the inbox tab.

    ``navigated``: the `view` control replaced the inbox in its own tab (it was read, then Back);
    ``window_open``: the Integration Triggers window is still (or again) open — when False, the
    sweep must open it again before it clicks anything in it."""

    model_config = ConfigDict(frozen=True)

    text: str
    navigated: bool = False
    window_open: bool = True


def is_placeholder(href: str, page_url: str) -> bool:
    """An ``href`` that is not an address of its own: ``#…`` on this page, this page, ``javascript:void(0)``."""
    if PLACEHOLDER.match(href):
        return True
    here = page_url.split("#")[0]
    return href.split("#")[0] == here


class ResponseTab:
    """The tab the response pages are read in, owned by one browser context."""

    def __init__(self, context: BrowserContext, timeout_ms: float) -> None:
        self.context = context
        self.timeout_ms = timeout_ms
        self._tab: Page | None = None

    def read(self, opener: Page, link: Locator, *, site: str | None = None) -> str:
        """The text block behind ``link``: at its address when it has one, else by clicking it."""
        href = link.evaluate("(e) => e.href || ''", timeout=self.timeout_ms)
        if href and not is_placeholder(str(href), opener.url):
            return self.read_address(opener, str(href), site=site)
        return self.read_by_click(opener, link, site=site).text

    def read_address(self, opener: Page, url: str, *, site: str | None = None) -> str:
        """The text block at ``url``, an absolute address the page gave (a link's ``href`` property)."""
        own = site or opener.url
        _check(url, own)
        if self._tab is None or self._tab.is_closed():
            self._tab = self.context.new_page()
        try:
            response = self._tab.goto(url, wait_until="domcontentloaded", timeout=self.timeout_ms)
            _check(self._tab.url, own)  # where a redirect took it
            found = self._tab.evaluate(READ_BLOCK)
        except AddressRefused:
            self.close()
            raise
        except PlaywrightError as exc:
            self.close()
            raise PageUnavailable("the response tab did not load", fix=NOT_LOADED) from exc
        finally:
            # A page in the background gets no animation frames, and every Playwright action on it
            # waits for frames: the inbox must be the front tab again before anything else happens.
            opener.bring_to_front()
        if response is not None:
            found["status"] = response.status
        return _text(found)

    def read_by_click(self, opener: Page, control: Locator, *, site: str | None = None) -> ResponseView:
        """Click a `view` control that has no address of its own and read what it opened.

        A popup is read and closed; a same-tab page is read and left with Back (``navigated``)."""
        own = site or opener.url
        popups: list[Page] = []
        moved: list[str] = []
        here = opener.url

        def on_nav(frame: Frame) -> None:
            if frame == opener.main_frame and frame.url != here:
                moved.append(frame.url)

        def on_popup(popup: Page) -> None:
            popups.append(popup)

        opener.on("popup", on_popup)
        opener.on("framenavigated", on_nav)
        try:
            control.click(timeout=self.timeout_ms)
            deadline = time.monotonic() + self.timeout_ms / 1000
            while not popups and not moved and time.monotonic() < deadline:
                try:
                    opener.wait_for_event("popup", timeout=WAIT_SLICE_MS)
                except PlaywrightTimeoutError:
                    continue
        except PlaywrightError as exc:
            raise PageUnavailable("the 'view' control could not be clicked", fix=NOT_LOADED) from exc
        finally:
            opener.remove_listener("popup", on_popup)
            opener.remove_listener("framenavigated", on_nav)
        if popups:
            return ResponseView(text=self._read_popup(opener, popups[0], own))
        if moved:
            return ResponseView(text=self._read_same_tab(opener, here, own), navigated=True, window_open=False)
        raise PageUnavailable("the 'view' control opened nothing", fix=NOT_LOADED)

    def close(self) -> None:
        if self._tab is not None and not self._tab.is_closed():
            self._tab.close()
        self._tab = None

    def _read_popup(self, opener: Page, popup: Page, own: str) -> str:
        try:
            popup.wait_for_url(lambda url: url != "about:blank", wait_until="commit", timeout=self.timeout_ms)
            _check(popup.url, own)
            popup.wait_for_load_state("domcontentloaded", timeout=self.timeout_ms)
            _check(popup.url, own)
            found = popup.evaluate(READ_BLOCK)
        except PlaywrightError as exc:
            raise PageUnavailable("the response tab did not load", fix=NOT_LOADED) from exc
        finally:
            if not popup.is_closed():
                popup.close()
            opener.bring_to_front()
        return _text(found)

    def _read_same_tab(self, opener: Page, inbox_url: str, own: str) -> str:
        try:
            opener.wait_for_load_state("domcontentloaded", timeout=self.timeout_ms)
            _check(opener.url, own)
            found: Any = opener.evaluate(READ_BLOCK)
        except PlaywrightError as exc:
            raise PageUnavailable("the response page did not load", fix=NOT_LOADED) from exc
        finally:
            self._back(opener, inbox_url)
        return _text(found)

    def _back(self, opener: Page, inbox_url: str) -> None:
        """Back to the inbox the way a person would (Back), or by its address when Back leads elsewhere."""
        try:
            opener.go_back(wait_until="domcontentloaded", timeout=self.timeout_ms)
            if opener.url.split("#")[0] != inbox_url.split("#")[0]:
                opener.goto(inbox_url, wait_until="domcontentloaded", timeout=self.timeout_ms)
        except PlaywrightError as exc:
            raise PageUnavailable("the inbox did not come back after the response page", fix=NOT_LOADED) from exc


def _check(url: str, site: str) -> None:
    reason = refusal(url, site)
    if reason is not None:
        raise AddressRefused(reason, fix=REFUSED)


def _text(found: dict[str, Any]) -> str:
    if found["signIn"]:
        raise SessionExpired("the response tab showed Sign In", fix="the sweep signs in again once")
    if found["status"] >= 400:
        raise PageUnavailable(f"the response tab answered HTTP {found['status']}", fix=NOT_LOADED)
    return str(found["text"])
