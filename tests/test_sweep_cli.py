"""`caredove-agent sweep` as an operator runs it: report paths on stdout, exit codes as the README says.

Run as a real process: the command owns its browser, and its exit code comes from ``main()``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.control import SandboxControl
from tests.conftest import SANDBOX_PASSWORD, SANDBOX_USER


def caredove_agent(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CAREDOVE_")} | env
    return subprocess.run(
        [sys.executable, "-m", "agent", *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=300
    )


@pytest.mark.browser
def test_sweep_dry_run_prints_the_report_paths_and_exits_0(sandbox: SandboxControl, tmp_path: Path) -> None:
    answer = sandbox.reset(scenario="rules", time_scale=0.01)
    done = caredove_agent(
        "sweep", "--dry-run", "--quiet", "--base-url", sandbox.base_url, "--log-format", "json", "--log-level", "info",
        cwd=tmp_path, CAREDOVE_USERNAME=SANDBOX_USER, CAREDOVE_PASSWORD=SANDBOX_PASSWORD,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    logged = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert any("started" in entry["msg"] for entry in logged)  # one JSON object per line, for a collector
    report_json, report_html = (tmp_path / line for line in done.stdout.split())
    stored = json.loads(report_json.read_text())
    assert stored["dry_run"] is True
    assert sorted(r["reference"] for r in stored["referrals"]) == sorted(answer["errored"])
    assert report_html.is_file()
    assert list(Path(os.environ["XDG_STATE_HOME"]).glob("caredove-agent/*/ledger.sqlite"))  # the inbox's own
    assert [e["kind"] for e in sandbox.record()] == ["sign_in"]
    assert SANDBOX_PASSWORD not in done.stdout + done.stderr


def test_a_bad_flag_value_names_the_setting_and_exits_2(tmp_path: Path) -> None:
    done = caredove_agent("sweep", "--base-url", "https://x.example", "--max-resends", "0", cwd=tmp_path)
    assert done.returncode == 2
    assert "policy.max_resends" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_credentials_are_named_and_exit_2(tmp_path: Path) -> None:
    done = caredove_agent("sweep", "--base-url", "https://x.example", cwd=tmp_path)
    assert done.returncode == 2
    assert "CAREDOVE_USERNAME" in done.stderr and "CAREDOVE_PASSWORD" in done.stderr


@pytest.mark.browser
def test_a_refused_sign_in_exits_4_without_echoing_the_password(sandbox: SandboxControl, tmp_path: Path) -> None:
    sandbox.reset(scenario="rules", time_scale=0.01)
    done = caredove_agent(
        "sweep", "--base-url", sandbox.base_url,
        cwd=tmp_path, CAREDOVE_USERNAME=SANDBOX_USER, CAREDOVE_PASSWORD="wrong-Pa55word",
    )  # fmt: skip
    assert done.returncode == 4
    assert "refused the sign-in" in done.stderr
    assert "wrong-Pa55word" not in done.stdout + done.stderr


@pytest.mark.browser
def test_a_blind_sweep_exits_7_with_one_line_and_its_report(sandbox: SandboxControl, tmp_path: Path) -> None:
    """Rows the agent cannot see (the site names the reference column its own way) are never exit 0."""
    sandbox.reset(scenario="rules", relabel=True, time_scale=0.01)
    done = caredove_agent(
        "sweep", "--dry-run", "--quiet", "--base-url", sandbox.base_url,
        cwd=tmp_path, CAREDOVE_USERNAME=SANDBOX_USER, CAREDOVE_PASSWORD=SANDBOX_PASSWORD, CAREDOVE_TIMEOUT_SECONDS="3",
    )  # fmt: skip
    assert done.returncode == 7, done.stderr
    assert "saw fewer referrals than the site says" in done.stderr
    assert "Traceback" not in done.stderr
    report_json = next(tmp_path / line for line in done.stdout.split() if line.endswith("report.json"))
    stored = json.loads(report_json.read_text())
    assert stored["unseen"] and stored["problems"][0] == stored["unseen"]["why"]
