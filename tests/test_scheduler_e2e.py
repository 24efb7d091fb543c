"""`caredove-agent schedule run` as operators run it: a real process, a real sweep of the sandbox.

These are the two Done-when checks that need a working sweep: the scheduler fires on its own and writes
a report (and its notification), and SIGTERM in the middle of a sweep leaves the ledger consistent —
every click the sandbox saw is in the ledger, confirmed, and no sweep is left "running".
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from agent.ledger import Ledger
from agent.models import SweepResult
from agent.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent


class Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.server.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[list[dict[str, Any]], str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    server.received = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield server.received, f"http://127.0.0.1:{server.server_address[1]}/hook"  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def write_profile(settings: Settings, folder: Path) -> Path:
    """The `settings` fixture as a TOML profile (the password stays in the environment)."""
    path = folder / "profile.toml"
    path.write_text(
        f'base_url = "{settings.base_url}"\n'
        f'state = "{settings.state}"\n'
        f'report_dir = "{settings.report_dir}"\n'
        f"timeout_seconds = {settings.timeout_seconds}\n"
        f"navigation_timeout_seconds = {settings.navigation_timeout_seconds}\n"
        f"[policy]\nsettle_seconds = {settings.policy.settle_seconds}\npoll_seconds = {settings.policy.poll_seconds}\n",
        encoding="utf-8",
    )
    return path


def write_schedule(folder: Path, profile: Path, cron: str, hook_url: str) -> Path:
    schedules = folder / "schedules"
    schedules.mkdir()
    (schedules / "soon.toml").write_text(
        f'name = "soon"\ncron = "{cron}"\ntimezone = "UTC"\nconfig = "{profile}"\n'
        f'[notify]\nwhen = "always"\n[notify.webhook]\nurl = "{hook_url}"\nkind = "generic"\n',
        encoding="utf-8",
    )
    return schedules


def start(schedules: Path, profile: Path, folder: Path) -> subprocess.Popen[bytes]:
    """`schedule run` in its own process, its JSON log going to agent.log."""
    with open(folder / "agent.log", "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "agent", "schedule", "run", "--schedules", str(schedules), "--config", str(profile),
             "--log-format", "json"],
            cwd=folder, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip


def _log_tail(process: subprocess.Popen[bytes]) -> str:
    """The end of the agent's JSON log (start() writes it as agent.log in the process's folder)."""
    folder = Path(str(process.args[process.args.index("--config") + 1])).parent  # type: ignore[union-attr, index]
    path = folder / "agent.log"
    return path.read_text(errors="replace")[-3000:] if path.is_file() else "(no log)"


def reports(settings: Settings) -> list[Path]:
    return sorted(settings.report_dir.glob("*/report.json"))


def wait_for(predicate: Any, deadline: float, process: subprocess.Popen[bytes], what: str) -> None:
    while not predicate():
        if process.poll() is not None:
            pytest.fail(f"schedule run exited early ({process.returncode}) waiting for {what}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"timed out waiting for {what}; the agent's log:\n{_log_tail(process)}")
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def test_schedule_run_fires_a_real_sweep_and_writes_its_report(
    settings: Settings, sandbox: Any, tmp_path: Path, webhook: tuple[list[dict[str, Any]], str]
) -> None:
    received, url = webhook
    # Cron has minute resolution: a whole minute 20-80 s away, so a start-up slowed by a busy machine
    # (the other test worker, Chromium) cannot miss it and leave the job waiting for tomorrow.
    fire = (datetime.now(UTC) + timedelta(seconds=80)).replace(second=0, microsecond=0)
    profile = write_profile(settings, tmp_path)
    schedules = write_schedule(tmp_path, profile, f"{fire.minute} {fire.hour} * * *", url)
    process = start(schedules, profile, tmp_path)
    try:
        deadline = time.monotonic() + (fire - datetime.now(UTC)).total_seconds() + 120
        wait_for(lambda: reports(settings) and received, deadline, process, "the scheduled sweep's report")
    finally:
        code = stop(process)
    assert code == 0
    [report] = reports(settings)
    result = SweepResult.model_validate_json(report.read_text(encoding="utf-8"))
    assert result.started_at >= fire
    assert result.base_url == settings.base_url
    assert (report.parent / "report.html").is_file()
    [payload] = received
    assert payload["event"] == "sweep_finished"
    assert payload["sweep_id"] == result.sweep_id
    log = (tmp_path / "agent.log").read_text(encoding="utf-8")
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any("sweep of" in entry["msg"] and "starting" in entry["msg"] for entry in lines)
    assert os.environ["CAREDOVE_PASSWORD"] not in log


def test_sigterm_during_a_sweep_leaves_the_ledger_consistent(
    settings: Settings, sandbox: Any, tmp_path: Path, webhook: tuple[list[dict[str, Any]], str]
) -> None:
    _, url = webhook
    assert settings.base_url is not None
    # An old report makes the scheduler catch up at once: the sweep starts without waiting for cron.
    old = datetime.now(UTC) - timedelta(days=2)
    folder = settings.report_dir / "old"
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(
        SweepResult(
            sweep_id="old", started_at=old, finished_at=old + timedelta(minutes=1), base_url=settings.base_url,
            dry_run=False, banner_count=0, summary=SweepResult.count([]), referrals=[],
        ).model_dump_json(),
        encoding="utf-8",
    )  # fmt: skip
    profile = write_profile(settings, tmp_path)
    schedules = write_schedule(tmp_path, profile, "30 2 * * *", url)
    process = start(schedules, profile, tmp_path)
    try:
        clicked = lambda: any(e["kind"] in ("resend", "clear") for e in sandbox.record())  # noqa: E731
        wait_for(clicked, time.monotonic() + 120, process, "the first click")
    finally:
        code = stop(process)  # SIGTERM right after a click: mid-sweep
    assert code == 0
    log = (tmp_path / "agent.log").read_text(encoding="utf-8")
    assert "received SIGTERM" in log

    writes = [e for e in sandbox.record() if e["kind"] in ("resend", "clear") and e["outcome"] == "applied"]
    with Ledger(settings.state) as ledger:
        assert ledger.unconfirmed(settings.base_url) == []  # no click left between intent and record
        actions = ledger.actions(settings.base_url)
        sweeps = ledger._db.execute("SELECT status FROM sweeps").fetchall()
    confirmed = sorted((a.reference, a.action.value) for a in actions if a.state == "confirmed")
    assert sorted((e["reference"], e["kind"]) for e in writes) == confirmed
    assert [status for (status,) in sweeps] == ["stopped"]  # it was mid-sweep, and it ended cleanly
    new_reports = [p for p in reports(settings) if p.parent.name != "old"]
    assert len(new_reports) == 1  # the stopped sweep still wrote its report
