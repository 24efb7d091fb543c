"""Sign In, as a person does it: the email, the password, the button, and what the page says back."""

from __future__ import annotations

from playwright.sync_api import Locator
from pydantic import SecretStr

from agent.errors import SignInFailed
from agent.pages.base import Screen, rx


class SignInPage(Screen):
    def signed_in_marker(self) -> Locator:
        """The top menu's Referrals entry ([help]): only a signed-in user sees it."""
        name = rx(self.labels.menu_referrals)
        return self.page.get_by_role("button", name=name).or_(self.page.get_by_role("link", name=name))

    def sign_in(self, base_url: str, username: str, password: SecretStr) -> None:
        """Open the site and sign in; does nothing when the session is still good."""
        self.page.goto(base_url, timeout=self.settings.navigation_timeout_seconds * 1000)
        form = self.sign_in_form()
        if self.wait_for(self.signed_in_marker(), "the Sign In page or the top menu", also=form) == 0:
            return
        self.sign_in_here(username, password)

    def sign_in_here(self, username: str, password: SecretStr) -> None:
        """Fill the form shown now. The password is typed, never logged, never put in an error."""
        page = self.page
        email = page.get_by_label(rx(self.labels.email)).or_(page.get_by_role("textbox", name=rx(self.labels.email)))
        email.first.fill(username, timeout=self.timeout_ms)
        self.sign_in_form().first.fill(password.get_secret_value(), timeout=self.timeout_ms)
        page.get_by_role("button", name=rx(self.labels.sign_in)).first.click(timeout=self.timeout_ms)
        refused = page.get_by_role("alert").filter(has_text=rx(self.labels.sign_in_error))
        outcome = self.wait_for(
            self.signed_in_marker(),
            "the page after Sign In",
            also=refused,
            timeout_ms=self.settings.navigation_timeout_seconds * 1000,
            watch_sign_in=False,
        )
        if outcome == 1:
            raise SignInFailed(
                "the site refused the sign-in",
                fix="check CAREDOVE_USERNAME and CAREDOVE_PASSWORD (or the password file)",
            )
