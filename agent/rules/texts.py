"""Reads the partner's reply (the response's ``text``) and decides whether a person can act on it.

procedure.md rule 5 fixes a 400 only when the reply names what to fix: a field (label and path), a
path, a value and what is wrong with it, or a rule a person can follow. Everything else (``Bad
Request``, a bare status line, an HTML error page, a stack trace, a cardinality complaint without a
path, nothing at all) goes to support. The test is positive on purpose: a reply is unclear unless
something in it names the thing to change, so an unforeseen reply escalates rather than guessing.

The reply is someone else's text and may quote the referral. So field, fix and problem are built
only from known vocabulary (:mod:`agent.rules.vocabulary`: field words, FHIR paths, problem words,
short codes) and never copied from free text; ``message`` — the reply itself, kept for the clinic's
own report — goes through the one scrubber (:func:`agent.redact.scrub`) and is always shortened.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

from agent.models import TextKind, TextReading
from agent.redact import one_line, scrub, shorten
from agent.rules.vocabulary import (
    CONTAINERS,
    ELEMENT_WORDS,
    GENERIC_SUBJECT,
    RESOURCES,
    code_like,
    known_phrase,
    vocabulary_field,
)

MAX_TEXT_CHARS = 200_000
"""Longer replies are read from their beginning only."""
MAX_ANALYSED_CHARS = 2_000
"""The message the clarity rules look at, at most; a reply that only gets clear later is not a clear one."""
MESSAGE_LIMIT = 300
_SCRUB_MARGIN = 200
"""Scrubbed beyond what is used, so a number cut at the end of the scrubbed part is never shown."""
FIX_TAIL = ", then save it (Caredove re-sends it by itself; do not click Resend)."

_PATH = r"[A-Za-z]\w{0,60}(?:\[\d{1,4}\])?(?:\.[A-Za-z_]\w{0,60}(?:\[\d{1,4}\])?){1,12}"
# 'Primary Contact's Postal Code (Patient.contact[0].address.postCode)' is missing.
_LABELLED = re.compile(
    rf"""(?P<q>['"])(?P<label>[^()\n]{{1,80}}?)\s*\((?P<path>{_PATH})\)(?P=q)(?P<rest>[^\n]{{0,200}})"""
)
# The same without quotes, the label starting a sentence: Postal Code (Patient.address.postCode) is missing
_LABELLED_BARE = re.compile(
    rf"(?:^|[.:;]\s+)(?P<label>[A-Z][\w' -]{{0,80}}?)\s*\((?P<path>{_PATH})\)(?P<rest>[^\n]{{0,200}})"
)
_BARE_PATH = re.compile(rf"(?<![\w./])(?P<path>{_PATH})(?![\w(])")


EXCEPTION = re.compile(
    r"\w*Exception\b|Traceback \(most recent call last\)|\bat [\w$.]+\([\w$.]*(?::\d+)?\)|\bjava\.\w+|"
    r"\bstack ?trace\b|Caused by:|\bpanic:|\bFatal error\b|\bSegmentation fault\b",
    re.IGNORECASE,
)

# What is wrong, in the words staff see. Order matters: "not a valid date format" is a format
# problem before it is an invalid one, "not found in the value set" is a value-set one.
_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), label)
    for pattern, label in (
        (r"minimum required|min(?:imum)?\.? cardinality|but only found 0", "minimum required"),
        (r"value ?set|not a valid code|unknown code|code[- ]invalid", "not in the value set"),
        (r"format|does not match (?:the )?(?:pattern|regex)|malformed|unparseable|could not parse", "wrong format"),
        (r"too long|exceeds? (?:the )?max|longer than|max(?:imum)? length", "too long"),
        (r"must (?:be )?(?:equal|match)", "must equal"),
        (r"not found|unknown|does not exist|could not be (?:found|resolved)|no such", "not found"),
        (
            r"missing|\brequired\b|cannot be (?:null|empty|blank)|must not be (?:null|empty|blank)|"
            r"must be (?:provided|present|specified)|not provided|is empty|\bblank\b|mandatory",
            "missing",
        ),
        (r"invalid|not (?:a )?valid|incorrect|wrong|not allowed|not permitted|not accepted", "invalid"),
    )
)
_MUST_EQUAL = re.compile(r"must (?:be )?(?:equal|match)(?: to)?\s+(?P<value>[^.;,\n]{1,60})", re.IGNORECASE)
_ISSUE_CODES = {
    "required": "missing",
    "value": "invalid",
    "invariant": "invalid",
    "code-invalid": "not in the value set",
    "not-found": "not found",
    "too-long": "too long",
}
_QUOTED_VALUE = re.compile(r"""'([^'\n]{1,80})'|"([^"\n]{1,80})\"""")
_RULE = re.compile(
    r"^(?:the\s+)?(?P<subject>[A-Za-z][\w' /-]{2,60}?)\s+(?P<rule>(?:must|should|shall|cannot|can not|can't|"
    r"may not|is required|are required|needs? to|has to|is not allowed|are not allowed|is mandatory)\b.{0,160})$",
    re.IGNORECASE,
)
# "Postal code is missing": a named thing and what is wrong with it.
_STATEMENT = re.compile(
    r"^(?:the\s+)?(?P<subject>[A-Za-z][\w' /\[\]-]{2,60}?)\s+(?P<rule>(?:is|are|was|were|has|have)\s+(?:not valid|"
    r"invalid|missing|required|empty|blank|too long|incorrect|not allowed|unknown|not found|not recognized|"
    r"in the wrong format|an invalid|the wrong)\b.{0,120})$",
    re.IGNORECASE,
)


