"""Page objects: what a person does on the Caredove screens, returning models, never locators.

They find controls by role, accessible name and visible text (the labels come from settings), wait
with web-first assertions and never sleep. They never decide: the sweep asks, they read or click.

    base.py      Screen: guarded steps (only agent errors leave), settled reads, page loads that back
                 off on 429/503, overlays dismissed, recover(), masked screenshots
    dom.py       label patterns and the JavaScript that walks the page as drawn (open shadow roots)
    tables.py    a table or ARIA grid read by its header labels
    settle.py    when a region has settled (no loading state, stable, counts agree)
    masks.py     what a screenshot hides: everything but the chrome and what the agent reads
    alerts.py    alerts that are new since before a click
    loads.py     how long to back off
    inbox.py, window.py, response.py, signin.py   one page object per screen
"""

from agent.pages.inbox import InboxPage
from agent.pages.signin import SignInPage
from agent.pages.window import ActionResult, TriggersWindowPage

__all__ = ["ActionResult", "InboxPage", "SignInPage", "TriggersWindowPage"]
