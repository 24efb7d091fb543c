"""What every benchmark shares: one sandbox server, one browser, settings the way the tests build them."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Playwright, sync_playwright

from agent.browser import find_browser, launch_options
from agent.settings import Settings, load_settings
from sandbox.control import SandboxControl
from sandbox.server import SandboxServer

SANDBOX_USER = "staff@clinic.example"
SANDBOX_PASSWORD = "sandbox-password"  # the sandbox's own demo credential


def agent_env() -> dict[str, str]:
    """The environment a sweep (in this process or a child) takes its credentials from."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREDOVE_")}
    env["CAREDOVE_USERNAME"] = SANDBOX_USER
    env["CAREDOVE_PASSWORD"] = SANDBOX_PASSWORD
    return env


@dataclass
class Bench:
    """The sandbox, the browser and a scratch folder for one benchmark run."""

    server: SandboxServer
    control: SandboxControl
    playwright: Playwright
    browser: Browser
    scratch: Path
    runs: int = field(default=0)

    def settings(self, *, dry_run: bool, settle: float = 1.5, poll: float = 0.2, **changes: Any) -> Settings:
        """Fresh ledger and report folder per sweep, as the tests do (tests/conftest.py)."""
        self.runs += 1
        where = self.scratch / f"sweep-{self.runs}"
        os.environ.update({k: v for k, v in agent_env().items() if k.startswith("CAREDOVE_")})
        return load_settings(
            None,
            base_url=self.server.base_url,
            state=where / "ledger.sqlite",
            report_dir=where / "reports",
            timeout_seconds=10.0,
            navigation_timeout_seconds=20.0,
            dry_run=dry_run or None,
            **{"policy.settle_seconds": settle, "policy.poll_seconds": poll},
            **changes,
        )


@contextmanager
def bench() -> Iterator[Bench]:
    os.environ.pop("CAREDOVE_CONFIG", None)
    with (
        tempfile.TemporaryDirectory(prefix="caredove-bench-") as scratch,
        SandboxServer() as server,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(**launch_options(find_browser(None, p)))  # type: ignore[arg-type]
        try:
            yield Bench(server, SandboxControl(server.base_url, timeout=60), p, browser, Path(scratch))
        finally:
            browser.close()


def best_of(times: list[float]) -> float:
    return min(times)


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


class IdleClock(threading.Event):
    """The sweep's ``stop`` event, counting the seconds the sweep spent waiting on it (phase 3's idle)."""

    def __init__(self) -> None:
        super().__init__()
        self.idle = 0.0

    def wait(self, timeout: float | None = None) -> bool:
        started = time.perf_counter()
        try:
            return super().wait(timeout)
        finally:
            self.idle += time.perf_counter() - started
