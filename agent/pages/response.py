"""The response tab: the `view` link opens it, a person reads the text block, closes the tab."""

from __future__ import annotations

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

from agent.errors import PageUnavailable, SessionExpired

READ_BLOCK = """
() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const status = nav && nav.responseStatus ? nav.responseStatus : 0;
    const blocks = [...document.querySelectorAll('pre, code, textarea')];
    const best = blocks.sort((a, b) => (b.textContent || '').length - (a.textContent || '').length)[0];
    const text = best ? (best.value !== undefined && best.tagName === 'TEXTAREA' ? best.value : best.textContent)
                      : (document.body ? document.body.innerText : '');
    const signIn = !!document.querySelector('input[type=password]');
    return {status, text: text || '', signIn};
}
"""


def read_response_tab(opener: Page, link: Locator, timeout_ms: float) -> str:
    """Open the response tab from ``link``, return its text block, close it — whatever happens."""
    with opener.context.expect_page(timeout=timeout_ms) as opened:
        link.click(timeout=timeout_ms)
    tab = opened.value
    try:
        tab.wait_for_load_state("domcontentloaded", timeout=timeout_ms)
        found = tab.evaluate(READ_BLOCK)
    except PlaywrightError as exc:
        raise PageUnavailable(
            "the response tab did not load", fix="open the 'view' link by hand; the sweep reports it"
        ) from exc
    finally:
        tab.close()
    if found["signIn"]:
        raise SessionExpired("the response tab showed Sign In", fix="the sweep signs in again once")
    if found["status"] >= 400:
        raise PageUnavailable(f"the response tab answered HTTP {found['status']}", fix="try the 'view' link by hand")
    return str(found["text"])