_JSON_MESSAGE_KEYS = (
    "message", "detail", "error_description", "errorMessage", "error_message", "msg", "details",
    "defaultMessage", "title", "description", "error", "errors",
)  # fmt: skip
_JSON_FIELD_KEYS = ("field", "fieldName", "property", "propertyPath", "parameter", "param", "expression")
_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body|title|h1)\b", re.IGNORECASE)
# Bounded, so a page of unclosed tags costs little.
_TITLE = re.compile(r"<title[^>]{0,200}>(.{0,1000}?)</title>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(r"<h1[^>]{0,200}>(.{0,1000}?)</h1>", re.IGNORECASE | re.DOTALL)
HTML_SCAN_CHARS = 20_000
"""An error page says what it says near its top; the rest is not searched."""
_TAG = re.compile(r"<[^>]{0,500}>")


@dataclass(frozen=True)
class _Analysis:
    clear: bool
    field: str | None = None
    path: str | None = None
    problem: str | None = None
    fix: str | None = None


def read_text(text: str | None) -> TextReading:
    """Reads the partner's reply; never raises: what it cannot make sense of is a plain, unclear message."""
    try:
        return _read(text)
    except Exception:  # a reply must never stop a sweep; an unclear reading escalates, which is safe
        return TextReading(kind=TextKind.PLAIN, message="(the reply could not be read)")


def _read(text: str | None) -> TextReading:
    if not isinstance(text, str) or not text.strip():
        return TextReading(kind=TextKind.EMPTY, message="")
    body = text[:MAX_TEXT_CHARS].strip()
    if body[0] in "{[":
        reading = _read_json(body)
        if reading is not None:
            return reading
    if _HTML.search(body[:2000]):
        return _read_html(body)
    return _reading(TextKind.PLAIN, one_line(body))


def _reading(
    kind: TextKind,
    message: str,
    *,
    path: str | None = None,
    hint: str | None = None,
    label: str | None = None,
    suffix: str = "",
) -> TextReading:
    """Scrubs the message, then judges it; the suffix (an issue count) is added after shortening."""
    # Only what is analysed or shown is scrubbed: the rest is never looked at, and scrubbing it all
    # would make a megabyte of reply cost seconds.
    clean = scrub(one_line(message[: MAX_ANALYSED_CHARS * 4])[: MAX_ANALYSED_CHARS + _SCRUB_MARGIN])
    analysis = _analyse(clean[:MAX_ANALYSED_CHARS], path=path and scrub(path), hint=hint, label=label)
    shown = shorten(clean, MESSAGE_LIMIT - len(suffix)) + suffix
    return TextReading(
        kind=kind,
        message=shown,
        clear=analysis.clear,
        field=analysis.field,
        path=analysis.path,
        problem=analysis.problem,
        fix=analysis.fix,
    )


# --- the shapes a reply comes in ------------------------------------------------------------------


def _read_json(body: str) -> TextReading | None:
    """A FHIR OperationOutcome or another JSON error body; ``None`` when it is not JSON after all."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if isinstance(data, list) and data:
        data = data[0]
    if not isinstance(data, dict):
        return None
    if data.get("resourceType") == "OperationOutcome" or isinstance(data.get("issue"), list):
        return _read_fhir(data)
    message, field = _json_message(data, depth=0)
    if not message:
        message = json.dumps(data, ensure_ascii=False)[:MAX_ANALYSED_CHARS]
    path = field if field and _is_resource_path(field) else None
    label = _humanize(field) if field and not path else None
    return _reading(TextKind.JSON, message, path=path, label=label)


def _read_fhir(data: dict[str, object]) -> TextReading:
    """The first error-severity issue speaks for the outcome; the others are counted, not read."""
    raw_issues = data.get("issue")
    issues = [i for i in raw_issues if isinstance(i, dict)] if isinstance(raw_issues, list) else []
    if not issues:
        return _reading(TextKind.FHIR, "OperationOutcome without issues")
    errors = [i for i in issues if i.get("severity") in ("fatal", "error")]
    issue = errors[0] if errors else issues[0]
    details = issue.get("details")
    details_text = details.get("text") if isinstance(details, dict) else None
    diagnostics = issue.get("diagnostics")
    code = issue.get("code")
    message = next((m for m in (diagnostics, details_text, code) if isinstance(m, str) and m.strip()), "")
    path = _first_path(issue.get("expression")) or _first_path(issue.get("location"))
    suffix = f" (first of {len(issues)} issues)" if len(issues) > 1 else ""
    return _reading(
        TextKind.FHIR, message or "OperationOutcome", path=path, hint=code if isinstance(code, str) else None,
        suffix=suffix,
    )  # fmt: skip


def _read_html(body: str) -> TextReading:
    """An error page: its title (or first heading) is all it says. Never clear (procedure.md)."""
    top = body[:HTML_SCAN_CHARS]
    found = _TITLE.search(top) or _H1.search(top)
    source = found.group(1) if found else top
    message = one_line(html.unescape(_TAG.sub(" ", source)))[: MESSAGE_LIMIT + _SCRUB_MARGIN]
    return TextReading(kind=TextKind.HTML, message=shorten(scrub(message), MESSAGE_LIMIT))


def _json_message(data: dict[str, object], *, depth: int) -> tuple[str, str | None]:
    """The most specific message in a JSON error body, and the field it names if it names one."""
    field = next((v for k in _JSON_FIELD_KEYS if isinstance(v := data.get(k), str) and v.strip()), None)
    for key in _JSON_MESSAGE_KEYS:
        value = data.get(key)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, str) and value.strip():
            return value, field
        if isinstance(value, dict) and depth < 3:
            inner, inner_field = _json_message(value, depth=depth + 1)
            if inner:
                return inner, inner_field or field
    return "", field


def _first_path(value: object) -> str | None:
    """The first FHIRPath of an ``expression``/``location`` list; XPath locations are converted."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if not isinstance(value, str):
        return None
    candidate = value.strip()
    if candidate.startswith("/"):
        candidate = ".".join(p.removeprefix("f:") for p in candidate.strip("/").split("/"))
    return candidate if re.fullmatch(_PATH, candidate) else None


# --- is it clear? ---------------------------------------------------------------------------------


def _analyse(message: str, *, path: str | None, hint: str | None, label: str | None) -> _Analysis:
    """Applies procedure.md's test for a clear message, most specific evidence first."""
    problem = _problem(message, hint)
    if EXCEPTION.search(message):
        return _Analysis(clear=False, path=path, problem=problem)

    labelled = _LABELLED.search(message) or _LABELLED_BARE.search(message)
    if labelled:
        label = one_line(labelled.group("label")).strip(" '\"")
        path = labelled.group("path")
        field = label if known_phrase(label) else _label_from_path(path)
        problem = _problem(labelled.group("rest"), hint) or problem
        return _clear(field, path, problem)

    path = path or _bare_path(message)
    if path:
        return _clear(_label_from_path(path), path, problem)

    if label and problem and known_phrase(label):
        return _clear(label, None, problem)

    first_sentence = re.split(r"(?<=[.!?])\s", message, maxsplit=1)[0].rstrip(".!? ")
    rule = _RULE.match(first_sentence) or _STATEMENT.match(first_sentence)
    subject = vocabulary_field(rule.group("subject")) if rule else None
    if rule and subject and not _generic(subject) and subject.lower() not in _WHOLE_RECORDS:
        clause = shorten(rule.group("rule"), 80)
        stated = clause if known_phrase(clause, rule=True) else None
        return _clear(
            subject, None, problem if problem != "invalid" or _STATEMENT.match(first_sentence) else None, stated
        )

    quoted = _QUOTED_VALUE.search(message)
    if quoted and problem and problem not in ("missing", "minimum required"):
        value = quoted.group(1) or quoted.group(2)
        named = f"the value '{value}'" if code_like(value) else "the value the partner's message quotes"
        fix = f"Edit the referral and correct {named} ({problem}){FIX_TAIL}"
        return _Analysis(clear=True, problem=problem, fix=fix)

    return _Analysis(clear=False, problem=problem)


_WHOLE_RECORDS = frozenset({"patient", "registrant", "client", "person", "referral", "practitioner", "organization"})
"""A subject that is a whole record, not a field of it: "Patient [redacted] is missing" names nothing to fix."""


def _clear(field: str, path: str | None, problem: str | None, rule: str | None = None) -> _Analysis:
    return _Analysis(clear=True, field=field, path=path, problem=problem or rule, fix=_fix(field, problem, rule))


def _problem(text: str, hint: str | None) -> str | None:
    """The vocabulary word for what is wrong; quoted values are not read, so 'unknown-x' is not "not found"."""
    unquoted = _QUOTED_VALUE.sub("''", text)
    for pattern, label in _PROBLEMS:
        if pattern.search(unquoted):
            if label == "must equal":
                value = _MUST_EQUAL.search(text)
                shown = value.group("value").strip() if value else ""
                return (
                    f"must equal {shown}" if code_like(shown.strip("'\"")) else "must equal a value the partner names"
                )
            return label
    return _ISSUE_CODES.get(hint or "")


def _fix(field: str, problem: str | None, rule: str | None) -> str:
    """One line staff can follow, with the field as they see it on the referral form."""
    the = f"the {in_sentence(field)}"
    action = {
        "missing": f"enter {the}",
        "minimum required": f"enter {the}",
        "wrong format": f"correct the format of {the}",
        "not in the value set": f"choose one of the allowed values for {the}",
        "too long": f"shorten {the}",
        "not found": f"check {the} (the partner could not find it)",
        "invalid": f"correct {the} (the partner says it is invalid)",
    }.get(problem or "")
    if action is None:
        reason = problem or rule
        action = f"correct {the} ({reason})" if reason else f"correct {the} as the partner's message says"
    return f"Edit the referral and {action}{FIX_TAIL}"


def _bare_path(message: str) -> str | None:
    for match in _BARE_PATH.finditer(message):
        if _is_resource_path(match.group("path")):
            return match.group("path")
    return None


def _is_resource_path(candidate: str) -> bool:
    return re.fullmatch(_PATH, candidate) is not None and candidate.split(".", 1)[0] in RESOURCES


def _generic(subject: str) -> bool:
    words = {w for w in re.split(r"[\s/-]+", subject.lower()) if w not in ("the", "a", "an", "with")}
    return not words or bool(words & GENERIC_SUBJECT)


def _label_from_path(path: str) -> str:
    """``Patient.birthDate`` → ``Patient birth date``; ``Patient.contact[0].address.postCode`` →
    ``Patient contact postal code``: a label staff can find on the form when the partner gives none."""
    parts = [re.sub(r"\[\d+\]$", "", p) for p in path.split(".")]
    resource, elements = parts[0], parts[1:]
    if len(elements) > 1 and elements[-1] == "value":
        elements = elements[:-1]
    kept = [e for e in elements[:-1] if e not in CONTAINERS] + elements[-1:]
    return " ".join([_humanize(resource, keep_case=True), *(_humanize(e) for e in kept)])


def _humanize(name: str, *, keep_case: bool = False) -> str:
    if name in ELEMENT_WORDS:
        return ELEMENT_WORDS[name]
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").strip()
    return spaced if keep_case else spaced.lower()


def in_sentence(label: str) -> str:
    """``Primary Contact's Postal Code`` → ``primary contact's postal code``; acronyms keep their capitals."""
    return " ".join(w.lower() if w[:1].isupper() and not w[1:2].isupper() else w for w in label.split())
