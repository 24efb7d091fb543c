"""Growth: dry-run sweeps of `large` inboxes with more and more errors, each by the real command.

Each sweep is its own `caredove-agent sweep --dry-run` process, so its peak memory (Python + the
Playwright driver + every Chromium process, summed resident sizes read from /proc) is the agent's
and the browser's alone, and one size's leftovers cannot inflate the next. Seconds per referral come
from the report (the sweep's own start and finish: sign-in to the last referral, no browser start-up).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from subprocess import PIPE

from bench.harness import Bench, Stopwatch, agent_env
from bench.machine import PeakMemory


@dataclass(frozen=True)
class GrowthResult:
    errors: int
    referrals: int
    sweep_seconds: float
    command_seconds: float
    peak_bytes: int

    @property
    def per_referral(self) -> float:
        return self.sweep_seconds / self.referrals

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / 2**20


def command() -> list[str]:
    return [str(Path(sys.executable).with_name("caredove-agent")), "sweep", "--dry-run", "--quiet"]


def sweep_once(b: Bench, errors: int) -> GrowthResult:
    b.control.reset(scenario="large", size=max(200, 2 * errors), errors=errors, error_mix="read_only", page_size=25)
    b.runs += 1
    where = b.scratch / f"growth-{b.runs}"
    where.mkdir(parents=True)
    args = [*command(), "--base-url", b.server.base_url, "--state", str(where / "ledger.sqlite"),
            "--report-dir", str(where / "reports")]  # fmt: skip
    clock = Stopwatch()
    child = subprocess.Popen(args, cwd=where, env=agent_env(), stdout=PIPE, stderr=PIPE, text=True)
    with PeakMemory(child.pid) as memory:
        out, err = child.communicate()
    seconds = clock.seconds
    if child.returncode != 0:
        raise RuntimeError(f"the sweep of {errors} errors exited {child.returncode}: {err.strip()[-500:]}")
    report = json.loads(Path(out.splitlines()[0]).read_text(encoding="utf-8"))
    started = datetime.fromisoformat(report["started_at"])
    finished = datetime.fromisoformat(report["finished_at"])
    return GrowthResult(
        errors=errors, referrals=len(report["referrals"]), sweep_seconds=(finished - started).total_seconds(),
        command_seconds=seconds, peak_bytes=memory.peak,
    )  # fmt: skip


def run(b: Bench, sizes: tuple[int, ...] = (10, 100, 1000)) -> list[GrowthResult]:
    return [sweep_once(b, n) for n in sizes]
