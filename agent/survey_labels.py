"""The survey's pure side: does each ``labels.*`` pattern find its control on the screen it belongs
to, what else is there when it does not, which pattern would, and what is safe to write down.

Nothing here touches a browser: it takes the inventory a screen gave (:mod:`agent.pages.survey`)
and returns findings. Privacy is by construction: a data cell's text never leaves this module except
as its kind (``<reference>``, ``<name>``, ``<date>``, ``<text>``); control and header names are kept
only when they look like labels (no digits runs, no e-mail/phone/health card/postal code, no word of
a registrant's name seen on the screens).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from agent.pages.survey import Control, Inventory, TableSeen
from agent.redact import scrub
from agent.settings import Labels

REFERENCE = re.compile(r"^\D*\d{10}\D*$")
DATE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b\d{1,2}:\d{2}\b|"
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b|"
    r"\b\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    re.IGNORECASE,
)
POSTAL = re.compile(r"\b[A-Za-z]\d[A-Za-z][ -]?\d[A-Za-z]\d\b")
DIGITS = re.compile(r"\d{4,}")
TRIGGERS = re.compile(r"^(received|edited|closed|booked|rescheduled|unbooked|archived|message from)", re.IGNORECASE)
PARTNERS = re.compile(r"\b(cdis|emhware|crms|ocean)\b", re.IGNORECASE)

SYNONYMS: dict[str, tuple[str, ...]] = {
    "reference_column": ("reference", "ref", "referral id", "referral #", "id", "number"),
    "registrant_column": ("registrant", "client", "patient", "person", "name"),
    "service_column": ("service", "program", "programme", "offering"),
    "submitted_column": ("submitted", "received", "date", "created", "sent"),
    "status_column": ("status", "state", "stage"),
    "workflow_column": ("workflow", "actions", "flow"),
    "date_column": ("date", "sent", "time", "when"),
    "trigger_column": ("trigger", "event", "action"),
    "destination_column": ("destination", "system", "partner", "target", "recipient"),
    "attempt_status_column": ("status", "state", "result", "outcome"),
    "response_column": ("response", "reply", "log", "details"),
    "resend": ("resend", "resubmit", "retry", "send again", "re-send"),
    "clear": ("clear", "dismiss", "resolve", "acknowledge"),
    "close": ("close", "done", "cancel"),
    "view": ("view", "open", "show", "details", "log"),
    "next_page": ("next", "›", "»", "→", "more", "load more"),
    "errors_filter": ("integration error", "with errors", "errors"),
    "show_all": ("all referrals", "show all", "view all"),
    "error_control": ("api", "error", "failed"),
    "menu_referrals": ("referrals",),
    "menu_inbox": ("inbox",),
    "sign_in": ("sign in", "log in", "login", "continue"),
}


class Finding(BaseModel):
    """One label (or structure) on one screen: found or not, how, in how long, and what to do."""

    model_config = ConfigDict(frozen=True)

    label: str
    screen: str
    found: bool | None = Field(description="None: not applicable here (e.g. a page only some sites show).")
    how: str = ""
    seconds: float | None = None
    pattern: str = ""
    candidates: list[str] = Field(default_factory=list, description="Role and name of what the screen offers.")
    suggestion: str | None = Field(default=None, description="A labels.* pattern that matches this screen.")
    note: str = ""


# --- what is safe to write down ----------------------------------------------------------------------


def personal_words(inventory: Inventory, registrant_pattern: str) -> set[str]:
    """The words of the registrant column's cells (names), to keep them out of everything written."""
    words: set[str] = set()
    matcher = re.compile(registrant_pattern, re.IGNORECASE)
    for table in inventory["tables"]:
        index = next((i for i, h in enumerate(table["headers"]) if matcher.search(h)), None)
        if index is None:
            continue
        for row in table["rows"]:
            if index < len(row):
                words |= {w.lower() for w in re.findall(r"[^\W\d_]{3,}", row[index]["text"])}
    return words


def looks_personal(text: str, known: set[str]) -> bool:
    if scrub(text) != text or POSTAL.search(text) or DIGITS.search(text) or DATE.search(text):
        return True
    return any(w.lower() in known for w in re.findall(r"[^\W\d_]{3,}", text))


