"""`caredove-agent report`, run in-process on the real app."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.errors import ReportError, SettingsError
from tests.report_samples import T0, demo_sweep, store


@pytest.fixture
def reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CAREDOVE_CONFIG", raising=False)
    monkeypatch.delenv("CAREDOVE_REPORT_DIR", raising=False)
    report_dir = tmp_path / "reports"
    store(report_dir, demo_sweep(sweep_id="older", started_at=T0 - timedelta(days=1), outage=0))
    store(report_dir, demo_sweep(sweep_id="newer"))
    return report_dir


def test_report_rerenders_latest_and_prints_the_html_path(reports: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--report-dir", str(reports)])
    assert result.exit_code == 0, result.output
    html = reports / "newer" / "report.html"
    assert result.output.strip() == str(html)
    assert html.is_file()
    assert (reports / "newer" / "summary.md").is_file()
    assert (reports / "newer" / "actions.csv").is_file()
    assert (reports / "index.html").is_file()
    assert "+3 since previous (3)" in html.read_text(encoding="utf-8")


def test_report_named_sweep(reports: Path) -> None:
    result = CliRunner().invoke(app, ["report", "older", "--report-dir", str(reports)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(reports / "older" / "report.html")
    assert "no previous sweep" in (reports / "older" / "report.html").read_text(encoding="utf-8")
    assert not (reports / "newer" / "report.html").exists()


def test_report_dir_from_settings_default(reports: Path) -> None:
    result = CliRunner().invoke(app, ["report"])  # cwd holds ./reports, the default report_dir
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(Path("reports") / "newer" / "report.html")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing"], "no report.json for sweep missing"),
        (["../reports"], "is not a sweep folder name"),
    ],
)
def test_report_unknown_sweep_is_a_clear_error(reports: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["report", *args, "--report-dir", str(reports)])
    assert result.exit_code != 0
    assert isinstance(result.exception, ReportError)
    assert message in str(result.exception)


def test_report_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--report-dir", str(tmp_path / "nope")])
    assert isinstance(result.exception, ReportError)
    assert (
        str(result.exception) == f"report folder {tmp_path / 'nope'} not found: pass --report-dir or run a sweep first"
    )


def test_report_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--report-dir", str(tmp_path)])
    assert isinstance(result.exception, ReportError)
    assert "no readable sweep results" in str(result.exception)


def test_report_unreadable_json_is_a_clear_error(reports: Path) -> None:
    (reports / "newer" / "report.json").write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(app, ["report", "newer", "--report-dir", str(reports)])
    assert isinstance(result.exception, ReportError)
    assert "cannot be read" in str(result.exception)


def test_report_links_references_with_the_referral_url_setting(reports: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREDOVE_REFERRAL_URL", "https://caredove.example/referrals/{reference}/view")
    result = CliRunner().invoke(app, ["report", "--report-dir", str(reports)])
    assert result.exit_code == 0, result.output
    html = (reports / "newer" / "report.html").read_text(encoding="utf-8")
    assert 'href="https://caredove.example/referrals/3502768696/view" target="_blank" rel="noopener noreferrer"' in html


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("https://caredove.example/referrals", "must contain {reference}"),
        ("{base_url}/r/{ref}", "knows only {base_url} and {reference}, not {ref}"),
        ("javascript:alert({reference})", "must start with http://, https:// or {base_url}"),
        ("{base_url}/r/{reference", "is not a pattern"),
    ],
)
def test_a_bad_referral_url_pattern_is_one_clear_line(
    reports: Path, monkeypatch: pytest.MonkeyPatch, pattern: str, says: str
) -> None:
    monkeypatch.setenv("CAREDOVE_REFERRAL_URL", pattern)
    result = CliRunner().invoke(app, ["report", "--report-dir", str(reports)])
    assert isinstance(result.exception, SettingsError)  # the CLI's boundary prints it as one line, exit 2
    assert SettingsError.exit_code == 2
    assert str(result.exception).startswith("setting referral_url (CAREDOVE_REFERRAL_URL): ")
    assert says in str(result.exception)
