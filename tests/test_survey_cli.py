"""`caredove-agent survey` as an operator runs it (a real process), and `sweep --trace`/`--headed` flags."""

from __future__ import annotations

import json
from pathlib import Path

import pyotp
import pytest

from sandbox.control import SandboxControl
from tests.conftest import SANDBOX_PASSWORD, SANDBOX_USER
from tests.test_sweep_cli import caredove_agent

pytestmark = pytest.mark.browser


def test_survey_prints_its_two_files_and_writes_nothing(sandbox: SandboxControl, tmp_path: Path) -> None:
    secret = pyotp.random_base32()
    sandbox.reset(scenario="rules", sign_in_flow="two_step", second_factor="totp", totp_secret=secret,
                  time_scale=0.01)  # fmt: skip
    done = caredove_agent(
        "survey", "--base-url", sandbox.base_url, "--pages", "1", "--report-dir", "reports",
        cwd=tmp_path, CAREDOVE_USERNAME=SANDBOX_USER, CAREDOVE_PASSWORD=SANDBOX_PASSWORD, CAREDOVE_TOTP_SECRET=secret,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    survey_json, survey_html = (tmp_path / line for line in done.stdout.split())
    assert survey_json.name == "survey.json" and survey_html.name == "survey.html"
    assert survey_json.parent.parent == tmp_path / "reports"
    stored = json.loads(survey_json.read_text())
    assert stored["stopped"] is None and stored["conclusions"]["pages_walked"] == 1
    assert [e["kind"] for e in sandbox.record()] == ["sign_in"]
    assert secret not in done.stdout + done.stderr + survey_json.read_text() + survey_html.read_text()


def test_survey_with_an_emailed_code_exits_4_with_one_line(sandbox: SandboxControl, tmp_path: Path) -> None:
    sandbox.reset(scenario="rules", second_factor="email", time_scale=0.01)
    done = caredove_agent(
        "survey", "--base-url", sandbox.base_url, "--report-dir", "reports",
        cwd=tmp_path, CAREDOVE_USERNAME=SANDBOX_USER, CAREDOVE_PASSWORD=SANDBOX_PASSWORD,
    )  # fmt: skip
    assert done.returncode == 4
    lines = [line for line in done.stderr.splitlines() if line.startswith("caredove-agent:")]
    assert len(lines) == 1 and "by e-mail or SMS" in lines[0] and "dedicated" in lines[0]
    assert "Traceback" not in done.stderr
    assert list((tmp_path / "reports").glob("survey-*/survey.json")), "what it saw is still written"


def test_sweep_accepts_slow_mo_and_refuses_a_trace_in_the_report_folder(tmp_path: Path) -> None:
    done = caredove_agent(
        "sweep", "--base-url", "https://x.example", "--slow-mo", "50", "--trace", "reports/t.zip",
        "--report-dir", "reports", cwd=tmp_path, CAREDOVE_USERNAME="u", CAREDOVE_PASSWORD="p",
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "inside the report folder" in done.stderr