def kind_of(text: str, known: set[str]) -> str:
    """What a data cell holds, named without its content."""
    if not text:
        return "<empty>"
    if REFERENCE.match(text):
        return "<reference>"
    if DATE.search(text):
        return "<date>"
    if any(w.lower() in known for w in re.findall(r"[^\W\d_]{3,}", text)):
        return "<name>"
    return "<text>"


def safe(text: str, known: set[str]) -> str:
    if not text:
        return ""
    return text if not looks_personal(text, known) else kind_of(text, known)


# --- matching labels against a screen ----------------------------------------------------------------


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def suggest(name: str) -> str:
    """A pattern that matches exactly this visible name (case and spacing aside)."""
    words = [re.escape(w) for w in name.split()]
    return r"^\s*" + r"\s+".join(words) + r"\s*$"


def _rank(key: str, names: Iterable[str]) -> str | None:
    """The candidate whose name carries one of the label's usual words (earlier words rank first)."""
    options = list(dict.fromkeys(n for n in names if n))
    for word in SYNONYMS.get(key, ()):
        for name in options:
            if word in name.lower():
                return name
    return None


def _described(control: Control) -> str:
    return f"{control['role']} '{control['name']}'" + (f" (title '{control['title']}')" if control["title"] else "")


def check_control(
    key: str,
    screen: str,
    inventory: Inventory,
    labels: Labels,
    known: set[str],
    *,
    where: str = "any",
    structural: str | None = None,
    seconds: float | None = None,
    also_text: bool = False,
) -> Finding:
    """A control (button, link, field) named by ``labels.<key>``, by name or title."""
    pattern = getattr(labels, key) or ""
    matcher = _rx(pattern) if pattern else None
    scope = [c for c in inventory["controls"] if _in_scope(c, where)]
    if matcher is not None:
        for control in scope:
            if matcher.search(control["name"]) or (control["title"] and matcher.search(control["title"])):
                by = "title" if not matcher.search(control["name"]) else "role+name"
                return Finding(label=key, screen=screen, found=True, how=f"{by}: {_safe_control(control, known)}",
                               seconds=seconds, pattern=pattern)  # fmt: skip
    # a menu heading that is not a control (a sidebar's "Referrals")
    if also_text and matcher is not None and any(matcher.search(line) for line in inventory["lines"]):
        return Finding(label=key, screen=screen, found=True, how="visible text", seconds=seconds, pattern=pattern)
    names = [c["name"] for c in scope if c["name"] and not looks_personal(c["name"], known)]
    candidates = list(dict.fromkeys(_safe_control(c, known) for c in scope if c["name"]))[:15]
    best = structural or _rank(key, names)
    return Finding(label=key, screen=screen, found=False, seconds=seconds, pattern=pattern, candidates=candidates,
                   suggestion=suggest(best) if best and not looks_personal(best, known) else None)  # fmt: skip


def _in_scope(control: Control, where: str) -> bool:
    if where == "dialog":
        return control["in_dialog"]
    if where == "dialog_outside_rows":
        return control["in_dialog"] and not control["in_row"]
    if where == "rows":
        return control["in_row"]
    if where == "nav":
        return control["in_nav"] and not control["in_row"]
    if where == "outside_rows":
        return not control["in_row"] and not control["in_dialog"]
    return True


def _safe_control(control: Control, known: set[str]) -> str:
    shown = {**control, "name": safe(control["name"], known), "title": safe(control["title"], known)}
    return _described(shown)  # type: ignore[arg-type]


def check_header(
    key: str, screen: str, table: TableSeen | None, labels: Labels, known: set[str], structural: int | None = None
) -> Finding:
    """A column, found by its header's text; a miss suggests the header the column's content points to."""
    pattern = getattr(labels, key)
    if table is None:
        return Finding(label=key, screen=screen, found=False, pattern=pattern, note="no table on this screen")
    headers = table["headers"]
    matcher = _rx(pattern)
    for header in headers:
        if matcher.search(header):
            return Finding(label=key, screen=screen, found=True, how=f"column header '{header}'", pattern=pattern)
    best = headers[structural] if structural is not None and structural < len(headers) else _rank(key, headers)
    candidates = [f"columnheader '{safe(h, known)}'" for h in headers if h]
    return Finding(label=key, screen=screen, found=False, pattern=pattern, candidates=candidates,
                   suggestion=suggest(best) if best and not looks_personal(best, known) else None)  # fmt: skip


