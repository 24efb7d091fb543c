"""One sweep at a time per inbox, across processes.

Two sweeps of one inbox would both see the same failed attempt and both click Resend (never-item 2).
The nightly scheduler and a person running ``caredove-agent sweep`` by hand are separate processes,
so the guard is an OS file lock (``filelock``) in the state folder, keyed by a hash of the base URL:
the kernel releases it when the holder dies, however it dies, so a killed sweep never leaves the
inbox locked. A side file names the holder (pid, start time) so a refused sweep can say who has it.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout
from pydantic import BaseModel, ConfigDict

from agent.errors import SweepLocked
from agent.reports.write import write_atomic
from agent.settings import Settings


class LockHolder(BaseModel):
    """Who holds an inbox's lock, as written in the side file."""

    model_config = ConfigDict(frozen=True)

    pid: int
    host: str
    base_url: str
    since: datetime


def lock_paths(settings: Settings) -> tuple[Path, Path]:
    """The lock file and its side file for ``settings``' inbox, in the folder of the ledger."""
    base_url = settings.base_url or ""
    key = hashlib.sha256(base_url.encode("utf-8")).hexdigest()[:16]
    folder = settings.state.parent
    return folder / f"sweep-{key}.lock", folder / f"sweep-{key}.holder.json"


def read_holder(side_file: Path) -> LockHolder | None:
    """The holder the side file names, or None when it is missing or half written."""
    try:
        return LockHolder.model_validate_json(side_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _refusal(settings: Settings, holder: LockHolder | None, wait: float) -> SweepLocked:
    base_url = settings.base_url or "this inbox"
    waited = f" (waited {wait:g} s)" if wait > 0 else ""
    if holder is None:
        message = f"another sweep of {base_url} is running{waited}"
        fix = "wait for it or stop it"
    else:
        since = holder.since.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M:%S %Z")
        where = "" if holder.host == socket.gethostname() else f" on {holder.host}"
        message = f"another sweep of {base_url} has been running since {since} (pid {holder.pid}{where}){waited}"
        fix = f"wait for it or stop it (kill {holder.pid})"
    return SweepLocked(message, fix=fix)


@contextmanager
def sweep_lock(settings: Settings, wait: float = 0.0) -> Iterator[LockHolder]:
    """Hold the inbox's sweep lock for the ``with`` block; raise SweepLocked if another sweep has it.

    ``wait`` is how many seconds to wait for the other sweep to finish: 0 tries once, a negative value
    waits as long as it takes (the scheduler's choice for a manual sweep running at night).
    """
    lock_file, side_file = lock_paths(settings)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_file, timeout=wait)
    try:
        lock.acquire(timeout=wait, poll_interval=0.25)
    except Timeout:
        raise _refusal(settings, read_holder(side_file), wait) from None
    try:
        holder = LockHolder(
            pid=os.getpid(),
            host=socket.gethostname(),
            base_url=settings.base_url or "",
            since=datetime.now().astimezone(),
        )
        write_atomic(side_file, json.dumps(holder.model_dump(mode="json")))
        yield holder
    finally:
        side_file.unlink(missing_ok=True)
        lock.release()
