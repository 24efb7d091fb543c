"""``caredove-agent doctor``: everything a nightly sweep needs, checked now, each with its fix.

The nightly sweep runs when nobody is there to read a traceback, so the checks it would trip over
are offered up front, in the order they depend on each other: a later check is skipped (and says
why) when an earlier one it needs failed, so the first FAIL is the thing to fix.
"""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser
from pydantic import BaseModel, ConfigDict

from agent import browser, survey
from agent.errors import AgentError
from agent.settings import Settings

HTTP_TIMEOUT = 10.0


class Check(BaseModel):
    """One verdict: ``ok`` None means skipped (a check it depends on failed)."""

    model_config = ConfigDict(frozen=True)

    name: str
    ok: bool | None
    detail: str
    fix: str | None = None

    def line(self) -> str:
        verdict = {True: "OK  ", False: "FAIL", None: "SKIP"}[self.ok]
        text = f"{verdict} {self.name}: {self.detail}"
        return f"{text}\n     fix: {self.fix}" if self.fix and self.ok is False else text


def check_browser(settings: Settings) -> Check:
    try:
        choice = browser.find_browser(settings.browser_path, headless=settings.headless)
    except AgentError as exc:
        return Check(name="browser", ok=False, detail=exc.message, fix=exc.fix)
    return Check(name="browser", ok=True, detail=choice.describe())


def check_settings(settings: Settings) -> Check:
    try:
        base_url, username, _ = settings.require_site()
    except AgentError as exc:
        return Check(name="settings", ok=False, detail=exc.message, fix=exc.fix)
    return Check(name="settings", ok=True, detail=f"{base_url} as {username}")


def _writable(folder: Path) -> str | None:
    """None when a file can be created in ``folder`` (created if missing), else why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def check_folders(settings: Settings) -> Check:
    problems = [
        f"{label} folder {folder} is not writable ({why})"
        for label, folder in (("state", settings.state.parent), ("report", settings.report_dir))
        if (why := _writable(folder)) is not None
    ]
    if problems:
        return Check(
            name="folders",
            ok=False,
            detail="; ".join(problems),
            fix=f"create the folders and give the agent's user ({_user()}) write access, or set state/report_dir",
        )
    return Check(name="folders", ok=True, detail=f"state {settings.state.parent}, reports {settings.report_dir}")


def _user() -> str:
    try:
        return os.getlogin()
    except OSError:
        return str(os.getuid())


def check_site(settings: Settings) -> Check:
    if not settings.base_url:
        return Check(name="site", ok=None, detail="no base URL set")
    request = urllib.request.Request(settings.base_url, method="GET")  # noqa: S310 - validated http(s)
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        if exc.code < 500:  # a 401/403/404 at the root still proves the site answers
            return Check(name="site", ok=True, detail=f"{settings.base_url} answers (HTTP {exc.code})")
        return Check(
            name="site",
            ok=False,
            detail=f"{settings.base_url} answers HTTP {exc.code}",
            fix="the site has a problem: try again later, or check Caredove's status with support",
        )
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Check(
            name="site",
            ok=False,
            detail=f"{settings.base_url} does not answer ({reason})",
            fix="check base_url, the network, DNS and any proxy (HTTPS_PROXY) from this machine",
        )
    return Check(name="site", ok=True, detail=f"{settings.base_url} answers (HTTP {status})")


def check_sign_in(settings: Settings, browser: Browser | None = None) -> list[Check]:
    """The survey's sign-in and inbox checks (read-only, in a browser that refuses every write):
    one verdict for signing in, one for the inbox's labels; `survey` checks the rest."""
    try:
        findings = survey.doctor_checks(settings, browser=browser)
    except AgentError as exc:
        return [Check(name="sign-in", ok=False, detail=exc.message, fix=exc.fix or "check username and password")]
    signed_in = Check(name="sign-in", ok=True, detail=f"signed in as {settings.username}")
    misses = [f for f in findings if f.found is False]
    if misses:
        names = ", ".join(f"labels.{f.label}" if f.pattern else f.label for f in misses)
        inbox = Check(
            name="inbox",
            ok=False,
            detail=f"reached, but not found on its screens: {names}",
            fix="run `caredove-agent survey`: it lists what each screen offers and a [labels] block to paste",
        )
    else:
        inbox = Check(
            name="inbox",
            ok=True,
            detail="every inbox label found; `caredove-agent survey` checks the window, the response tab and paging",
        )
    return [signed_in, inbox]


CheckFunction = Callable[[Settings], Check | list[Check]]
CHECKS: tuple[tuple[CheckFunction, tuple[str, ...]], ...] = (
    (check_browser, ()),
    (check_settings, ()),
    (check_folders, ()),
    (check_site, ("settings",)),
    (check_sign_in, ("browser", "settings", "site")),
)


def run_checks(settings: Settings, checks: tuple[tuple[CheckFunction, tuple[str, ...]], ...] = CHECKS) -> list[Check]:
    """Every check in order; one whose prerequisite failed is reported as skipped, not run."""
    done: dict[str, Check] = {}
    for check, needs in checks:
        failed = [n for n in needs if n in done and done[n].ok is False]
        if failed:
            name = check.__name__.removeprefix("check_").replace("_", "-")
            results = [Check(name=name, ok=None, detail=f"skipped: {', '.join(failed)} failed")]
        else:
            answer = check(settings)
            results = answer if isinstance(answer, list) else [answer]
        for result in results:
            done[result.name] = result
    return list(done.values())