def check_text(key: str, screen: str, inventory: Inventory, labels: Labels, known: set[str]) -> Finding:
    """A sentence on the screen (the banner's count): found or not; its text is never written down."""
    pattern = getattr(labels, key)
    hit = any(_rx(pattern).search(line) for line in inventory["lines"])
    return Finding(label=key, screen=screen, found=hit, how="visible text" if hit else "", pattern=pattern,
                   note="" if hit else "no line of the screen matches; compare with the screenshot")  # fmt: skip


# --- what a column holds, from its cells ---------------------------------------------------------------


def column_where(table: TableSeen, test: str, taken: set[int] | None = None) -> int | None:
    """The first column (not ``taken``) most of whose cells pass ``test``: reference, date, link,
    buttons, status, trigger, partner."""
    taken = taken or set()
    width = max((len(r) for r in table["rows"]), default=0)
    for index in range(width):
        if index in taken:
            continue
        cells = [r[index] for r in table["rows"] if index < len(r)]
        if not cells:
            continue
        passing = sum(_passes(cell, test) for cell in cells)
        if passing * 2 > len(cells):
            return index
    return None


def _passes(cell: object, test: str) -> bool:
    assert isinstance(cell, dict)
    text = cell["text"]
    return {
        "reference": bool(REFERENCE.match(text)),
        "date": cell["time"] or bool(DATE.search(text)),
        "link": bool(cell["link"]) and not cell["buttons"],
        "buttons": bool(cell["buttons"]),
        "status": bool(cell["icons"]) or bool(re.search(r"success|fail|pending|error|sent", text, re.IGNORECASE)),
        "trigger": bool(TRIGGERS.match(text)),
        "partner": bool(PARTNERS.search(text)),
    }[test]


def toml_block(findings: list[Finding]) -> str:
    """Every suggestion as a ``[labels]`` block to paste into caredove-agent.toml."""
    lines = ["[labels]"]
    for finding in findings:
        if finding.found is False and finding.suggestion:
            value = finding.suggestion
            quoted = f"'{value}'" if "'" not in value else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
            lines.append(f"{finding.label} = {quoted}")
    return "\n".join(lines) + "\n" if len(lines) > 1 else ""


# --- the ARIA snapshot, masked ------------------------------------------------------------------------

_LINE = re.compile(
    r'^(?P<indent>\s*)- (?P<role>[a-z]+)(?: "(?P<name>(?:[^"\\]|\\.)*)")?(?P<rest>[^:]*)(?P<colon>:?)(?P<text>.*)$'
)
KEEP_NAMES = {"button", "link", "columnheader", "dialog", "heading", "navigation", "tab", "menuitem", "searchbox",
              "textbox", "checkbox", "combobox", "img", "table", "grid", "banner", "main", "status"}  # fmt: skip


def mask_aria(snapshot: str, known: set[str], labels: Labels) -> str:
    """The snapshot's structure with every data cell's text replaced by its kind; a control's or
    header's name kept only when it looks like a label (and, inside a row, when a label pattern
    matches it)."""
    patterns = [_rx(p) for _, p in labels if p]
    out: list[str] = []
    row_indent: int | None = None
    for raw in snapshot.splitlines():
        match = _LINE.match(raw)
        if match is None:
            stripped = raw.strip()
            out.append(raw[: len(raw) - len(raw.lstrip())] + (kind_of(stripped, known) if stripped else ""))
            continue
        indent = len(match["indent"])
        if row_indent is not None and indent <= row_indent:
            row_indent = None
        role, name, text = match["role"], match["name"], match["text"].strip()
        if role == "row":
            row_indent = indent if row_indent is None else row_indent
        in_row = row_indent is not None and (indent > row_indent or role == "row")
        if name is not None:
            keep = role in KEEP_NAMES and not looks_personal(name, known)
            if in_row and role not in ("columnheader",):
                keep = keep and role in ("button", "link", "img") and any(p.search(name) for p in patterns)
            name = name if keep else kind_of(name, known)
        if text:
            keep_text = not in_row and not looks_personal(text, known) and any(p.search(text) for p in patterns)
            text = text if keep_text else kind_of(text.strip('"'), known)
        shown_name = f' "{name}"' if name is not None else ""
        shown_text = f" {text}" if text else ""
        out.append(f"{match['indent']}- {role}{shown_name}{match['rest']}{match['colon']}{shown_text}")
    return "\n".join(out)
