"""Keeps personal data and credentials out of what the agent writes down: the one scrubber.

The partner's reply (``text``), a page's title, an exception's message: all are written by someone
else and may quote what the referral held. Anything that leaves the agent — a report, a log line, a
notification, a decision's reason — goes through :func:`scrub` first and :func:`shorten` after it,
so a cut never leaves half a number behind. Logs and reports use this same function; logs only ask
it to keep the reference numbers the agent itself names (``referral 3502768696``).

What goes, in this order (credentials first, so a password that looks like a date still goes):

- the configured secrets, ``Cookie``/``Authorization`` headers, bearer tokens, ``password=…`` pairs;
- e-mail addresses;
- names: after a person word (patient, registrant, client, Mr …, ``name:``), quoted after a name
  word (``family name 'Smith'``), and any run of two or more Title-Case words that are not known
  vocabulary (``John Smith``; ``Primary Contact's Postal Code`` stays);
- dates in every common spelling (ISO, ``01/02/1980``, ``1980.01.02``, ``Jan 2, 1980``, ``2 Jan 1980``);
- postal codes (Canadian ``M5V 2T6``, US ZIP+4) and street addresses (``123 Main St``, ``PO Box 12``);
- health card numbers (``1234-567-890``, ``1234 567 890``, ``1234.567.890``, ``12345 67890``, with
  or without a version code; Quebec's ``ABCD 1234 5678``);
- phone numbers, and any other run of 8 or more digits (reference numbers, MRNs).

Every pattern is bounded, so the work is linear in the text's length.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[redacted]"

# --- credentials ----------------------------------------------------------------------------------

_PASSWORD_PAIR = re.compile(
    r"""(?P<key>["']?\b(?:password|passwd|pwd|secret|token|api[_-]?key)["']?\s{0,5}[:=]\s{0,5})"""
    r"""(?P<q>["']?)[^\s"',;&}]{1,500}(?P=q)""",
    re.IGNORECASE,
)
_HEADER = re.compile(
    r"(?P<key>\b(?:set-cookie|cookie|authorization|proxy-authorization)\s{0,5}[:=]\s{0,5})[^\r\n]{1,4000}", re.I
)
_BEARER = re.compile(r"\b(?P<key>bearer|basic)\s{1,5}[A-Za-z0-9._~+/=-]{8,4000}", re.IGNORECASE)

# --- personal data --------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|janv(?:ier)?|f[ée]vr?(?:ier)?|mars|avr(?:il)?|mai|juin|"
    r"juil(?:let)?|ao[uû]t|sept(?:embre)?|oct(?:obre)?|nov(?:embre)?|d[ée]c(?:embre)?)\.?"
)
_DATE = re.compile(
    r"(?<![\w.-])(?:"
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[ -]{_MONTH}[ ,-]{{1,2}}\d{{2,4}}"
    rf"|{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}"
    rf"|\d{{4}}[ -]{_MONTH}[ -]\d{{1,2}}"
    rf"|{_MONTH}[ -]\d{{1,2}}[ -]\d{{4}}"
    rf"|{_MONTH} \d{{4}}"
    r")(?![\w-])",
    re.IGNORECASE,
)
_POSTAL = re.compile(
    r"(?<![\w-])(?:[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d|\d{5}-\d{4})(?![\w-])",
    re.IGNORECASE,
)
_STREET_TYPES = (
    r"Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Court|Ct|Crescent|Cres|Cr|Way|Place|"
    r"Pl|Terrace|Terr|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Gate|Grove|Heights|Hts|"
    r"Line|Concession|Sideroad|Close|Row|Path|Park|Gardens|Mews|Rue|Chemin|Ch"
)
_ADDRESS = re.compile(
    r"(?:(?:Unit|Apt|Apartment|Suite|Ste)\.?\s{0,3}#?\s{0,3}\w{1,6}[,\s-]{1,3})?"
    r"(?<![\w-])\d{1,6}[A-Za-z]?(?:[-–]\d{1,6})?,?\s{1,3}(?:[A-Za-zÀ-ÿ'’.-]{1,30}\s{1,3}){1,4}?"
    rf"(?:{_STREET_TYPES})\b\.?(?:\s{{1,3}}(?:N|S|E|W|North|South|East|West)\b\.?)?"
    r"(?:,?\s{0,3}(?:Unit|Apt|Apartment|Suite|Ste|#)\.?\s{0,3}#?\s{0,3}\w{1,6})?"
    r"|(?<![\w-])\d{1,6},?\s{1,3}(?:rue|chemin|ch\.|boul\.?|boulevard|avenue|av\.|route|rang|place)"
    r"(?:\s{1,3}(?:de|du|des|la|le|l['’])?\s{0,3}[A-Za-zÀ-ÿ'’.-]{1,30}){1,3}"
    r"|\b(?:P\.?\s?O\.?\s?Box|Box|RR|R\.R\.)\s{0,3}#?\s{0,3}\d{1,6}\b",
    re.IGNORECASE,
)
# Health card numbers: 4-3-3 with "-", " " or "." (or none), 5-5 with one separator, an optional
# version code in capitals (so a following word like "is" is not taken for one), and Quebec's RAMQ.
_HEALTH_CARD = re.compile(
    r"(?<![\w.-])(?:\d{4}[-. ]\d{3}[-. ]?\d{3}|\d{4}[-. ]?\d{3}[-. ]\d{3}|\d{5}[-. ]\d{5}|\d{5}[-. ]\d{4})"
    r"(?:[-. ]?[A-Z]{1,2}(?![a-z]))?(?![\w])"
    r"|(?<![\w-])\d{10}[A-Za-z]{1,2}(?![\w-])"
    r"|(?<![\w-])[A-Z]{4}[ -]?\d{4}[ -]?\d{4}(?![\w-])"
)
_PHONE = re.compile(
    r"(?<![\w.])(?:\+?1[- .]?)?(?:\(\d{3}\)\s?|\d{3}[- .])\d{3}[- .]\d{4}"
    r"(?:\s{0,3}(?:x|ext\.?)\s{0,3}\d{1,6})?(?![\w])",
    re.IGNORECASE,
)
_LONG_DIGITS = re.compile(r"\d{8,}")
_ANY_DIGIT = re.compile(r"\d")
_HCN_LABEL = re.compile(r"(?:health\s{0,3}card|hcn|ohip|phn|ramq)\s{0,3}(?:#|no\.?|number)?\s{0,3}[:=]?\s{0,3}$", re.I)
_REFERENCE_LABEL = re.compile(
    r"(?:referral|reference|ref)\s{0,3}(?:#|no\.?|number)?\s{0,3}[:=]?\s{0,3}#?\s{0,3}$", re.IGNORECASE
)

