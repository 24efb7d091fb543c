"""Reads the response tab's text block into a :class:`ResponseRecord`, or says why it cannot.

The block is a transfer record (PHP curl's names: ``http_code``, ``url``, ``total_time`` …) with the
partner's reply under ``text``. Caredove documents neither its layout nor its rendering, so three are
read: pretty JSON, a ``key: value`` dump and PHP ``print_r``. The code may sit at the top or nested
(``info``/``response``/``body``), as a number or a string.

Every decision hangs on ``http_code``, so this module never guesses: a block it cannot read, a code
that is not a whole number in 100–599, or two different codes in one block all give
``ResponseFormat.UNREADABLE`` with a ``problem`` a support lead can read. It never raises, whatever
it is given, and caps its work so a huge or hostile block costs little.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from agent.models import ResponseFormat, ResponseRecord

MAX_BLOCK_CHARS = 1_000_000
"""Bigger blocks are not parsed: no real transfer record is this large."""
MAX_NODES = 20_000
"""JSON nodes or print_r keys looked at, at most."""
MAX_DEPTH = 12
MAX_FIELDS = 100
MAX_FIELD_CHARS = 500

_CODE_KEYS = frozenset({"http_code"})
"""The article's name for the status; preferred over the aliases below when both are present."""
_CODE_ALIASES = frozenset({"httpcode", "http_status", "http_status_code", "status_code", "statuscode"})
# A plain "status" is left out on purpose: it is as often "failed" or the partner's own status.
_TEXT_KEYS = ("text", "response_text", "body", "response")
"""Where the partner's reply is, in order of preference; the later ones only count when they are strings."""

# curl_getinfo()'s keys, and what a dump adds to them: after `text` only these start a new entry,
# so a reply that itself contains "reason: …" or "[x] => y" stays part of the reply.
_RECORD_KEYS = frozenset(
    {
        "url", "content_type", "http_code", "header_size", "request_size", "filetime",
        "ssl_verify_result", "redirect_count", "total_time", "namelookup_time", "connect_time",
        "pretransfer_time", "size_upload", "size_download", "speed_download", "speed_upload",
        "download_content_length", "upload_content_length", "starttransfer_time", "redirect_time",
        "redirect_url", "primary_ip", "certinfo", "primary_port", "local_ip", "local_port",
        "http_version", "protocol", "ssl_verifyresult", "scheme", "appconnect_time_us",
        "connect_time_us", "namelookup_time_us", "pretransfer_time_us", "redirect_time_us",
        "starttransfer_time_us", "total_time_us", "request_header", "headers", "error", "errno",
        "curl_error", "curl_errno", "method", "info", "response", "body", "text",
    }
)  # fmt: skip

_KV_LINE = re.compile(r"""^[ \t]*["']?([A-Za-z_][A-Za-z0-9_ .\-]{0,48}?)["']?[ \t]*[:=][ \t]?(.*)$""")
_PRINT_R_START = re.compile(r"^\s*Array\s*\(", re.ASCII)
_PRINT_R_KEY = re.compile(r"\[([^\]\n]{1,64})\][ \t]*=>[ \t]?")
_PRINT_R_OPEN = re.compile(r"^Array\s*\(", re.ASCII)
_DIGITS = re.compile(r"^[0-9]{1,6}$")


@dataclass(frozen=True)
class _Entry:
    """One key and its value, wherever it was found; ``path`` is dotted from the top."""

    key: str
    path: str
    value: object
    depth: int
    under_text: bool = False


class _Unreadable(Exception):
    """Internal: stops reading with the problem a person should see."""


def read_response(block: str | bytes | None) -> ResponseRecord:
    """Reads one response block; never raises, unreadable input gives ``format=UNREADABLE``."""
    try:
        return _read(block)
    except Exception as exc:  # the reader's promise is to never raise; a bug here must not stop a sweep
        return ResponseRecord(
            format=ResponseFormat.UNREADABLE, problem=f"the reader failed on this block ({type(exc).__name__})"
        )


def _read(block: str | bytes | None) -> ResponseRecord:
    if block is None:
        return _unreadable("the response tab showed nothing")
    if isinstance(block, bytes | bytearray):
        block = bytes(block[: MAX_BLOCK_CHARS * 4 + 4]).decode("utf-8", errors="replace")
    if not isinstance(block, str):
        return _unreadable(f"the response block is a {type(block).__name__}, not text")
    if len(block) > MAX_BLOCK_CHARS:
        return _unreadable(f"the response block is {len(block)} characters long, more than the reader accepts")
    stripped = block.strip()
    if not stripped:
        return _unreadable("the response block is empty")
    if _looks_binary(stripped):
        return _unreadable("the response block looks like binary data, not text")

    if stripped[0] == "{" or (stripped[0] == "[" and not _PRINT_R_KEY.match(stripped)):
        return _from_json(stripped)
    if _PRINT_R_START.match(stripped) or (
        _PRINT_R_KEY.search(stripped[:2000]) and not _KV_LINE.match(stripped.split("\n", 1)[0])
    ):
        try:
            entries = _print_r_entries(stripped)
        except _Unreadable as exc:
            return _unreadable(str(exc))
        return _from_entries(ResponseFormat.PRINT_R, entries)
    return _from_entries(ResponseFormat.KEY_VALUE, _key_value_entries(stripped))


