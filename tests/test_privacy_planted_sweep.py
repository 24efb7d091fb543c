"""Minimum necessary, for real (issue 12.1): a sweep of an inbox whose partner replies, page
headings, alerts and cells carry planted names, DOBs, health card numbers, postal codes, phones,
e-mails and addresses writes none of them — not in report.html, report.json, summary.md,
actions.csv, the index, the ledger, the log, nor a screenshot's file name."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from agent.logs import JsonFormatter, ScrubFilter
from agent.run import sweep_and_report
from agent.settings import Settings
from sandbox.control import SandboxControl
from tests.conftest import SANDBOX_PASSWORD
from tests.planted_phi import PLANT, REPLIES, needles, referrals


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """The sweep's log at DEBUG, through the scrubbing filter as the CLI sets it up."""
    path = tmp_path / "agent.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ScrubFilter([SANDBOX_PASSWORD]))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    root.setLevel(level)
    handler.close()


def produced_files(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file())


@pytest.mark.browser
def test_a_sweep_of_planted_personal_data_writes_none_of_it_anywhere(
    browser: Browser, sandbox: SandboxControl, settings: Settings, log_file: Path, tmp_path: Path
) -> None:
    answer = sandbox.reset(scenario="rules", plant=PLANT, referrals=referrals(), time_scale=0.01)
    assert set(REPLIES) <= set(answer["errored"])  # the site really shows them

    run = sweep_and_report(settings, browser=browser)

    swept = {r.reference for r in run.result.referrals}
    assert set(REPLIES) <= swept, "every planted referral was read"
    files = [*produced_files(settings.report_dir, settings.state.parent), log_file]
    names = {p.suffix for p in files}
    assert {".html", ".json", ".md", ".csv", ".log"} <= names, names
    assert any(p.name.startswith(settings.state.name) for p in files), "the ledger is searched too"
    assert log_file.stat().st_size > 0
    hits = []
    for path in files:
        haystack = path.read_bytes().decode("utf-8", errors="ignore").lower()
        name = str(path.relative_to(tmp_path)).lower()
        for needle in needles():
            if needle.lower() in name:
                hits.append(f"{needle!r} in the file name {path.name}")
            # compressed pixels can hold a short word by chance: images are searched for whole values
            if path.suffix == ".png" and needle not in PLANT.values():
                continue
            if needle.lower() in haystack:
                hits.append(f"{needle!r} in {path.relative_to(tmp_path)}")
    assert hits == []


@pytest.mark.browser
def test_the_planted_replies_still_get_their_decisions(
    browser: Browser, sandbox: SandboxControl, settings: Settings
) -> None:
    """Scrubbing takes the data out, not the meaning: a 502 is resent, a named field is a fix, a name
    alone or an HTML page is escalated."""
    sandbox.reset(scenario="rules", plant=PLANT, referrals=referrals(), time_scale=0.01)
    run = sweep_and_report(settings.model_copy(update={"dry_run": True}), browser=browser)
    by_ref = {r.reference: r for r in run.result.referrals}
    stored = json.loads(run.report_json.read_text(encoding="utf-8"))
    assert stored["dry_run"] is True
    assert by_ref["4100000002"].path == "Patient.birthDate"
    assert by_ref["4100000006"].fix is None  # "<name> is missing" names no field
    assert by_ref["4100000003"].fix is None  # an HTML error page is never a fix
    assert by_ref["4100000008"].path == "Patient.name[0]" and by_ref["4100000008"].field == "Patient name"
