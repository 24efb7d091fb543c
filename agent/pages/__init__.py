"""Page objects: what a person does on the Caredove screens, returning models, never locators.

They find controls by role, accessible name and visible text (the labels come from settings), wait
with web-first assertions and never sleep. They never decide: the sweep asks, they read or click.
"""

from agent.pages.inbox import InboxPage
from agent.pages.signin import SignInPage
from agent.pages.window import ActionResult, TriggersWindowPage

__all__ = ["ActionResult", "InboxPage", "SignInPage", "TriggersWindowPage"]
