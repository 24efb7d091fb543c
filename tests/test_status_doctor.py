"""`status`, `schedule list` and `doctor` in-process through the real CLI app, with the clock controlled."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import time_machine
from typer.testing import CliRunner

import agent.browser
import agent.survey
from agent.browser import BrowserChoice
from agent.cli import app
from agent.errors import BrowserNotFound, SignInFailed
from agent.models import Outcome, ReferralResult, SweepResult
from agent.survey_labels import Finding

BASE_URL = "https://inbox.example"
runner = CliRunner()


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of our own, and none of the machine's CAREDOVE_* settings."""
    import os

    for name in [n for n in os.environ if n.startswith("CAREDOVE_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_report(report_dir: Path, finished_at: datetime, base_url: str = BASE_URL) -> Path:
    referrals = [
        ReferralResult(reference="1234567890", outcome=Outcome.FIX, rule="5", reason="postal code missing"),
        ReferralResult(reference="2345678901", outcome=Outcome.CLEARED, rule="1", reason="succeeded"),
    ]
    result = SweepResult(
        sweep_id=finished_at.strftime("%Y%m%dT%H%M%SZ"),
        started_at=finished_at - timedelta(minutes=5),
        finished_at=finished_at,
        base_url=base_url,
        dry_run=False,
        banner_count=2,
        summary=SweepResult.count(referrals),
        referrals=referrals,
    )
    path = report_dir / result.sweep_id / "report.json"
    path.parent.mkdir(parents=True)
    path.write_text(result.model_dump_json(), encoding="utf-8")
    return path


LAST_NIGHT = datetime(2026, 3, 10, 7, 35, tzinfo=UTC)  # 03:35 in Toronto


def status(workdir: Path) -> Any:
    return runner.invoke(app, ["status", "--base-url", BASE_URL, "--report-dir", str(workdir / "reports")])


def test_status_without_any_sweep_is_overdue(workdir: Path) -> None:
    result = status(workdir)
    assert result.exit_code == 1
    assert "No sweep has finished yet" in result.output


def test_status_after_last_night_sweep_is_ok(workdir: Path) -> None:
    report = write_report(workdir / "reports", LAST_NIGHT)
    write_report(workdir / "reports", LAST_NIGHT + timedelta(hours=1), base_url="https://another.example")
    with time_machine.travel(LAST_NIGHT + timedelta(hours=6), tick=False):
        result = status(workdir)
    assert result.exit_code == 0, result.output
    assert "finished 2026-03-10 03:35 EDT (6.0 h ago)" in result.output
    assert "cleared 1, fix 1, escalated 0, pending 0, error 0" in result.output
    assert str(report) in result.output
    assert "OK: not overdue" in result.output


def test_status_is_overdue_after_overdue_hours(workdir: Path) -> None:
    write_report(workdir / "reports", LAST_NIGHT)
    with time_machine.travel(LAST_NIGHT + timedelta(hours=27), tick=False):
        result = status(workdir)
    assert result.exit_code == 1
    assert "OVERDUE: no sweep in the last 26 h" in result.output


def test_schedule_list_shows_the_next_three_runs(workdir: Path) -> None:
    folder = workdir / "schedules"
    folder.mkdir()
    (folder / "nightly.toml").write_text('cron = "30 2 * * *"\ntimezone = "America/Toronto"\n', encoding="utf-8")
    with time_machine.travel(datetime(2026, 3, 6, 12, 0, tzinfo=UTC), tick=False):
        result = runner.invoke(app, ["schedule", "list", "--schedules", str(folder)])
    assert result.exit_code == 0, result.output
    assert "nightly" in result.output
    assert "cron '30 2 * * *' in America/Toronto" in result.output
    assert "next: Sat 2026-03-07 02:30 EST" in result.output
    assert "next: Sun 2026-03-08 03:30 EDT" in result.output
    assert "next: Mon 2026-03-09 02:30 EDT" in result.output


def test_schedule_list_names_a_bad_file(workdir: Path) -> None:
    folder = workdir / "schedules"
    folder.mkdir()
    (folder / "bad.toml").write_text('cron = "30 2 * * *"\n', encoding="utf-8")
    result = runner.invoke(app, ["schedule", "list", "--schedules", str(folder)])
    assert result.exit_code != 0
    assert "bad.toml" in str(result.exception)
    assert "`timezone`" in str(result.exception)


# --- doctor ---------------------------------------------------------------------------------------


class Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<html>Sign In</html>")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        agent.browser, "find_browser", lambda *_, **__: BrowserChoice(executable=None, source="playwright")
    )


def fake_survey(monkeypatch: pytest.MonkeyPatch, error: Exception | None, misses: tuple[str, ...] = ()) -> None:
    """doctor's browser checks (the survey's sign-in and inbox checks) answered without a browser."""

    def doctor_checks(settings: Any, **_: Any) -> list[Finding]:
        if error is not None:
            raise error
        return [Finding(label=m, screen="inbox", found=False, pattern="x") for m in misses]

    monkeypatch.setattr(agent.survey, "doctor_checks", doctor_checks)


def doctor(workdir: Path, base_url: str, *extra: str) -> Any:
    args = ["doctor", "--base-url", base_url, "--state", str(workdir / "state" / "ledger.sqlite")]
    return runner.invoke(app, [*args, "--report-dir", str(workdir / "reports"), *extra])


@pytest.mark.usefixtures("browser_found")
def test_doctor_all_ok(workdir: Path, site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREDOVE_USERNAME", "staff@clinic.example")
    monkeypatch.setenv("CAREDOVE_PASSWORD", "Plant3d-Pa55w0rd!")
    fake_survey(monkeypatch, None)
    result = doctor(workdir, site)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == ["OK", "OK", "OK", "OK", "OK", "OK"]
    assert "OK   inbox: every inbox label found; `caredove-agent survey` checks the window" in result.output
    assert "answers (HTTP 200)" in result.output
    assert "signed in as staff@clinic.example" in result.output
    assert "Plant3d-Pa55w0rd!" not in result.output


@pytest.mark.usefixtures("browser_found")
def test_doctor_reports_each_failure_with_its_fix(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "not-a-folder").write_text("", encoding="utf-8")
    monkeypatch.setenv("CAREDOVE_USERNAME", "staff@clinic.example")
    monkeypatch.setenv("CAREDOVE_PASSWORD", "x")
    fake_survey(monkeypatch, None)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    result = runner.invoke(
        app,
        ["doctor", "--base-url", dead, "--state", str(workdir / "state" / "l.sqlite"),
         "--report-dir", str(workdir / "not-a-folder" / "reports")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "FAIL folders: report folder" in result.output
    assert "FAIL site:" in result.output
    assert "does not answer" in result.output
    assert "fix: check base_url, the network" in result.output
    assert "SKIP sign-in: skipped: site failed" in result.output


def test_doctor_names_a_missing_browser_and_a_refused_sign_in(
    workdir: Path, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_browser(*_: Any, **__: Any) -> BrowserChoice:
        raise BrowserNotFound("no Chromium or Chrome browser found", fix="install one")

    monkeypatch.setattr(agent.browser, "find_browser", no_browser)
    monkeypatch.setenv("CAREDOVE_USERNAME", "staff@clinic.example")
    monkeypatch.setenv("CAREDOVE_PASSWORD", "wrong")
    fake_survey(monkeypatch, SignInFailed("the inbox refused the credentials", fix="check the password"))
    result = doctor(workdir, site)
    assert result.exit_code == 1
    assert "FAIL browser: no Chromium or Chrome browser found" in result.output
    assert "SKIP sign-in: skipped: browser failed" in result.output


@pytest.mark.usefixtures("browser_found")
def test_doctor_sign_in_failure_and_missing_settings(workdir: Path, site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREDOVE_USERNAME", "staff@clinic.example")
    monkeypatch.setenv("CAREDOVE_PASSWORD", "wrong")
    fake_survey(monkeypatch, SignInFailed("the inbox refused the credentials", fix="check the password"))
    result = doctor(workdir, site)
    assert result.exit_code == 1
    assert "FAIL sign-in: the inbox refused the credentials" in result.output
    assert "fix: check the password" in result.output

    monkeypatch.delenv("CAREDOVE_PASSWORD")
    result = doctor(workdir, site)
    assert result.exit_code == 1
    assert "FAIL settings: missing setting CAREDOVE_PASSWORD" in result.output


@pytest.mark.usefixtures("browser_found")
def test_doctor_fails_the_inbox_on_a_missed_label_and_points_to_survey(
    workdir: Path, site: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAREDOVE_USERNAME", "staff@clinic.example")
    monkeypatch.setenv("CAREDOVE_PASSWORD", "x")
    fake_survey(monkeypatch, None, misses=("reference_column", "status_column"))
    result = doctor(workdir, site)
    assert result.exit_code == 1, result.output
    assert "OK   sign-in: signed in as staff@clinic.example" in result.output
    assert "FAIL inbox: reached, but not found on its screens: labels.reference_column, labels.status_column" in (
        result.output
    )
    assert "run `caredove-agent survey`" in result.output
