"""Sign-in state that lives between the steps of one sign-in: who got past the password, which
authenticator codes were already used, which sessions must see a notice before anything else.

It belongs to one reset of the store: a new reset (a new ``Config`` object) starts it afresh.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Literal

from starlette.requests import Request

from sandbox.config import Config

PENDING_COOKIE = "sandbox_sign_in"
Stage = Literal["password", "code"]


@dataclass
class Pending:
    """A sign-in half done: the e-mail is known (two steps), or the password was right (a code is due)."""

    email: str
    stage: Stage
    code: str | None = None  # the code "sent" by e-mail or SMS; never shown anywhere


@dataclass
class Accounts:
    config: Config
    lock: threading.Lock = field(default_factory=threading.Lock)
    pending: dict[str, Pending] = field(default_factory=dict)
    used_codes: set[str] = field(default_factory=set)
    notice_for: set[str] = field(default_factory=set)  # session tokens that must see the notice first

    def start(self, email: str, stage: Stage, code: str | None = None) -> str:
        token = secrets.token_urlsafe(16)
        with self.lock:
            self.pending[token] = Pending(email, stage, code)
        return token

    def take(self, token: str | None, stage: Stage) -> Pending | None:
        with self.lock:
            found = self.pending.get(token or "")
            return found if found is not None and found.stage == stage else None

    def finish(self, token: str | None) -> None:
        with self.lock:
            self.pending.pop(token or "", None)

    def use_code(self, code: str) -> bool:
        """RFC 6238 §5.2: a code that was accepted once is never accepted again."""
        with self.lock:
            if code in self.used_codes:
                return False
            self.used_codes.add(code)
            return True


def accounts_of(request: Request) -> Accounts:
    """This reset's sign-in state (made afresh when the store was reset since)."""
    config: Config = request.app.state.store.config
    current: Accounts | None = getattr(request.app.state, "accounts", None)
    if current is None or current.config is not config:
        current = Accounts(config)
        request.app.state.accounts = current
    return current


def notice_due(request: Request, token: str | None) -> bool:
    """Whether this session must still answer the notice page (password expiry, new terms)."""
    return bool(token) and token in accounts_of(request).notice_for
