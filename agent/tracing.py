"""``--trace PATH``: a Playwright trace of one run, for looking at what the browser saw.

A trace holds every page the agent saw, patient data included: it is never written by default, never
inside the report folder (which is shared with staff), and is written mode 0600. What the agent
itself typed or was given to authenticate — the password, the TOTP secret, the session cookies — is
scrubbed out of every file in the trace before it is written (Playwright records typed values and
request headers).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from playwright.sync_api import BrowserContext

from agent.errors import SettingsError
from agent.settings import Settings

WARNING = (
    "caredove-agent: the trace at {path} holds everything the browser showed, patient data included: "
    "keep it private (mode 0600), share it only as you would the inbox itself, delete it when done"
)
REDACTED = b"[redacted]"


def check_trace_path(settings: Settings) -> Path | None:
    """The trace's path, refused inside the report folder (reports are shared, traces are not)."""
    if settings.trace is None:
        return None
    target = settings.trace.resolve()
    reports = settings.report_dir.resolve()
    if target == reports or reports in target.parents:
        raise SettingsError(
            f"trace {settings.trace} is inside the report folder {settings.report_dir}",
            fix="write the trace elsewhere (it holds patient data; reports are shared)",
        )
    if target.is_dir():
        raise SettingsError(f"trace {settings.trace} is a folder", fix="give a file name, e.g. trace.zip")
    return target


def start(context: BrowserContext) -> None:
    context.tracing.start(screenshots=True, snapshots=True, sources=False)


def save(context: BrowserContext, target: Path, secrets: list[str]) -> None:
    """Stop tracing, scrub ``secrets`` and the context's cookie values out of it, write it 0600."""
    cookies = [c.get("value", "") for c in context.cookies()]
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".trace-", dir=target.parent) as work:
        raw = Path(work) / "raw.zip"
        context.tracing.stop(path=str(raw))
        scrubbed = Path(work) / "trace.zip"
        _scrub_zip(raw, scrubbed, [s for s in [*secrets, *cookies] if len(s) >= 4])
        os.chmod(scrubbed, 0o600)
        os.replace(scrubbed, target)
    print(WARNING.format(path=target), file=sys.stderr)


def _spellings(secret: str) -> set[bytes]:
    """The secret as typed, as JSON escapes it and as a form body or URL encodes it."""
    return {v.encode() for v in (secret, json.dumps(secret)[1:-1], quote_plus(secret), quote(secret, safe=""))}


SECRET_HEADERS = frozenset({"cookie", "set-cookie", "authorization", "proxy-authorization", "x-csrf-token"})


def _scrub_headers(node: Any) -> Any:
    """Every header of a secret kind, anywhere in a trace event, blanked (cookies of an earlier session
    too, which the context no longer holds when the trace is saved)."""
    if isinstance(node, dict):
        if isinstance(node.get("name"), str) and node["name"].lower() in SECRET_HEADERS and "value" in node:
            return {**node, "value": REDACTED.decode()}
        return {key: _scrub_headers(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_scrub_headers(item) for item in node]
    return node


def _scrub_events(data: bytes) -> bytes:
    """A trace's event file: one JSON object per line."""
    out = []
    for line in data.split(b"\n"):
        try:
            out.append(json.dumps(_scrub_headers(json.loads(line))).encode() if line.strip() else line)
        except ValueError:
            out.append(line)
    return b"\n".join(out)


def _scrub_zip(source: Path, target: Path, secrets: list[str]) -> None:
    needles = sorted(set().union(*(_spellings(s) for s in secrets)) if secrets else set(), key=len, reverse=True)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.endswith((".trace", ".network")):
                data = _scrub_events(data)
            for needle in needles:
                data = data.replace(needle, REDACTED)
            zout.writestr(item, data)
