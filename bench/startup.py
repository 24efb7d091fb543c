"""Start-up: from launching `caredove-agent sweep --dry-run` to the sandbox's first page request.

The sandbox keeps no request log, so the benchmark wraps its app (here, not in sandbox/) with a tiny
ASGI layer that notes when the first page (not a ``/__sandbox`` control route) is asked for. Both
clocks are this machine's monotonic clock, shared by all processes. A probe process splits the time
into the interpreter with the agent's imports, the Playwright driver, and Chromium's launch.

    python -m bench.startup --probe     # the probe: prints its timings as JSON
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.growth import command
from bench.harness import agent_env
from sandbox.control import SandboxControl
from sandbox.server import SandboxServer


class FirstRequest:
    """ASGI middleware: the monotonic time of the first non-control request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.at: float | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self.at is None and scope["type"] == "http" and not scope["path"].startswith("/__sandbox"):
            self.at = time.monotonic()
        await self.app(scope, receive, send)


@dataclass(frozen=True)
class StartupResult:
    to_first_request: float
    command_seconds: float
    imports: float
    driver: float
    launch: float


def probe() -> dict[str, float]:
    started = time.perf_counter()
    import agent.cli  # noqa: F401 - what the command imports before anything else

    imported = time.perf_counter()
    from playwright.sync_api import sync_playwright

    from agent.browser import find_browser, launch_options

    with sync_playwright() as p:
        driver = time.perf_counter()
        browser = p.chromium.launch(**launch_options(find_browser(None, p)))  # type: ignore[arg-type]
        launched = time.perf_counter()
        browser.close()
    return {"imports": imported - started, "driver": driver - imported, "launch": launched - driver}


def once(scratch: Path) -> tuple[float, float]:
    server = SandboxServer()
    first = FirstRequest(server.app)
    server.app = first  # type: ignore[assignment]
    with server:
        SandboxControl(server.base_url).reset(scenario="large", size=50, errors=5, error_mix="read_only")
        args = [*command(), "--base-url", server.base_url, "--state", str(scratch / "ledger.sqlite"),
                "--report-dir", str(scratch / "reports")]  # fmt: skip
        started = time.monotonic()
        subprocess.run(args, cwd=scratch, env=agent_env(), capture_output=True, check=True)
        finished = time.monotonic()
    if first.at is None:
        raise RuntimeError("the sweep never asked the sandbox for a page")
    return first.at - started, finished - started


def run(repeats: int = 3) -> StartupResult:
    """Best of ``repeats`` (the first run also pays for cold file caches)."""
    with tempfile.TemporaryDirectory(prefix="caredove-startup-") as scratch:
        runs = []
        for i in range(repeats):
            where = Path(scratch) / str(i)
            where.mkdir()
            runs.append(once(where))
    probe_args = [sys.executable, "-m", "bench.startup", "--probe"]
    probes = [
        json.loads(subprocess.run(probe_args, capture_output=True, check=True, text=True, env=agent_env()).stdout)
        for _ in range(repeats)
    ]
    best = min(probes, key=lambda p: sum(p.values()))
    to_first, total = min(runs)
    return StartupResult(to_first, total, best["imports"], best["driver"], best["launch"])


if __name__ == "__main__":
    if sys.argv[1:] == ["--probe"]:
        print(json.dumps(probe()))
    else:
        print(run())