def _unreadable(problem: str, *, text: str | None = None, fields: dict[str, str] | None = None) -> ResponseRecord:
    return ResponseRecord(format=ResponseFormat.UNREADABLE, problem=problem, text=text, fields=fields or {})


def _looks_binary(text: str) -> bool:
    """NUL bytes, or more than one character in ten a control character or a decoding failure."""
    sample = text[:4096]
    if "\x00" in sample:
        return True
    odd = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r") or ch == "\ufffd")
    return odd * 10 > len(sample)


def _norm(key: str) -> str:
    return key.strip().strip("\"'").strip().lower().replace("-", "_").replace(" ", "_")


# --- the three renderings -------------------------------------------------------------------------


def _from_json(stripped: str) -> ResponseRecord:
    try:
        data = json.loads(stripped)
    except RecursionError:
        return _unreadable("the JSON in the response block is nested too deeply to read")
    except ValueError as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        return _unreadable(f"the JSON in the response block is cut off or malformed{where}")
    if not isinstance(data, dict | list):
        return _unreadable("the response block is a bare JSON value, not a transfer record")
    return _from_entries(ResponseFormat.JSON, _json_entries(data))


def _json_entries(data: dict[str, object] | list[object]) -> list[_Entry]:
    """Walks the JSON breadth-first, so the shallowest ``http_code`` and ``text`` come first."""
    entries: list[_Entry] = []
    queue: deque[tuple[object, str, int, bool]] = deque([(data, "", 0, False)])
    seen = 0
    while queue and seen < MAX_NODES:
        node, prefix, depth, under_text = queue.popleft()
        items: Iterable[tuple[str, object]]
        if isinstance(node, dict):
            items = ((str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            items = ((str(i), v) for i, v in enumerate(node))
        else:
            continue
        for key, value in items:
            seen += 1
            if seen > MAX_NODES:
                break
            path = f"{prefix}.{key}" if prefix else key
            entries.append(_Entry(key=_norm(key), path=path, value=value, depth=depth, under_text=under_text))
            if isinstance(value, dict | list) and depth + 1 < MAX_DEPTH:
                inside_text = under_text or _norm(key) == "text"
                queue.append((value, path, depth + 1, inside_text))
    return entries


def _key_value_entries(stripped: str) -> list[_Entry]:
    """``key: value`` lines; a line that is not one continues the value above it (a multi-line reply)."""
    entries: list[tuple[str, list[str]]] = []
    in_text = False
    for line in stripped.splitlines()[:MAX_NODES]:
        match = _KV_LINE.match(line)
        key = _norm(match.group(1)) if match else ""
        starts_entry = match is not None and (not in_text or key in _RECORD_KEYS)
        if match and starts_entry:
            entries.append((key, [match.group(2)]))
            in_text = key in _TEXT_KEYS
        elif entries:
            entries[-1][1].append(line)
    result: list[_Entry] = []
    for key, lines in entries:
        value = "\n".join(lines).strip()
        if len(lines) == 1 and len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        result.append(_Entry(key=key, path=key, value=value, depth=0))
    return result


def _print_r_entries(stripped: str) -> list[_Entry]:
    """PHP ``print_r``: ``[key] => value`` markers, nested ``Array ( … )``, values over several lines.

    print_r has no quoting, so the markers are found first and each value is what lies between two of
    them. After ``[text] =>`` only a transfer-record key starts a new entry, so a reply that happens to
    contain ``[x] => y`` stays one value. Closing parentheses on their own are structure, not value.
    """
    markers: list[re.Match[str]] = []
    in_text = False
    for match in _PRINT_R_KEY.finditer(stripped):
        key = _norm(match.group(1))
        if in_text and key not in _RECORD_KEYS:
            continue
        markers.append(match)
        in_text = key in _TEXT_KEYS
        if len(markers) >= MAX_NODES:
            break
    result: list[_Entry] = []
    root_open = bool(_PRINT_R_START.match(stripped))
    stack: list[str] = []
    for index, match in enumerate(markers):
        end = markers[index + 1].start() if index + 1 < len(markers) else len(stripped)
        raw = stripped[match.end() : end]
        name = match.group(1).strip()
        path = ".".join([*stack, name])
        if _PRINT_R_OPEN.match(raw.strip()):
            result.append(_Entry(key=_norm(name), path=path, value={}, depth=len(stack)))
            if len(stack) >= MAX_DEPTH:
                raise _Unreadable("the print_r output in the response block is nested too deeply to read")
            stack.append(name)
            continue
        value = raw
        while (stack or root_open) and (closed := _without_closing(value)) is not None:
            value = closed
            if stack:
                stack.pop()
            else:
                root_open = False
        result.append(_Entry(key=_norm(name), path=path, value=value.strip(), depth=len(stack)))
    return result


def _without_closing(value: str) -> str | None:
    """``value`` without one closing parenthesis standing on its own at its end (a newline, spaces,
    ``)``), or None when it does not end so. Index arithmetic, not a regular expression: the
    backtracking pattern this replaces was quadratic in a long whitespace run (60 KB took 27 s)."""
    end = len(value)
    while end and value[end - 1].isspace():
        end -= 1
    if end < 2 or value[end - 1] != ")" or not value[end - 2].isspace():
        return None
    end -= 1
    while end and value[end - 1].isspace():
        end -= 1
    return value[:end]


# --- from entries to a record ---------------------------------------------------------------------


def _from_entries(fmt: ResponseFormat, entries: list[_Entry]) -> ResponseRecord:
    fields = _fields(entries)
    text = _text(entries)
    if not entries:
        return _unreadable("the response block is not JSON, a key: value dump or print_r output", text=text)
    try:
        code = _http_code(entries)
    except _Unreadable as exc:
        return _unreadable(str(exc), text=text, fields=fields)
    return ResponseRecord(format=fmt, http_code=code, text=text, fields=fields)


def _fields(entries: list[_Entry]) -> dict[str, str]:
    """The record's scalar values by dotted path (not the reply itself), capped; raw, scrub before reporting."""
    fields: dict[str, str] = {}
    for entry in entries:
        if len(fields) >= MAX_FIELDS:
            break
        if entry.under_text or entry.key in _TEXT_KEYS or isinstance(entry.value, dict | list):
            continue
        value = "" if entry.value is None else str(entry.value)
        fields.setdefault(entry.path, value[:MAX_FIELD_CHARS])
    return fields


def _text(entries: list[_Entry]) -> str | None:
    """The partner's reply: the shallowest ``text``; a JSON object there is given back as JSON text."""
    candidates = [e for e in entries if not e.under_text and e.key in _TEXT_KEYS]
    for wanted in _TEXT_KEYS:
        for entry in candidates:
            if entry.key != wanted:
                continue
            if isinstance(entry.value, str):
                return entry.value
            if wanted == "text":
                if entry.value is None:
                    return None
                try:
                    return json.dumps(entry.value, ensure_ascii=False)[:MAX_BLOCK_CHARS]
                except (TypeError, ValueError, RecursionError):
                    return None
    return None


def _http_code(entries: list[_Entry]) -> int:
    """The one ``http_code`` of the block; missing, conflicting or out-of-range codes are unreadable."""
    outside = [e for e in entries if not e.under_text]
    found = [e for e in outside if e.key in _CODE_KEYS] or [e for e in outside if e.key in _CODE_ALIASES]
    if not found:
        raise _Unreadable("no http_code in the response block")
    codes = {_code_value(e) for e in found}
    if len(codes) > 1:
        listed = ", ".join(str(c) for c in sorted(codes))
        raise _Unreadable(f"the response block gives different http_codes ({listed})")
    return codes.pop()


def _code_value(entry: _Entry) -> int:
    value = entry.value
    where = "" if entry.path == "http_code" else f" ({entry.path})"
    if isinstance(value, bool) or value is None:
        raise _Unreadable(f"http_code{where} is {json.dumps(value)}, not a number")
    if isinstance(value, int):
        code = value
    elif isinstance(value, str) and _DIGITS.match(value.strip().strip("\"'").strip()):
        code = int(value.strip().strip("\"'").strip())
    else:
        # The value is not quoted: whatever stands there is the page's text, not the agent's vocabulary.
        kind = "a decimal number" if isinstance(value, float) else f"text of {len(str(value))} characters"
        raise _Unreadable(f"http_code{where} is {kind}, not a whole number")
    if code == 0:
        raise _Unreadable("http_code is 0: no HTTP answer was received from the partner")
    if not 100 <= code <= 599:
        raise _Unreadable(f"http_code {code} is not an HTTP status (100–599)")
    return code
