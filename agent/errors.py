"""Every error caredove-agent raises on purpose.

The CLI catches :class:`AgentError` at its boundary and prints ``what went wrong: what to do``;
anything else is a bug and keeps its traceback. Messages carry reference numbers only, never a
name, a health card number, a password or a cookie.

    AgentError
    ├── SettingsError          a setting is missing or wrong (names the setting)
    ├── BrowserNotFound        no Chromium/Chrome to drive
    ├── SignInFailed           the inbox refused the credentials
    ├── SweepLocked            another sweep of the same inbox is running
    ├── SweepIncomplete        the sweep stopped early (its partial report is written)
    ├── SweepBlind             the sweep saw fewer referrals than the site says (its report says which)
    ├── ReportError            a stored sweep result cannot be found or read to render a report
    ├── SiteUnreachable        the site cannot be reached: refused, name not resolved, TLS, timed out
    ├── LedgerUnavailable      the ledger is locked by another program, damaged, or from a newer version
    └── PageError              the page did not show what a person would see
        ├── SessionExpired     the site sent us back to Sign In
        ├── ControlMissing     an expected control is not there (names it, keeps a screenshot)
        ├── PageUnavailable    the page failed to load or answered with an error
        │   └── AddressRefused a link points outside the agent's own site: not opened (R8)
        ├── ClickRefused       the site refused the click's own request (401/403): it did not happen
        ├── ValueUnreadable    a value the page shows (a date, a status) is not understood
        └── ReferralGone       the referral is no longer flagged (someone else worked it meanwhile)
"""

from __future__ import annotations


class AgentError(Exception):
    """Base of the errors the CLI turns into a one-line message and an exit code."""

    exit_code = 1

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message}: {self.fix}" if self.fix else self.message


class SettingsError(AgentError):
    exit_code = 2


class BrowserNotFound(AgentError):
    exit_code = 3


class SignInFailed(AgentError):
    exit_code = 4


class SweepLocked(AgentError):
    exit_code = 5


class ReportError(AgentError):
    """A report cannot be rendered: no report folder, no such sweep, or an unreadable report.json."""

    exit_code = 6


class SweepIncomplete(AgentError):
    """The sweep stopped early; its partial report was written all the same."""

    exit_code = 1


class SweepBlind(AgentError):
    """The agent found fewer referrals with errors than the site says there are (or could not read the
    inbox's rows): its report opens with what was not seen. Never a clean night."""

    exit_code = 7


class SiteUnreachable(AgentError):
    """The browser could not reach the site at all (connection refused, name not resolved, a TLS
    certificate refused, no route, timed out): nothing was read and nothing was clicked."""

    exit_code = 8


class LedgerUnavailable(AgentError):
    """The ledger cannot be used: another program holds a lock on it, it is damaged, or a newer
    caredove-agent wrote it. Nothing is clicked without it (never-item 2)."""

    exit_code = 9


class PageError(AgentError):
    """The page did not show what a person would see; ``screenshot`` is a path when one was saved."""

    def __init__(self, message: str, *, fix: str | None = None, screenshot: str | None = None) -> None:
        super().__init__(message, fix=fix)
        self.screenshot = screenshot


class SessionExpired(PageError):
    pass


class ControlMissing(PageError):
    pass


class PageUnavailable(PageError):
    pass


class AddressRefused(PageUnavailable):
    """A `view` link (or the popup or page it opened) is not on ``base_url``'s origin, or not http(s):
    it is not read, so that the page cannot choose what the agent takes for a response. The sweep
    reports the attempt's response as unreadable (R8) with this reason."""


class ClickRefused(PageError):
    """The click's own request was answered 401/403 (an expired session): nothing was changed.

    The intent written before the click is marked abandoned, the sweep signs in again and decides
    afresh; this is the one case where a click is known not to have happened."""


class ValueUnreadable(PageError):
    """A value the page shows could not be understood. The message names the kind of value and the
    referral, never the value itself (it may be personal data); that one referral fails with the
    evidence and the sweep goes on."""


class ReferralGone(PageError):
    """The referral is no longer in the integration-errors list, or no longer shows the red control,
    when the agent comes back to it: reported as such, never a crash or a loss."""