# --- names ----------------------------------------------------------------------------------------

_WORD = r"[A-ZÀ-Þ][a-zß-ÿ]*(?:['’-][A-ZÀ-Þ]?[a-zß-ÿ]+)*"
"""One capitalised word, with O'Neil, Jean-Luc and Contact's."""
_EDGE_BEFORE = r"(?<![\w’-])(?<!\w')"
_EDGE_AFTER = r"(?![\w’-])(?!'\w)"
_TITLE_RUN = re.compile(rf"{_EDGE_BEFORE}{_WORD}(?:,?[ \t]{{1,3}}{_WORD}){{1,5}}{_EDGE_AFTER}")
_QUOTED_TITLE = re.compile(rf"(?<=['\"‘“]){_WORD}(?:[ \t]{{1,3}}{_WORD}){{0,5}}(?=['\"’”])")
_PERSON = re.compile(
    r"(?i:\b(?:patient|registrant|client|person|individual|resident|member|child|infant|baby|newborn|mother|"
    r"father|parent|guardian|caregiver|subject|beneficiary|insured|holder|mr|mrs|ms|miss|mx|dr)\b)"
    r"\.?(?:['’]s)?(?i:\s{1,3}(?:full\s{1,3})?name)?\s{0,3}(?:[:=#-]\s{0,3}|\s)"
    r"(?P<name>(?:[A-ZÀ-Þ][\w'’.-]{0,40})(?:,?[ \t]{1,3}[A-ZÀ-Þ][\w'’.-]{0,40}){0,3})"
)
_NAME_WORDS = r"(?i:\b(?:name|surname|given|family|first|last|middle|forename|nom|prénom)\b)"
_QUOTED_NAME = re.compile(
    rf"{_NAME_WORDS}[^'\"\n]{{0,20}}?(?P<q>['\"“‘])(?P<name>[^'\"”’\n]{{1,60}})(?:['\"”’])"
    rf"|{_NAME_WORDS}[^'\"\n.;:]{{0,20}}?\s(?P<bare>{_WORD}(?:,?[ \t]{{1,3}}{_WORD}){{0,3}}){_EDGE_AFTER}"
)

