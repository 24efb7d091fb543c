"""Keeps personal data out of what the agent writes down.

The partner's reply (`text`) is written by someone else and may quote what the referral held: a
health card number, an e-mail address, a phone number. Anything that leaves the agent (a report, a
log line, a notification, a decision's reason) goes through :func:`scrub` first, and through
:func:`shorten` after it, so that a cut never leaves half a number behind.

Reference numbers are 10 digits too; they are scrubbed from partner text like any other long number
because the report names the referral separately.
"""

from __future__ import annotations

import re

REDACTED = "[redacted]"

# Ontario-style health card number: 10 digits as 4-3-3 with optional dashes/spaces, and an optional
# 1-2 letter version code. Matched before the generic digit run so the version code goes too.
_HEALTH_CARD = re.compile(r"(?<![\w-])\d{4}[- ]?\d{3}[- ]?\d{3}(?:[- ]?[A-Za-z]{1,2})?(?![\w])")
# A phone number written 3-3-4 (or (3) 3-4), which is personal data as well.
_PHONE = re.compile(r"(?<!\w)(?:\+?1[- .]?)?(?:\(\d{3}\)\s?|\d{3}[- .])\d{3}[- .]\d{4}(?!\w)")
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
# Any other run of 8 or more digits: reference numbers, card numbers without separators, MRNs.
_LONG_DIGITS = re.compile(r"\d{8,}")


def scrub(text: str) -> str:
    """Replaces health card numbers, phone numbers, e-mail addresses and long digit runs by ``[redacted]``."""
    text = _EMAIL.sub(REDACTED, text)
    text = _HEALTH_CARD.sub(REDACTED, text)
    text = _PHONE.sub(REDACTED, text)
    return _LONG_DIGITS.sub(REDACTED, text)


def one_line(text: str) -> str:
    """Collapses all whitespace (newlines, tabs, runs of spaces) to single spaces."""
    return " ".join(text.split())


def shorten(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, ending in ``…`` when something was cut.

    Cuts at a word boundary when one is near, so a report never shows a chopped word it cannot explain.
    """
    flat = one_line(text)
    if limit <= 0:
        return ""
    if len(flat) <= limit:
        return flat
    if limit == 1:
        return "…"
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"
