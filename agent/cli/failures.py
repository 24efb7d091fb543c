"""What a person sees when a command fails for a reason outside the agent: one line, the fix, an exit code.

The site, the network and the ledger's file are not the agent's to control, and a Playwright or
SQLite traceback helps nobody at 2 a.m. :func:`plain_failure` turns the failures an operator can
fix into the agent's own errors (README, "Exit codes"); anything else is a bug, reported in one
scrubbed line that says how to get the traceback (``--debug``).
"""

from __future__ import annotations

import re
import sqlite3

from agent.errors import AgentError, LedgerUnavailable, PageUnavailable, SiteUnreachable
from agent.redact import excerpt

EXIT_UNEXPECTED = 10
"""An error the agent did not foresee (a bug): README's exit-code table."""

_NET = re.compile(r"net::(ERR_[A-Z_]+)(?: at (\S+))?")
_NETWORK_FIXES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("ERR_NAME_NOT_RESOLVED", "ERR_NAME_RESOLUTION_FAILED"),
        "the site's name could not be resolved",
        "check base_url's spelling (CAREDOVE_BASE_URL / --base-url) and this machine's DNS",
    ),
    (
        ("ERR_CONNECTION_REFUSED", "ERR_CONNECTION_RESET", "ERR_CONNECTION_CLOSED", "ERR_EMPTY_RESPONSE"),
        "the site refused the connection",
        "check base_url's address and port, and that the site is up; `caredove-agent doctor` checks it",
    ),
    (
        ("ERR_CERT_", "ERR_SSL_", "ERR_BAD_SSL_CLIENT_AUTH_CERT"),
        "the site's TLS certificate or handshake was refused",
        "check that base_url is the site's real https address, and this machine's clock and CA certificates",
    ),
    (
        (
            "ERR_CONNECTION_TIMED_OUT", "ERR_TIMED_OUT", "ERR_ADDRESS_UNREACHABLE", "ERR_INTERNET_DISCONNECTED",
            "ERR_NETWORK_CHANGED", "ERR_PROXY_CONNECTION_FAILED", "ERR_TUNNEL_CONNECTION_FAILED",
            "ERR_NETWORK_ACCESS_DENIED", "ERR_CONNECTION_FAILED",
        ),
        "the site could not be reached from this machine",
        "check the network, any proxy or firewall, and base_url; `caredove-agent doctor` checks it",
    ),
)  # fmt: skip


def plain_failure(exc: BaseException) -> AgentError | None:
    """The agent's own error for a failure an operator can fix, or None when it is not one of those."""
    if isinstance(exc, sqlite3.Error):
        return _ledger(exc)
    if type(exc).__module__.startswith("playwright"):
        return _network(str(exc))
    if isinstance(exc, PageUnavailable):  # a page object already caught it: name the cause and its fix
        return _network(exc.message)
    return None


def unexpected(exc: BaseException) -> str:
    """One line for a bug: its type and scrubbed first line, and how to see the traceback."""
    first = str(exc).splitlines()[0] if str(exc) else ""
    said = f": {excerpt(first, 160)}" if first else ""
    return f"unexpected error ({type(exc).__name__}{said}): run again with --debug for the traceback, and report it"


def _network(message: str) -> SiteUnreachable | None:
    found = _NET.search(message)
    if found is None:
        return None
    code, address = found.group(1), found.group(2)
    where = f" ({address})" if address else ""
    for codes, what, fix in _NETWORK_FIXES:
        if any(code.startswith(c) for c in codes):
            return SiteUnreachable(f"{what}{where}: {code}", fix=fix)
    return SiteUnreachable(f"the site could not be loaded{where}: {code}", fix=_NETWORK_FIXES[-1][2])


def _ledger(exc: sqlite3.Error) -> LedgerUnavailable:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return LedgerUnavailable(
            "the ledger is locked by another program",
            fix="close whatever holds it (a sqlite3 shell, a backup or sync tool) and run again",
        )
    if "malformed" in text or "not a database" in text or "disk i/o" in text:
        return LedgerUnavailable(
            f"the ledger cannot be read ({exc})",
            fix="restore it from a backup, or move it aside (resend history is then lost) and run again",
        )
    return LedgerUnavailable(f"the ledger failed ({exc})", fix="check the state file and its folder, then run again")
