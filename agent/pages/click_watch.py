"""What one state-changing click caused, watched from just before it until its answer.

A click's answer is what *changed* because of it: its own requests and their status codes, a
confirmation it raised, a notice or page state that was not there before. Three watchers, each a
context manager that is active only for that one click:

- :class:`WriteWatch` — the non-GET requests the page sent and how the site answered them. A
  401/403 (or 419/440, the "page expired" codes) with nothing accepted means the site refused the
  click: it did not happen (``ClickRefused``). A 2xx/3xx means it reached the site.
- :class:`NativeConfirm` — a native ``confirm()`` raised while the click is watched is accepted only
  when it is the first one and its message matches the action's label; anything else is dismissed
  (and so is every later dialog), so no other question is ever answered "yes" by the agent.
- :data:`STATE_JS` — one reading of the page: Sign In, the Integration Triggers window (open, its
  clear button, the text signature of its content), the notices on screen (``role=alert|status``)
  and other dialogs (an in-page "Are you sure?"), open shadow roots included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from playwright.sync_api import Dialog, Page, Request, Response

from agent.pages.dom import DOM_JS

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REFUSED_STATUSES = frozenset({401, 403, 419, 440})

Verdict = Literal["none", "in_flight", "applied", "refused", "failed"]


class WriteWatch:
    """The state-changing requests a page sent while the watch was on, and their answers."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self._answers: dict[Request, int | None] = {}

    def __enter__(self) -> WriteWatch:
        self.page.on("request", self._request)
        self.page.on("response", self._response)
        self.page.on("requestfailed", self._failed)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.page.remove_listener("request", self._request)
        self.page.remove_listener("response", self._response)
        self.page.remove_listener("requestfailed", self._failed)

    @property
    def statuses(self) -> list[int | None]:
        """One entry per write: its HTTP status, 0 when it failed without one, None while unanswered."""
        return list(self._answers.values())

    def verdict(self) -> Verdict:
        """What the writes say about the click (see :func:`verdict`)."""
        return verdict(self.statuses)

    def _request(self, request: Request) -> None:
        if request.method.upper() not in SAFE_METHODS:
            self._answers[request] = None

    def _response(self, response: Response) -> None:
        if response.request in self._answers:
            self._answers[response.request] = response.status

    def _failed(self, request: Request) -> None:
        if request in self._answers and self._answers[request] is None:
            self._answers[request] = 0


def verdict(statuses: list[int | None]) -> Verdict:
    """What a click's writes say about it, most certain first (one status per write: 0 when it failed
    without an answer, None while unanswered).

    ``applied``: one was accepted (2xx/3xx) — the click reached the site, whatever followed.
    ``in_flight``: one is still unanswered — nothing can be concluded yet.
    ``refused``: every one was answered 401/403/419/440 — the click did not happen.
    ``failed``: answered otherwise (5xx, 404, no answer): it may or may not have been applied.
    ``none``: the click sent no write at all."""
    if not statuses:
        return "none"
    if any(s is not None and 200 <= s < 400 for s in statuses):
        return "applied"
    if any(s is None for s in statuses):
        return "in_flight"
    if all(s in REFUSED_STATUSES for s in statuses):
        return "refused"
    return "failed"


class NativeConfirm:
    """Answers the native dialogs raised while one click is watched (Playwright dismisses them otherwise).

    Only the first ``confirm()`` whose message matches ``pattern`` is accepted; a non-matching one,
    a ``prompt()`` and everything after the first are dismissed. An ``alert()`` is acknowledged and
    its message kept: it is the page's answer to the click."""

    def __init__(self, page: Page, pattern: re.Pattern[str]) -> None:
        self.page = page
        self.pattern = pattern
        self.accepted = False
        self.declined = False
        self.alerts: list[str] = []

    def __enter__(self) -> NativeConfirm:
        self.page.on("dialog", self._dialog)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.page.remove_listener("dialog", self._dialog)

    def _dialog(self, dialog: Dialog) -> None:
        if dialog.type == "alert":
            self.alerts.append(dialog.message)
            dialog.accept()
            return
        first = not (self.accepted or self.declined)
        if first and dialog.type == "confirm" and self.pattern.search(dialog.message or ""):
            self.accepted = True
            dialog.accept()
            return
        self.declined = True
        dialog.dismiss()


@dataclass(frozen=True)
class PageState:
    """One reading of the page around the Integration Triggers window (see STATE_JS)."""

    sign_in: bool
    window: bool
    clear: bool
    signature: str
    notices: tuple[str, ...]
    others: tuple[str, ...]

    @classmethod
    def of(cls, found: Any) -> PageState:
        return cls(
            sign_in=bool(found["signIn"]),
            window=bool(found["window"]),
            clear=bool(found["clear"]),
            signature=str(found["sig"]),
            notices=tuple(str(n) for n in found["notices"]),
            others=tuple(str(o) for o in found["others"]),
        )

    def as_arg(self) -> dict[str, Any]:
        return {
            "signIn": self.sign_in,
            "window": self.window,
            "clear": self.clear,
            "sig": self.signature,
            "notices": list(self.notices),
            "others": list(self.others),
        }


_STATE_BODY = (
    DOM_JS
    + r"""
    const title = new RegExp(args.title, 'i');
    const isDialog = (e) => e.tagName === 'DIALOG' || ['dialog', 'alertdialog'].includes(D.role(e));
    const dialogs = D.find(document, (e) => isDialog(e) && D.visible(e));
    const isTable = (e) => e.tagName === 'TABLE' || ['table', 'grid', 'treegrid'].includes(D.role(e));
    const hasTable = (d) => D.find(d, isTable).length > 0;
    const titled = dialogs.filter((d) => title.test(D.name(d)));
    const win = titled.find(hasTable) || titled[0] || null;
    const clearRe = args.clear ? new RegExp(args.clear, 'i') : null;
    const clearing = (e) => D.isControl(e) && D.visible(e) && clearRe.test(D.name(e));
    const clear = !!(win && clearRe && D.find(win, clearing).length);
    const notices = D.find(document, (e) => ['alert', 'status'].includes(D.role(e))
            || (e.getAttribute && e.getAttribute('aria-live') === 'assertive'))
        .filter(D.visible).map((e) => D.text(e).slice(0, 300)).filter(Boolean);
    const others = dialogs.filter((d) => d !== win && !(win && d.contains(win))).map((d) => D.text(d).slice(0, 300));
    const state = {signIn: D.signIn(), window: !!win, clear, sig: win ? D.text(win) : '', notices, others};
"""
)

STATE_JS = "(args) => {\n" + _STATE_BODY + "    return state;\n}"

CHANGED_JS = (
    "(args) => {\n"
    + _STATE_BODY
    + r"""
    const base = args.base;
    const fresh = (now, then) => now.some((t) => !then.includes(t)) || then.some((t) => !now.includes(t));
    const changed = state.signIn !== base.signIn || state.window !== base.window || state.clear !== base.clear
        || state.sig !== base.sig || fresh(state.notices, base.notices) || fresh(state.others, base.others);
    return changed ? state : false;
}"""
)
