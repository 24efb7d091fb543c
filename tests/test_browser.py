"""Finding a browser: configured, Playwright's own, or the system's — and a clear fix when none."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent import browser
from agent.errors import BrowserNotFound


def test_a_configured_browser_that_is_not_there_is_named_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(BrowserNotFound) as caught:
        browser.find_browser(tmp_path / "chrome")
    assert str(tmp_path / "chrome") in str(caught.value)
    assert "CAREDOVE_BROWSER_PATH" in str(caught.value)


def test_a_browser_is_found_on_this_machine() -> None:
    choice = browser.find_browser(None)
    assert choice.source in {"playwright", "system"}


def test_no_browser_anywhere_says_how_to_install_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser, "_playwright_own", lambda _running=None: None)
    monkeypatch.setattr(browser.shutil, "which", lambda _name: None)
    monkeypatch.setattr(browser, "SYSTEM_PATHS", ())
    with pytest.raises(BrowserNotFound) as caught:
        browser.find_browser(None)
    assert "playwright install chromium" in str(caught.value)
    assert "apt-get install -y chromium" in str(caught.value)


def test_the_launch_flags_keep_the_browser_quiet() -> None:
    options = browser.launch_options(browser.BrowserChoice(executable=Path("/usr/bin/chromium"), source="system"))
    for flag in ("--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"):
        assert flag in options["args"]  # type: ignore[operator]
    assert options["executable_path"] == "/usr/bin/chromium"
