"""A sweep that fails before any referral leaves a report.json that says why, and the index lists it."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser
from pydantic import SecretStr

from agent.errors import SignInFailed
from agent.models import SweepResult
from agent.places import FILE_MODES
from agent.reports.failed import failure_reason
from agent.reports.history import scan
from agent.run import sweep_and_report
from agent.settings import Settings

pytestmark = pytest.mark.browser

WRONG = "not-the-password-0"  # a canary: it must not reach any file


def test_a_refused_sign_in_leaves_a_report_that_says_why(settings: Settings, browser: Browser) -> None:
    bad = settings.model_copy(update={"password": SecretStr(WRONG)})
    with pytest.raises(SignInFailed) as caught:
        sweep_and_report(bad, browser=browser)
    (folder,) = [p for p in settings.report_dir.iterdir() if p.is_dir()]
    stored = SweepResult.model_validate_json((folder / "report.json").read_bytes())
    assert stored.failure == failure_reason(caught.value)  # the sign-in's own message: what went wrong, the fix
    assert caught.value.message in stored.failure
    assert stored.referrals == [] and not stored.complete
    assert (folder / "report.json").stat().st_mode & 0o777 == FILE_MODES[settings.file_mode]  # like a sweep's
    history = scan(settings.report_dir)
    assert history.sweeps == ()  # never a baseline, never "the last sweep" for `status`
    assert [s.folder for s in history.failed] == [folder.name]
    index = (settings.report_dir / "index.html").read_text(encoding="utf-8")
    assert f'data-sweep="{folder.name}"' in index
    assert f"Failed: {stored.failure}" in index
    for path in folder.iterdir():
        assert WRONG not in path.read_text(encoding="utf-8-sig"), path.name
    assert WRONG not in index
    assert json.loads((folder / "report.json").read_text())["problems"][0].startswith("The sweep failed")


def test_an_unexpected_error_is_named_by_its_kind_only() -> None:
    assert failure_reason(ValueError("patient Jane Doe 4532-281-746")) == (
        "unexpected error (ValueError); the agent's log has the details"
    )
    assert "[redacted]" in failure_reason(SignInFailed("refused for ops@clinic.example", fix="check the password"))
