"""`caredove-agent sweep`, in-process: a report path on stdout, exit codes as the README says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.errors import SettingsError
from agent.settings import Settings
from sandbox.control import SandboxControl

runner = CliRunner()


@pytest.mark.browser
def test_sweep_dry_run_prints_the_report_paths_and_exits_0(
    sandbox: SandboxControl, settings: Settings, tmp_path: Path
) -> None:
    answer = sandbox.reset(scenario="rules", time_scale=0.01)
    args = ["sweep", "--dry-run", "--quiet", "--base-url", sandbox.base_url]
    args += ["--report-dir", str(tmp_path / "r"), "--state", str(tmp_path / "ledger.sqlite")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report_json, report_html = (Path(line) for line in result.stdout.split())
    stored = json.loads(report_json.read_text())
    assert stored["dry_run"] is True
    assert sorted(r["reference"] for r in stored["referrals"]) == sorted(answer["errored"])
    assert report_html.is_file()
    assert [e["kind"] for e in sandbox.record()] == ["sign_in"]


def test_a_bad_flag_value_names_the_setting_and_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["sweep", "--base-url", "https://x.example", "--max-resends", "0"])
    assert isinstance(result.exception, SettingsError)  # main() turns it into the message and exit 2
    assert result.exception.exit_code == 2
    assert "policy.max_resends" in str(result.exception)
