"""Finding and launching the browser: one launch function for the agent, the tests and the benchmarks.

Order of search: a configured executable, Playwright's own Chromium, then a system Chromium or
Chrome. Playwright's browser download cannot reach its CDN on every machine, so a system browser is
a first-class choice, not a fallback of last resort. For a headless run a system *headless shell*
(Debian's ``chromium-headless-shell``) comes first: it is what Playwright itself runs headless, and it
spends about a quarter less CPU than the full browser in headless mode (measured: bench/, README).

Neither the Playwright driver nor Chromium inherits the agent's secrets: the driver starts with them
taken out of the environment (:func:`secrets_hidden`) and Chromium gets :func:`browser_environment`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from agent.errors import BrowserNotFound

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

# Quiet, deterministic start-up: no calls home, no first-run UI (the machine may have no network).
LAUNCH_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]

_SECRET_NAME = re.compile(r"^CAREDOVE_|PASSW(?:OR)?D|SECRET|TOKEN|API_?KEY|CREDENTIAL|WEBHOOK", re.IGNORECASE)
"""Environment variables the driver and the browser never see."""
_ENVIRON_LOCK = threading.Lock()
"""os.environ is one per process; so is the guard around changing it."""

SYSTEM_HEADLESS_SHELLS = ("chromium-headless-shell",)
SYSTEM_HEADLESS_PATHS = ("/usr/lib/chromium/chromium-headless-shell",)
"""Chromium's headless-only build, as distributions ship it: preferred when nothing is shown."""
SYSTEM_BROWSERS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
)
SYSTEM_PATHS = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/opt/google/chrome/chrome",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)

FIX = (
    "install one: `python -m playwright install chromium`, or on Debian/Ubuntu "
    "`apt-get install -y chromium`, or set CAREDOVE_BROWSER_PATH to a Chromium/Chrome executable"
)


class BrowserChoice(BaseModel):
    """Which browser will be driven and why; ``executable`` None means Playwright's own."""

    model_config = ConfigDict(frozen=True)

    executable: Path | None
    source: str

    def describe(self) -> str:
        where = str(self.executable) if self.executable else "Playwright's bundled Chromium"
        return f"{where} ({self.source})"


def _playwright_own(running: Playwright | None = None) -> Path | None:
    """Playwright's own Chromium, asked of the running driver when there is one (starting a driver
    only to ask costs a second or two)."""
    try:
        if running is not None:
            path = Path(running.chromium.executable_path)
        else:
            from playwright.sync_api import sync_playwright

            with ExitStack() as stack:
                with secrets_hidden():
                    p = stack.enter_context(sync_playwright())
                path = Path(p.chromium.executable_path)
    except Exception:  # a missing driver or browser both mean "not this one"
        return None
    return path if path.is_file() else None


def find_browser(
    configured: Path | None = None, running: Playwright | None = None, *, headless: bool = True
) -> BrowserChoice:
    """The browser to launch, or BrowserNotFound saying how to get one. ``headless=False`` (a person
    watching) never picks a headless shell."""
    if configured is not None:
        if configured.is_file() and os.access(configured, os.X_OK):
            return BrowserChoice(executable=configured, source="configured")
        raise BrowserNotFound(
            f"the configured browser {configured} is not an executable file",
            fix="fix CAREDOVE_BROWSER_PATH (or browser_path), or unset it to search automatically",
        )
    own = _playwright_own(running)
    if own is not None:
        return BrowserChoice(executable=None, source="playwright")
    shells = (SYSTEM_HEADLESS_SHELLS, SYSTEM_HEADLESS_PATHS) if headless else ((), ())
    for names, paths in (shells, (SYSTEM_BROWSERS, SYSTEM_PATHS)):
        found = _installed(names, paths)
        if found is not None:
            return BrowserChoice(executable=found, source="system")
    raise BrowserNotFound("no Chromium or Chrome browser found", fix=FIX)


def _installed(names: tuple[str, ...], paths: tuple[str, ...]) -> Path | None:
    """The first of these commands on PATH, else the first of these files that exists."""
    for name in names:
        found = shutil.which(name)
        if found:
            return Path(found)
    return next((Path(p) for p in paths if Path(p).is_file()), None)


def browser_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment Chromium gets: the agent's own without its secrets (``CAREDOVE_*``, and any
    variable named like a password, secret, token or key). A browser, its crash reporter and any
    page-driven helper it starts have no use for them."""
    env = os.environ if environ is None else environ
    return {name: value for name, value in env.items() if not _SECRET_NAME.search(name)}


@contextmanager
def secrets_hidden() -> Iterator[None]:
    """Playwright's driver (a Node process) copies ``os.environ`` when it starts: for that moment the
    secrets are taken out of it, and put back after. Settings were read before, so nothing misses them;
    the lock keeps two launches in one process from restoring each other's half."""
    with _ENVIRON_LOCK:
        hidden = {name: os.environ.pop(name) for name in list(os.environ) if _SECRET_NAME.search(name)}
        try:
            yield
        finally:
            os.environ.update(hidden)


def launch_options(choice: BrowserChoice, *, headless: bool = True, slow_mo: float = 0) -> dict[str, object]:
    """Keyword arguments for ``playwright.chromium.launch`` (also used by pytest-playwright)."""
    options: dict[str, object] = {"headless": headless, "args": list(LAUNCH_ARGS), "env": browser_environment()}
    if slow_mo:
        options["slow_mo"] = slow_mo  # --slow-mo: every action waits this many ms, to watch it happen
    if choice.executable is not None:
        options["executable_path"] = str(choice.executable)
    return options


@contextmanager
def launched(configured: Path | None = None, *, headless: bool = True, slow_mo: float = 0) -> Iterator[Browser]:
    """Start Playwright and one browser; yields the ``Browser``. Closes both, whatever happens."""
    from playwright.sync_api import sync_playwright

    with ExitStack() as stack:
        with secrets_hidden():
            p = stack.enter_context(sync_playwright())
        choice = find_browser(configured, p, headless=headless)
        browser = p.chromium.launch(**launch_options(choice, headless=headless, slow_mo=slow_mo))  # type: ignore[arg-type]
        try:
            yield browser
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agent.browser", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 0 when a browser is found")
    parser.parse_args(argv)
    try:
        choice = find_browser(Path(p) if (p := os.environ.get("CAREDOVE_BROWSER_PATH")) else None)
    except BrowserNotFound as exc:
        print(f"caredove-agent: {exc}", file=sys.stderr)
        return 3
    print(choice.describe())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
