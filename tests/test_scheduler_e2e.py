"""`caredove-agent schedule run` as operators run it: a real process, a real sweep of the sandbox.

These are the Done-when checks that need a working sweep: `schedule run --now` fires one schedule with
all its settings (webhook, ping, metrics) and writes its report, and SIGTERM in the middle of a sweep
leaves the ledger consistent — every click the sandbox saw is in the ledger, confirmed, and no sweep
is left "running".
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.ledger import Ledger
from agent.models import SweepResult
from agent.settings import Settings
from tests.receivers import HttpReceiver, http_receiver
from tests.scheduling import write_profile, write_schedule

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with http_receiver() as found:
        yield found


def events(receiver: HttpReceiver) -> list[dict[str, Any]]:
    return [json.loads(p.body) for p in receiver.posts if p.path == "/hook"]


def hook_schedule(folder: Path, profile: Path, hook_url: str, extra: str = "") -> Path:
    """A schedule that tells a generic webhook after every sweep (``when = "always"``)."""
    body = f'{extra}[notify]\nwhen = "always"\n[notify.webhook]\nurl = "{hook_url}"\nallow_http = true\n'
    return write_schedule(folder, profile, body)


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
    args = [str(a) for a in process.args] if isinstance(process.args, list) else []
    folder = Path(args[args.index("--config") + 1]).parent if "--config" in args else Path()
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


def test_schedule_run_now_fires_one_real_sweep_with_the_schedules_settings(
    settings: Settings, sandbox: Any, tmp_path: Path, receiver: HttpReceiver
) -> None:
    """`schedule run --now NAME`: one sweep at once, its webhook, its ping, its metrics, then exit —
    no waiting for a cron minute."""
    url, pings = receiver.url + "/hook", receiver.url + "/ping"
    fix = {"attempts": [{"example": "postal-code-missing", "minutes_ago": 60}]}
    sandbox.reset(scenario="large", size=4, errors=0, time_scale=0.01, referrals={"4200000001": fix})
    profile = write_profile(settings, tmp_path)
    extra = f'metrics_file = "metrics/agent.prom"\n[ping]\nurl = "{pings}"\nallow_http = true\n'
    schedules = hook_schedule(tmp_path, profile, url, extra)
    before = datetime.now(UTC)
    done = subprocess.run(
        [sys.executable, "-m", "agent", "schedule", "run", "--now", "soon", "--schedules", str(schedules),
         "--config", str(profile), "--log-format", "json"],
        cwd=tmp_path, env=dict(os.environ), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    [report] = reports(settings)
    assert done.stdout.splitlines()[0] == str(report)
    result = SweepResult.model_validate_json(report.read_text(encoding="utf-8"))
    assert result.started_at >= before
    assert result.base_url == settings.base_url
    assert (report.parent / "report.html").is_file()
    [payload] = events(receiver)
    assert (payload["event"], payload["new"]) == ("new_for_people", ["4200000001"])
    assert payload["sweep_id"] == result.sweep_id
    assert [p for p in receiver.paths() if p.startswith("/ping")] == ["/ping/start", "/ping"]
    assert (schedules / "metrics" / "agent.prom").is_file()
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert any("sweep of" in entry["msg"] and "starting" in entry["msg"] for entry in lines)
    assert all(entry["ts"].endswith("+00:00") for entry in lines)
    assert os.environ["CAREDOVE_PASSWORD"] not in done.stderr + done.stdout


@pytest.mark.parametrize("command", [["schedule", "run", "--now"], ["sweep", "--schedule"]])
def test_firing_an_unknown_schedule_now_names_it_in_one_line(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    profile = write_profile(settings, tmp_path)
    schedules = hook_schedule(tmp_path, profile, "https://chat.example/hook")
    monkeypatch.setenv("CAREDOVE_SCHEDULES_DIR", str(schedules))
    done = subprocess.run(
        [sys.executable, "-m", "agent", *command, "nightly", "--config", str(profile)],
        cwd=tmp_path, env=dict(os.environ), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "no schedule named 'nightly' (schedules: soon)" in done.stderr
    assert "Traceback" not in done.stderr


def test_sigterm_during_a_sweep_leaves_the_ledger_consistent(
    settings: Settings, sandbox: Any, tmp_path: Path, receiver: HttpReceiver
) -> None:
    url = receiver.url + "/hook"
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
    schedules = hook_schedule(tmp_path, profile, url)
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
        actions = ledger.actions(settings.base_url)
        assert [a for a in actions if a.state == "intent"] == []  # no click left between intent and record
        sweeps = ledger._db.execute("SELECT status FROM sweeps").fetchall()
    confirmed = sorted((a.reference, a.action.value) for a in actions if a.state == "confirmed")
    assert sorted((e["reference"], e["kind"]) for e in writes) == confirmed
    assert [status for (status,) in sweeps] == ["stopped"]  # it was mid-sweep, and it ended cleanly
    new_reports = [p for p in reports(settings) if p.parent.name != "old"]
    assert len(new_reports) == 1  # the stopped sweep still wrote its report