# Words that are not names: the vocabulary of error messages, FHIR, the inbox's screens and HTTP.
_VOCABULARY = frozenset(
    """
    a about above access account accepted action active address addresses administrative after again all
    allowed already also an and any api appointment are array as at attribute authentication authorization
    bad be before below between birth blank body booked both bundle but by call can cancelled cannot card
    care carrier case cell check city client closed code codes coding communication completed composition
    condition connection consent contact contacts content country coverage create created data date day
    denied description destination detail details diagnostic did document does domain edited element
    email empty encounter end endpoint entity entry error errors event expected expired extension failed
    failure family fatal field fields file first for format found from gateway gender given go group has
    have health healthcare hearing home http https identifier if in inbox infant information integration
    internal invalid is issue it item its key language last length line list location long mandatory
    match maximum may medication message method middle minimum missing mobile must name names need new
    no not notice null number object observation of on one only or organization other outcome page
    parameter past patient payload pending period person phone practitioner primary procedure property
    province provided provider ready reason received record referral referrals referring rejected related
    request requested required requester resend resent resource response rule save saved secondary
    send sent server service services session set should sign site size state status street success
    successful support system task telecom telephone text that the there this time timeout timed to too
    trigger triggers type unauthorized unavailable unknown unprocessable unsupported up upstream url use
    user valid validation value values version view was were when which with work workflow wrong you
    your zip postal post postcode ontario quebec canada ocean ereferral cdis emhware crms hapi fhir nginx
    apache java error page forbidden conflict gone precondition implemented too many requests large media
    entity content unsupported gateway bad moved permanently temporarily redirect found see other modified
    proxy length expectation teapot misdirected locked dependency early upgrade legal reasons insufficient
    storage loop extended network close clear resend view edit save sign integration triggers api message
    partner caredove reference submitted registrant workflow the new older newer article screens report
    summary actions escalations fixes sweep agent dry run cleared escalated could process attention
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december am pm est edt utc gmt eastern pacific central mountain
    toronto vancouver montreal ottawa
    """.split()  # noqa: SIM905 - a word list reads better as prose
)


def _known(word: str) -> bool:
    stem = re.sub(r"['’]s$", "", word).lower()
    return stem in _VOCABULARY or all(part in _VOCABULARY for part in stem.split("-") if part)


def _title_run(match: re.Match[str]) -> str:
    """A run of capitalised words is a name unless every word is vocabulary; known words at its ends stay."""
    words = match.group().split()
    if all(_known(w.rstrip(",")) for w in words):
        return match.group()
    start = 0
    while _known(words[start].rstrip(",")):
        start += 1
    end = len(words)
    while _known(words[end - 1].rstrip(",")):
        end -= 1
    kept_before = " ".join(words[:start])
    kept_after = " ".join(words[end:])
    return " ".join(p for p in (kept_before, REDACTED, kept_after) if p)


def _person(match: re.Match[str]) -> str:
    """After a person word: the capitalised words that follow, up to the first vocabulary word."""
    name = match.group("name")
    words = re.split(r"(,?[ \t]{1,3})", name)
    taken = 0
    for index in range(0, len(words), 2):
        if _known(words[index].strip(".,")):
            break
        taken = index + 1
    if taken == 0:
        return match.group()
    rest = "".join(words[taken:])
    head = match.group()[: match.start("name") - match.start()]
    return head + REDACTED + rest


def _quoted_name(match: re.Match[str]) -> str:
    """A value next to a name word: quoted, it goes whatever it is; bare, unless it is vocabulary."""
    group = "name" if match.group("name") is not None else "bare"
    if group == "bare" and all(_known(w.strip(",")) for w in match.group("bare").split()):
        return match.group()
    head = match.group()[: match.start(group) - match.start()]
    return head + REDACTED + match.group()[match.end(group) - match.start() :]


def _quoted_title(match: re.Match[str]) -> str:
    """A quoted capitalised word is a partner quoting a value: a name unless it is vocabulary."""
    return match.group() if all(_known(w) for w in match.group().split()) else REDACTED


