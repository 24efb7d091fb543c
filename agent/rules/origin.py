"""Only the agent's own site is read: is an address a page of ``base_url``'s origin?

The `view` link of an attempt is whatever the page says it is. A page (or a script injected into it)
could point it at ``file:///etc/passwd``, an internal address or another site, and whatever the agent
reads there becomes "the response" it acts on. So an address is read only when it is http(s) and has
exactly the site's origin (scheme, host, port), and carries no user name. Pure: strings in, a reason out.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
# Whitespace, control characters and backslashes: a browser "fixes" these in ways a parser may not.
SUSPECT = re.compile(r"[\x00-\x20\x7f\\]")
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]{0,19}):")


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an absolute http(s) address, or None when it has no such origin."""
    if SUSPECT.search(url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = _host(parts)
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return scheme, host, port if port is not None else DEFAULT_PORTS[scheme]


def refusal(address: str, site: str) -> str | None:
    """Why ``address`` must not be opened as a page of ``site`` — or None when it may.

    The reason names at most the other origin, never the address's path or query (they may carry
    personal data)."""
    url = address.strip()
    if not url:
        return "the response link has no address"
    own = origin(site)
    if own is None:
        return "the site's own address (base_url) has no http(s) origin to compare with"
    scheme = SCHEME.match(url)
    if scheme is None:
        return "the response link is not an absolute address"
    name = scheme.group(1).lower()
    if name not in DEFAULT_PORTS:
        return f"the response link is a {name}: address, not a page of the site"
    if SUSPECT.search(url):
        return "the response link holds spaces, control characters or backslashes"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "the response link is not a well-formed address"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "the response link carries a user name"
    theirs = origin(url)
    if theirs is None:
        return "the response link is not a well-formed address"
    if theirs != own:
        return f"the response link points to another site ({_show(theirs)}), not {_show(own)}"
    return None


def _host(parts: SplitResult) -> str:
    host = (parts.hostname or "").lower()
    try:
        return host.encode("idna").decode("ascii") if host and not host.isascii() else host
    except UnicodeError:
        return ""


def _show(value: tuple[str, str, int]) -> str:
    scheme, host, port = value
    shown_port = "" if DEFAULT_PORTS[scheme] == port else f":{port}"
    return f"{scheme}://{host}{shown_port}"
