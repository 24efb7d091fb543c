"""Sign In, as a person does it, on the sign-in pages real accounts have.

One step (e-mail and password together) or two (e-mail → Next → password); an authenticator code
(TOTP, RFC 6238) computed from the configured secret; and the cases no unattended agent may get
past, each stopped with one line saying what to do: a code sent by e-mail or SMS, a Microsoft-only
page, a "your password expires" or "accept the new terms" notice (never clicked through).

The password and the secret are typed, never logged, never put in an error.
"""

from __future__ import annotations

import contextlib
import time
from typing import Literal

import pyotp
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator
from pydantic import SecretStr

from agent.errors import SignInFailed
from agent.guard import guard_of
from agent.pages.base import Screen, rx

ScreenKind = Literal["app", "refused", "code", "password", "email", "microsoft", "expiry", "terms"]
MAX_STEPS = 6  # e-mail, password, code, and room for a page that comes back once
TOTP_PERIOD = 30

DEDICATED = "give the agent a dedicated Caredove account with authenticator-app 2FA (CAREDOVE_TOTP_SECRET) or none"


class SignInPage(Screen):
    _last_code_step: int | None = None

    # --- what the screen is ----------------------------------------------------------------------

    def signed_in_marker(self) -> Locator:
        """The menu's Referrals entry or its Inbox link ([help]): only a signed-in user sees them, as a
        top-menu button or link, or as a heading of a sidebar."""
        page, name = self.page, rx(self.labels.menu_referrals)
        return (
            page.get_by_role("button", name=name)
            .or_(page.get_by_role("link", name=name))
            .or_(page.get_by_role("navigation").get_by_text(name))
            .or_(page.get_by_role("link", name=rx(self.labels.menu_inbox)))
        )

    def _email_field(self) -> Locator:
        page, name = self.page, rx(self.labels.email)
        return (
            page.get_by_label(name)
            .or_(page.get_by_role("textbox", name=name))
            .or_(page.locator("input[autocomplete=username]:not([type=hidden]), input[type=email]"))
        )

    def _password_field(self) -> Locator:
        """The field labelled as the password (``labels.password``), else the one password input."""
        return self.page.get_by_label(rx(self.labels.password)).or_(self.sign_in_form())

    def _code_field(self) -> Locator:
        return self.page.locator("input[autocomplete=one-time-code]").or_(
            self.page.get_by_role("textbox", name=rx(self.labels.code_field))
        )

    def _microsoft(self) -> Locator:
        name = rx(self.labels.microsoft_sign_in)
        return self.page.get_by_role("button", name=name).or_(self.page.get_by_role("link", name=name))

    def _notice(self, pattern: str) -> Locator:
        """A notice is a heading or a dialog saying so, never a menu entry that merely mentions it."""
        name = rx(pattern)
        return self.page.get_by_role("heading", name=name).or_(self.page.get_by_role("dialog", name=name))

    def _refused(self) -> Locator:
        return self.page.get_by_role("alert").filter(has_text=rx(self.labels.sign_in_error))

    def _screens(self) -> list[tuple[ScreenKind, Locator]]:
        """In the order they are told apart: a notice can share the page with anything; an alert on a
        page that already shows the app's menu is the app's own (a standing banner), not a refusal."""
        return [
            ("expiry", self._notice(self.labels.password_expiry)),
            ("terms", self._notice(self.labels.terms)),
            ("app", self.signed_in_marker()),
            ("refused", self._refused()),
            ("code", self._code_field()),
            ("password", self.sign_in_form()),
            ("email", self._email_field()),
            ("microsoft", self._microsoft()),
        ]

    def current(self, what: str, *, timeout_ms: float | None = None) -> ScreenKind:
        """Wait until the page shows one of the screens a sign-in can lead to; which one."""
        screens = self._screens()
        anything = screens[0][1]
        for _, locator in screens[1:]:
            anything = anything.or_(locator)
        self.wait_for(anything, what, timeout_ms=timeout_ms, watch_sign_in=False)
        for kind, locator in screens:
            if locator.first.is_visible():
                return kind
        return "app"

    # --- signing in ----------------------------------------------------------------------------

    def sign_in(self, base_url: str, username: str, password: SecretStr) -> None:
        """Open the site and sign in; does nothing when the session is still good. The TOTP secret,
        when the account needs one, comes from the settings like the password."""
        self.load(base_url, "the Sign In page")  # a 429/503 is waited out and loaded again
        self._walk(username, password, "the Sign In page or the top menu")

    def sign_in_here(self, username: str, password: SecretStr) -> None:
        """Sign in from the page shown now (the site went back to Sign In)."""
        self._walk(username, password, "the Sign In page")

    def _walk(self, username: str, password: SecretStr, first: str) -> None:
        totp_secret = self.settings.totp_secret
        submitted: ScreenKind | None = None
        what = first
        for _ in range(MAX_STEPS):
            kind = self.current(what, timeout_ms=self.settings.navigation_timeout_seconds * 1000)
            self._stop_if_unautomatable(kind, submitted, totp_secret)
            if kind == "app":
                return
            if kind == submitted:  # the same page again, without an alert: refused all the same
                raise self._refusal(submitted)
            if kind == "code":
                assert totp_secret is not None  # _stop_if_unautomatable made sure
                self._enter_code(totp_secret)
            elif kind == "password":
                self._enter_password(username, password)
            else:
                self._enter_email(username)
            submitted, what = kind, f"the page after {kind} was entered"
        raise SignInFailed(
            f"the sign-in did not reach the inbox after {MAX_STEPS} pages",
            fix="sign in by hand once to see what the site asks for; run `caredove-agent survey` for details",
        )

    def _stop_if_unautomatable(self, kind: ScreenKind, submitted: ScreenKind | None, totp: SecretStr | None) -> None:
        if kind == "refused":
            raise self._refusal(submitted)
        if kind == "expiry":
            raise SignInFailed(
                "after sign-in the site asks to change the password (it expires soon or has expired); "
                "the agent never answers that page",
                fix="sign in by hand, change the password, then update CAREDOVE_PASSWORD or the password file",
            )
        if kind == "terms":
            raise SignInFailed(
                "after sign-in the site asks to accept new terms; the agent never accepts terms for a person",
                fix="sign in by hand once as this account and accept the terms, then run the agent again",
            )
        if kind == "microsoft":
            raise SignInFailed(
                "the site offers only 'Sign in with Microsoft', which the agent cannot do", fix=DEDICATED
            )
        if kind == "code":
            if rx(self.labels.sent_code_prompt).search(self._page_text()):
                raise SignInFailed("the site sent a one-time code by e-mail or SMS, which the agent cannot read",
                                   fix=DEDICATED)  # fmt: skip
            if totp is None:
                raise SignInFailed(
                    "the site asks for an authenticator code and no TOTP secret is set",
                    fix="set CAREDOVE_TOTP_SECRET or totp_secret_file to the account's authenticator secret (base32)",
                )

    def _refusal(self, submitted: ScreenKind | None) -> SignInFailed:
        if submitted == "code":
            return SignInFailed(
                "the site refused the authenticator code",
                fix="check the TOTP secret (CAREDOVE_TOTP_SECRET or totp_secret_file) and this machine's clock",
            )
        return SignInFailed(
            "the site refused the sign-in",
            fix="check CAREDOVE_USERNAME and CAREDOVE_PASSWORD (or the password file)",
        )

    def _page_text(self) -> str:
        """The sign-in page's own words (never logged): what tells an authenticator from a sent code."""
        return self.page.locator("body").inner_text(timeout=self.timeout_ms)

    # --- one page each ---------------------------------------------------------------------------

    def _enter_email(self, username: str) -> None:
        field = self._email_field().first
        field.fill(username, timeout=self.timeout_ms)
        self._submit(field, self.labels.next_step, self.labels.sign_in)

    def _enter_password(self, username: str, password: SecretStr) -> None:
        email = self._email_field()
        if email.count() > 0 and email.first.is_visible() and email.first.is_editable():
            email.first.fill(username, timeout=self.timeout_ms)
        field = self._password_field().first
        field.fill(password.get_secret_value(), timeout=self.timeout_ms)
        self._submit(field, self.labels.sign_in, self.labels.next_step)

    def _enter_code(self, secret: SecretStr) -> None:
        field = self._code_field().first
        field.fill(self._fresh_code(secret), timeout=self.timeout_ms)
        self._submit(field, self.labels.verify_code, self.labels.sign_in)

    def _fresh_code(self, secret: SecretStr) -> str:
        """The current authenticator code; a code already used is not accepted twice (RFC 6238 §5.2),
        so a second sign-in within the same 30 s waits for the next one. This waits for the clock's
        next time step, not for a screen (nothing on the page can say when a code becomes valid), and
        goes through the Screen's injected ``pause`` like the page-load back-off."""
        step = int(time.time()) // TOTP_PERIOD
        if step == self._last_code_step:
            self.pause(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.05)
            step = int(time.time()) // TOTP_PERIOD
        self._last_code_step = step
        return pyotp.TOTP(secret.get_secret_value()).at(step * TOTP_PERIOD)

    def _submit(self, field: Locator, pattern: str, fallback: str) -> None:
        """Click the page's button once, then wait until the filled field is gone (the next page) or an
        alert shows: the page being left is never mistaken for the page that answers."""
        page = self.page
        button = page.get_by_role("button", name=rx(pattern))
        if button.count() == 0:
            button = page.get_by_role("button", name=rx(fallback))
        guard = guard_of(page.context)
        if guard is not None:  # a dry run's network guard lets this one submission through, nothing else
            guard.expect_sign_in(field)
        try:
            field.evaluate("(el) => el.setAttribute('data-agent-submitted', '')")  # the page, not the site
            button.first.click(timeout=self.timeout_ms)
            with contextlib.suppress(PlaywrightError):  # a navigation ends the wait as well: that is the point
                page.wait_for_function(
                    """() => {
                        const shown = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
                        const el = document.querySelector('[data-agent-submitted]');
                        return !el || !shown(el) || [...document.querySelectorAll('[role=alert]')].some(shown);
                    }""",
                    timeout=self.settings.navigation_timeout_seconds * 1000,
                )
        finally:
            if guard is not None:
                guard.expect_nothing()
