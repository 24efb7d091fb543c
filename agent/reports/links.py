"""Where a referral lives on the site, and which inbox a sweep belongs to.

A support lead acts on the site, not in the report, so every reference number in the report links
to the referral: the address the agent itself used when it saw one, else the operator's
``referral_url`` pattern (``{base_url}/referrals/{reference}``), else no link at all — a guessed
address that 404s is worse than plain text. Only http(s) addresses are ever linked: report.json is
read back from disk and must not be able to turn a reference into a ``javascript:`` link.
"""

from __future__ import annotations

import string
from urllib.parse import quote, urlsplit, urlunsplit

from agent.models import ReferralResult, SweepResult

PLACEHOLDERS = frozenset({"base_url", "reference"})


def check_pattern(pattern: str) -> str:
    """The pattern unchanged, or a ValueError saying what a good one looks like (for the setting)."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError as exc:
        raise ValueError(f"is not a pattern ({exc}); use e.g. {{base_url}}/referrals/{{reference}}") from None
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ValueError(f"knows only {{base_url}} and {{reference}}, not {{{sorted(unknown)[0]}}}")
    if "reference" not in names:
        raise ValueError("must contain {reference}, e.g. {base_url}/referrals/{reference}")
    if not pattern.startswith(("http://", "https://", "{base_url}")):
        raise ValueError("must start with http://, https:// or {base_url}")
    return pattern


def safe_link(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) address without credentials in it, else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    if any(c in url for c in "\\\r\n\t "):
        return None
    return url


def site_address(base_url: str) -> str:
    """The site's address as a person reads it: no credentials, no trailing slash."""
    try:
        parts = urlsplit(base_url)
    except ValueError:
        return base_url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def inbox_key(result: SweepResult) -> str:
    """Which inbox a sweep belongs to: what history groups and compares by."""
    return site_address(result.inbox or result.base_url)


def referral_link(referral: ReferralResult, base_url: str, pattern: str | None) -> str | None:
    """The referral's address: the one the agent used, else the pattern filled in, else None."""
    used = safe_link(referral.url)
    if used is not None:
        return used
    if pattern is None:
        return None
    filled = pattern.format(base_url=site_address(base_url), reference=quote(referral.reference, safe=""))
    return safe_link(filled)


def with_inbox(result: SweepResult, inbox: str | None) -> SweepResult:
    """``result`` naming the inbox it swept (the configured inbox address, else its site).

    Referral addresses are not filled in from the ``referral_url`` pattern here: the pattern is
    configuration, applied when a report is rendered, so that correcting it corrects every re-render;
    only an address the agent itself used is data and stays in report.json."""
    return result if result.inbox or not inbox else result.model_copy(update={"inbox": inbox})
