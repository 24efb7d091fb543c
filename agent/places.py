"""Where the agent keeps its files, and who may read them: one inbox, one ledger, one lock.

The ledger is what stops a second Resend (never-item 2). A relative default (``state/ledger.sqlite``)
made a manual sweep started from another folder take another lock and another ledger with no
resend history. So the default lives in one absolute per-user place, keyed by the inbox:

- ``$STATE_DIRECTORY`` when systemd sets it (``StateDirectory=`` in the unit), else
- ``$XDG_STATE_HOME/caredove-agent``, else ``~/.local/state/caredove-agent``;
- inside it one folder per inbox, named by a slug of ``base_url`` (``app-caredove-com-3f2a9c1e``),
  holding ``ledger.sqlite`` and the sweep lock beside it.

A relative path written in the TOML file is read against the file's folder (:func:`resolve_paths`),
never the working folder. Files the agent writes are private unless the operator says otherwise
(:func:`apply_umask`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

APP = "caredove-agent"
LEDGER_NAME = "ledger.sqlite"
PATH_KEYS = ("state", "report_dir", "schedules_dir", "password_file", "totp_secret_file", "browser_path")
"""Settings that are paths: relative ones in the TOML file are read against the file's folder."""

FileMode = Literal["private", "group"]
UMASKS: dict[str, int] = {"private": 0o077, "group": 0o027}
"""``private``: only the agent's user reads what it writes; ``group``: its group may read too."""
FILE_MODES: dict[str, int] = {"private": 0o600, "group": 0o640}
"""The mode of a file the agent writes whole (report.json and the rendered reports)."""


def state_home(environ: Mapping[str, str] | None = None) -> Path:
    """The per-user (or per-service) folder for the agent's state; always absolute."""
    env = os.environ if environ is None else environ
    systemd = env.get("STATE_DIRECTORY", "").split(":")[0]
    if systemd:
        return Path(systemd).expanduser().absolute()
    xdg = env.get("XDG_STATE_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / APP
    return Path.home() / ".local" / "state" / APP


def inbox_slug(base_url: str | None) -> str:
    """A folder name for one inbox: its host (and port, path) readable, plus a hash of the whole URL so
    two inboxes never share a folder."""
    if not base_url:
        return "no-inbox"
    parts = urlsplit(base_url.rstrip("/"))
    readable = re.sub(r"[^a-z0-9]+", "-", f"{parts.hostname or ''}-{parts.port or ''}-{parts.path}".lower())
    digest = hashlib.sha256(base_url.rstrip("/").encode("utf-8")).hexdigest()[:8]
    return f"{readable.strip('-')[:60] or 'inbox'}-{digest}"


def default_ledger(base_url: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """The ledger a sweep of ``base_url`` uses when no ``state`` is set."""
    return state_home(environ) / inbox_slug(base_url) / LEDGER_NAME


def resolve_paths(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """``data`` (a parsed TOML file) with its relative path settings made absolute against ``folder``."""
    resolved = dict(data)
    for key in PATH_KEYS:
        value = resolved.get(key)
        if isinstance(value, str) and value and not Path(value).expanduser().is_absolute():
            resolved[key] = str((folder / value).absolute())
        elif isinstance(value, str) and value.startswith("~"):
            resolved[key] = str(Path(value).expanduser())
    return resolved


def apply_umask(mode: FileMode = "private") -> int:
    """Sets the process umask for everything the agent writes (ledger, lock, screenshots, reports);
    returns the previous one."""
    return os.umask(UMASKS[mode])


def readable_by_others(path: Path) -> bool:
    """The file's mode lets its group or everyone read it (a password file must not)."""
    try:
        return bool(path.stat().st_mode & 0o044)
    except OSError:
        return False


def missing_ledger_problem(ledger: Path, report_dir: Path, base_url: str | None) -> str | None:
    """A sentence when the ledger does not exist although reports of this inbox do: the history that
    stops a second Resend is elsewhere (another ``state``, a deleted file), and a person should know
    before anything is clicked. None when there is a ledger or no history."""
    if ledger.exists() or not base_url or not report_dir.is_dir():
        return None
    wanted = base_url.rstrip("/")
    for report in sorted(report_dir.glob("*/report.json"), reverse=True)[:50]:
        try:
            seen = json.loads(report.read_bytes()).get("base_url")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(seen, str) and seen.rstrip("/") == wanted:
            return (
                f"no ledger at {ledger}, although {report_dir} holds earlier sweeps of {base_url}: "
                "the resend history of those sweeps is unknown to this one; point `state` "
                "(CAREDOVE_STATE / --state) at the ledger they used"
            )
    return None