def scrub(
    text: str,
    *,
    secrets: Iterable[str] = (),
    references: Iterable[str] = (),
    own_line: bool = False,
) -> str:
    """``text`` without credentials or personal data (see the module's docstring for what goes).

    ``secrets`` are literal values (the configured password) removed wherever they appear;
    ``references`` are reference numbers the caller knows, kept as they are. ``own_line`` is for
    the agent's own lines (logs): a 10-digit number right after "referral"/"reference #", a sweep id
    (``20261202-020000``) and a timestamp with a time of day are kept too. Partner text never gets
    that: a partner may label a health card number however it likes, and a DOB has no time of day.
    """
    kept: list[str] = []
    if own_line:
        text = _OWN_TOKENS.sub(lambda m: _hold(m, kept), text)
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, REDACTED)
    text = _HEADER.sub(lambda m: m.group("key") + REDACTED, text)
    text = _BEARER.sub(lambda m: m.group("key") + " " + REDACTED, text)
    text = _PASSWORD_PAIR.sub(lambda m: m.group("key") + REDACTED, text)
    if "@" in text:
        text = _EMAIL.sub(REDACTED, text)
    if _ANY_DIGIT.search(text):  # every pattern below needs a digit
        text = _DATE.sub(REDACTED, text)
        text = _POSTAL.sub(REDACTED, text)
        text = _ADDRESS.sub(REDACTED, text)
        text = _HEALTH_CARD.sub(REDACTED, text)
        text = _PHONE.sub(REDACTED, text)
    known = set(references)

    def digits(match: re.Match[str]) -> str:
        number = match.group()
        before = match.string[max(0, match.start() - 30) : match.start()]
        if len(number) != 10 or _HCN_LABEL.search(before):
            return REDACTED
        if number in known or (own_line and _REFERENCE_LABEL.search(before)):
            return number
        return REDACTED

    text = _LONG_DIGITS.sub(digits, text)
    text = _QUOTED_NAME.sub(_quoted_name, text)
    text = _PERSON.sub(_person, text)
    text = _QUOTED_TITLE.sub(_quoted_title, text)
    text = _TITLE_RUN.sub(_title_run, text)
    return _HELD.sub(lambda m: kept[ord(m.group(1)) - _HELD_BASE], text) if kept else text


# The agent's own tokens in its own lines: a sweep id, a timestamp with a (non-midnight) time of day.
_OWN_TOKENS = re.compile(
    r"(?<![\w-])\d{8}-\d{6}(?:-dry)?(?:-[0-9a-f]{4})?(?![\w-])"
    r"|(?<![\w.-])\d{4}-\d{2}-\d{2}[T ](?!00:00(?::00)?(?![\d.]))\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
    r"(?:Z|[+-]\d{2}:?\d{2}| ?[A-Z]{3,4}\b)?"
)
_HELD_BASE = 0xE100
_HELD = re.compile("\ue000([\ue100-\uf8ff])\ue000")
"""Placeholders from the Private Use Area: no pattern above matches them (no digit, letter or word char)."""


def _hold(match: re.Match[str], kept: list[str]) -> str:
    if len(kept) >= 0xF8FF - _HELD_BASE:
        return match.group()
    kept.append(match.group())
    return f"\ue000{chr(_HELD_BASE + len(kept) - 1)}\ue000"


EXCERPT_MARGIN = 200
"""Scrubbed beyond what is shown, so a number cut where the excerpt is taken is never half shown."""


def excerpt(text: str, limit: int, *, secrets: Iterable[str] = ()) -> str:
    """Someone else's text as the agent shows it: one line, scrubbed, at most ``limit`` characters.

    Only the part that can be shown is scrubbed, so a megabyte of reply costs what a line costs.
    """
    head = one_line(text[: (limit + EXCERPT_MARGIN) * 8])
    cut = len(head) > limit + EXCERPT_MARGIN or len(text) > (limit + EXCERPT_MARGIN) * 8
    shown = shorten(scrub(head[: limit + EXCERPT_MARGIN], secrets=secrets), limit)
    if cut and not shown.endswith("…") and limit > 1:
        shown = shorten(shown, limit - 1).removesuffix("…") + "…"
    return shown


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
