"""Finding a browser: configured, Playwright's own, or the system's — and a clear fix when none."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
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
    monkeypatch.setattr(browser, "SYSTEM_HEADLESS_PATHS", ())
    with pytest.raises(BrowserNotFound) as caught:
        browser.find_browser(None)
    assert "playwright install chromium" in str(caught.value)
    assert "apt-get install -y chromium" in str(caught.value)


def test_a_headless_run_prefers_the_systems_headless_shell_and_a_watched_one_never_gets_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    on_path = {"chromium-headless-shell": "/usr/bin/chromium-headless-shell", "chromium": "/usr/bin/chromium"}
    monkeypatch.setattr(browser, "_playwright_own", lambda _running=None: None)
    monkeypatch.setattr(browser.shutil, "which", on_path.get)
    assert browser.find_browser(None).executable == Path("/usr/bin/chromium-headless-shell")
    assert browser.find_browser(None, headless=False).executable == Path("/usr/bin/chromium")
    del on_path["chromium-headless-shell"]
    monkeypatch.setattr(browser, "SYSTEM_HEADLESS_PATHS", ())
    assert browser.find_browser(None).executable == Path("/usr/bin/chromium")  # no shell: the full browser


def test_the_launch_flags_keep_the_browser_quiet() -> None:
    options = browser.launch_options(browser.BrowserChoice(executable=Path("/usr/bin/chromium"), source="system"))
    for flag in ("--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"):
        assert flag in options["args"]  # type: ignore[operator]
    assert options["executable_path"] == "/usr/bin/chromium"


def environments_with(probe: str) -> dict[int, str]:
    """The environment of every process on this machine that carries ``probe`` (ours and our children)."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "environ").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if probe in text:
            found[int(entry.name)] = text
    return found


@pytest.mark.browser
@pytest.mark.skipif(not Path("/proc/self/environ").is_file(), reason="reads other processes' environment in /proc")
def test_neither_the_driver_nor_chromium_inherits_the_agents_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import uuid

    probe = f"H3_ENV_PROBE={uuid.uuid4().hex}"
    monkeypatch.setenv("H3_ENV_PROBE", probe.split("=", 1)[1])
    monkeypatch.setenv("CAREDOVE_PASSWORD", "Planted-Env-Pa55")
    monkeypatch.setenv("CAREDOVE_TOTP_SECRET", "PLANTEDTOTPSECRET")
    monkeypatch.setenv("SMTP_PASSWORD", "Planted-Smtp-Pa55")

    def launch_and_look() -> dict[int, str]:
        with browser.launched(None, headless=True) as running:
            running.new_page().close()
            return {pid: env for pid, env in environments_with(probe).items() if pid != os.getpid()}

    # Its own thread: the worker may already run pytest-playwright's session, and one thread holds
    # one sync Playwright at a time.
    with ThreadPoolExecutor(max_workers=1) as thread:
        children = thread.submit(launch_and_look).result()
    assert len(children) >= 2, "expected the driver and Chromium"  # driver, browser, its helpers
    for env in children.values():
        for secret in ("Planted-Env-Pa55", "PLANTEDTOTPSECRET", "Planted-Smtp-Pa55"):
            assert secret not in env
    assert os.environ["CAREDOVE_PASSWORD"] == "Planted-Env-Pa55"  # put back for the rest of the process


def test_the_browser_environment_drops_secret_names_and_keeps_the_rest() -> None:
    env = browser.browser_environment(
        {"CAREDOVE_PASSWORD": "x", "CAREDOVE_BASE_URL": "y", "MY_API_KEY": "z", "HOME": "/h", "HTTPS_PROXY": "p"}
    )
    assert env == {"HOME": "/h", "HTTPS_PROXY": "p"}
