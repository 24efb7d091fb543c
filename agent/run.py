"""One sweep with everything around it: the lock, the browser, the ledger, the reports.

The CLI, the scheduler and the demo all call :func:`sweep_and_report`; nothing else wires the parts.
"""

from __future__ import annotations

import threading
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from agent.models import SweepResult
from agent.settings import Settings


class SweepRun(BaseModel):
    """What one finished sweep left behind."""

    model_config = ConfigDict(frozen=True)

    result: SweepResult
    report_dir: Path = Path()
    report_json: Path = Path()
    report_html: Path | None = None


def sweep_and_report(
    settings: Settings,
    *,
    progress: bool = False,
    lock_wait: float = 0.0,
    stop: threading.Event | None = None,
) -> SweepRun:
    """Take the inbox's lock, sweep once, write report.json and the rendered reports; raise AgentError
    (SweepLocked, SignInFailed, …) when the sweep itself could not run.

    ``stop`` set (SIGTERM) ends the sweep between two referrals, never between an intent and its click."""
    raise NotImplementedError("built in issue 4")
