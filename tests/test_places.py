"""Where the agent keeps its files (agent/places.py): per-user, per-inbox, private."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from agent.places import (
    apply_umask,
    default_ledger,
    inbox_slug,
    missing_ledger_problem,
    resolve_paths,
    state_home,
)
from agent.reports.write import write_atomic
from agent.run import sweep_and_report
from agent.settings import Settings
from sandbox.control import SandboxControl


def test_the_state_home_is_systemds_then_xdgs_then_the_users() -> None:
    assert state_home({"STATE_DIRECTORY": "/var/lib/caredove-agent:/other", "XDG_STATE_HOME": "/x"}) == Path(
        "/var/lib/caredove-agent"
    )
    assert state_home({"XDG_STATE_HOME": "/x"}) == Path("/x/caredove-agent")
    assert state_home({"XDG_STATE_HOME": "relative/ignored"}) == Path.home() / ".local/state/caredove-agent"


def test_each_inbox_has_its_own_readable_folder() -> None:
    slug = inbox_slug("https://app.caredove.com")
    assert slug.startswith("app-caredove-com-") and slug == inbox_slug("https://app.caredove.com/")
    assert inbox_slug("https://app.caredove.com") != inbox_slug("http://app.caredove.com")
    assert default_ledger("https://a.example", {"XDG_STATE_HOME": "/s"}).parent.parent == Path("/s/caredove-agent")


def test_relative_toml_paths_are_resolved_against_the_files_folder_and_absolute_ones_kept() -> None:
    data = {"state": "s/l.sqlite", "report_dir": "/abs/reports", "base_url": "https://x", "policy": {"a": 1}}
    resolved = resolve_paths(data, Path("/etc/caredove"))
    assert resolved["state"] == "/etc/caredove/s/l.sqlite"
    assert resolved["report_dir"] == "/abs/reports"
    assert resolved["base_url"] == "https://x" and resolved["policy"] == {"a": 1}


def test_a_missing_ledger_beside_earlier_reports_of_the_same_inbox_is_a_problem(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    (reports / "20260101-020000").mkdir(parents=True)
    (reports / "20260101-020000" / "report.json").write_text(json.dumps({"base_url": "https://a.example"}))
    ledger = tmp_path / "new" / "ledger.sqlite"
    problem = missing_ledger_problem(ledger, reports, "https://a.example")
    assert problem is not None and "resend history" in problem and str(ledger) in problem
    assert missing_ledger_problem(ledger, reports, "https://other.example") is None
    assert missing_ledger_problem(ledger, tmp_path / "none", "https://a.example") is None
    ledger.parent.mkdir()
    ledger.write_bytes(b"")
    assert missing_ledger_problem(ledger, reports, "https://a.example") is None


def test_the_umask_makes_new_files_private_and_group_mode_lets_the_group_read(tmp_path: Path) -> None:
    previous = apply_umask("private")
    try:
        (tmp_path / "a").write_text("x")
        assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o600
        apply_umask("group")
        (tmp_path / "b").write_text("x")
        assert stat.S_IMODE((tmp_path / "b").stat().st_mode) == 0o640
    finally:
        os.umask(previous)


def test_the_atomic_writer_writes_private_files_unless_told(tmp_path: Path) -> None:
    write_atomic(tmp_path / "r" / "report.json", "{}")
    assert stat.S_IMODE((tmp_path / "r" / "report.json").stat().st_mode) == 0o600
    write_atomic(tmp_path / "r" / "report.json", "{}", mode=0o640)
    assert stat.S_IMODE((tmp_path / "r" / "report.json").stat().st_mode) == 0o640
    assert [p.name for p in (tmp_path / "r").iterdir()] == ["report.json"]  # no temporary file left


@pytest.mark.browser
def test_a_sweep_with_a_new_ledger_beside_old_reports_says_so_and_writes_only_private_files(
    browser: Browser, sandbox: SandboxControl, settings: Settings, tmp_path: Path
) -> None:
    sandbox.reset(scenario="rules", time_scale=0.01)
    dry = settings.model_copy(update={"dry_run": True})
    first = sweep_and_report(dry, browser=browser)
    assert not any("no ledger at" in p for p in first.result.problems)
    moved = dry.model_copy(update={"state": tmp_path / "elsewhere" / "ledger.sqlite"})
    second = sweep_and_report(moved, browser=browser)
    assert any("no ledger at" in p and "resend history" in p for p in second.result.problems)
    assert [e["kind"] for e in sandbox.record()] == ["sign_in", "sign_in"]  # a dry run: nothing clicked
    for path in [*settings.report_dir.rglob("*"), *settings.state.parent.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path.relative_to(tmp_path)} is {oct(mode)}"
