"""Four nights on the sandbox, each fired as `schedule run --now` would, against a real SMTP server, a
real webhook receiver and a real ping receiver on loopback:

1. new items: two fixes for staff and an escalation → one "new for people" message;
2. the same items again → nothing at all (a quiet repeat night);
3. a blind night (the red control relabelled: the banner counts 3, the agent sees none) → one
   TROUBLE message, critical, unmistakable by subject alone; the monitor hears /fail;
4. the fixes re-saved by staff, the agent clears them → one "OK again" message and nothing else.

No message carries a word of the partners' replies, nor the password.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from agent.jobs import Fired
from agent.run import sweep_and_report
from agent.scheduler import run_once
from agent.schedules import load_schedule
from agent.settings import Settings
from sandbox.control import SandboxControl
from sandbox.responses import EXAMPLES
from tests.receivers import HttpReceiver, Mailbox, free_port, http_receiver, smtp_server
from tests.scheduling import write_profile, write_schedule

pytestmark = pytest.mark.browser

FIX_A, FIX_B, UNCLEAR_C = "4100000001", "4100000002", "4100000003"
BLIND = '[labels]\nerror_control = "^no control is called this$"\n'


def inbox(*, fixed: bool = False) -> dict[str, Any]:
    """Three errored referrals; ``fixed``: staff re-saved A and B and the partner took them."""
    resaved = [{"status": "success", "http_code": 201, "text": "", "trigger": "Edited", "minutes_ago": 5}]
    return {
        FIX_A: {"attempts": [{"example": "postal-code-missing", "minutes_ago": 60}] + (resaved if fixed else []),
                "has_error": True},
        FIX_B: {"attempts": [{"example": "phone-missing", "minutes_ago": 50}] + (resaved if fixed else []),
                "has_error": True},
        UNCLEAR_C: {"attempts": [{"example": "spring-bad-request", "minutes_ago": 40}]},
    }  # fmt: skip


@pytest.fixture
def receivers() -> Iterator[tuple[Mailbox, int, HttpReceiver]]:
    with smtp_server() as (mailbox, port), http_receiver() as receiver:
        yield mailbox, port, receiver


def test_four_nights_send_exactly_the_expected_messages(
    sandbox: SandboxControl,
    settings: Settings,
    browser: Browser,
    tmp_path: Path,
    receivers: tuple[Mailbox, int, HttpReceiver],
) -> None:
    mailbox, port, receiver = receivers
    profile = write_profile(settings, tmp_path)
    folder = write_schedule(
        tmp_path,
        profile,
        f'metrics_file = "{tmp_path / "metrics" / "caredove.prom"}"\n'
        f'[ping]\nurl = "{receiver.url}/ping/nightly"\nallow_http = true\ntimeout_seconds = 2\n'
        f'[notify]\nwhen = "needs-people"\n'
        f'[notify.email]\nto = "intake-lead@clinic.example"\nfrom = "agent@clinic.example"\nhost = "127.0.0.1"\n'
        f'port = {port}\ntls = "none"\n'
        f'[notify.webhook]\nurl = "{receiver.url}/hook"\nallow_http = true\n',
        name="nightly",
    )
    schedule = load_schedule(folder / "nightly.toml")
    sweep = partial(sweep_and_report, browser=browser)

    def night(extra_profile: str = "", **reset: Any) -> tuple[Fired, list[str], list[str], list[str]]:
        sandbox.reset(scenario="large", size=4, errors=0, time_scale=0.01, **reset)
        write_profile(settings, tmp_path, extra_profile)
        mails, posts = len(mailbox.messages), len(receiver.posts)
        fired = run_once(schedule, stop=threading.Event(), sweep=sweep)
        new_posts = receiver.posts[posts:]
        hooks = [json.loads(p.body)["event"] for p in new_posts if p.path == "/hook"]
        pings = [p.path.removeprefix("/ping/nightly") or "/" for p in new_posts if p.path.startswith("/ping/")]
        return fired, mailbox.subjects[mails:], hooks, pings

    # 1. new items
    fired, subjects, hooks, pings = night(referrals=inbox())
    assert fired.ok, fired
    assert {r.reference: r.outcome.value for r in fired.run.result.referrals} == {  # type: ignore[union-attr]
        FIX_A: "fix",
        FIX_B: "fix",
        UNCLEAR_C: "escalated",
    }
    [subject] = subjects
    assert subject.startswith("caredove-agent: new for people — 2 new fixes for staff, 1 new escalation")
    assert (hooks, pings) == (["new_for_people"], ["/start", "/"])
    body = mailbox.messages[-1].get_body(("plain",))
    assert body is not None
    text = body.get_content()
    for reference in (FIX_A, FIX_B, UNCLEAR_C):
        assert reference in text
    assert "report.html" in text

    # 2. the same items again: a quiet repeat night
    fired, subjects, hooks, pings = night(referrals=inbox())
    assert fired.ok
    assert (subjects, hooks, pings) == ([], [], ["/start", "/"])

    # 3. a blind night: the screens changed, the agent sees none of the three
    fired, subjects, hooks, pings = night(BLIND, referrals=inbox())
    assert fired.in_trouble
    [subject] = subjects
    assert subject.startswith("caredove-agent TROUBLE: saw 0 of the 3 referrals")
    assert mailbox.messages[-1]["X-Caredove-Agent-Severity"] == "critical"
    assert (hooks, pings) == (["agent_trouble"], ["/start", "/fail"])

    # 4. staff fixed A and B; the agent clears them; the escalation stays (not new: nothing to send)
    fired, subjects, hooks, pings = night(referrals=inbox(fixed=True))
    assert fired.ok
    outcomes = {r.reference: r.outcome.value for r in fired.run.result.referrals}  # type: ignore[union-attr]
    assert outcomes == {FIX_A: "cleared", FIX_B: "cleared", UNCLEAR_C: "escalated"}
    [subject] = subjects
    assert subject.startswith("caredove-agent OK again: the nightly sweep ran in full (3 referrals seen)")
    assert (hooks, pings) == (["agent_recovered"], ["/start", "/"])

    every = "\n".join(m.decode() for m in mailbox.raw) + "\n".join(p.body.decode() for p in receiver.posts)
    assert settings.password is not None and settings.password.get_secret_value() not in every
    for example in ("postal-code-missing", "phone-missing", "spring-bad-request"):  # the partners' replies
        assert EXAMPLES[example].text[:40] not in every
    for words in ("Postal Code", "Patient.contact", "Bad Request", "is missing"):
        assert words not in every
    assert (tmp_path / "metrics" / "caredove.prom").is_file()


def test_a_refused_sign_in_is_trouble_and_the_next_good_night_says_ok_again(
    sandbox: SandboxControl,
    settings: Settings,
    browser: Browser,
    tmp_path: Path,
    receivers: tuple[Mailbox, int, HttpReceiver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mailbox, port, receiver = receivers
    profile = write_profile(settings, tmp_path)
    folder = write_schedule(
        tmp_path,
        profile,
        f'[ping]\nurl = "{receiver.url}/ping/nightly"\nallow_http = true\n'
        f'[notify.email]\nto = "lead@clinic.example"\nfrom = "agent@clinic.example"\nhost = "127.0.0.1"\n'
        f'port = {port}\ntls = "none"\n',
        name="nightly",
    )
    schedule = load_schedule(folder / "nightly.toml")
    sweep = partial(sweep_and_report, browser=browser)
    sandbox.reset(scenario="large", size=4, errors=0, time_scale=0.01, referrals=inbox())

    monkeypatch.setenv("CAREDOVE_PASSWORD", "not-the-password")
    refused = run_once(schedule, stop=threading.Event(), sweep=sweep)
    assert refused.error is not None and type(refused.error).__name__ == "SignInFailed"
    assert mailbox.subjects == ["caredove-agent TROUBLE: the site refused the sign-in (" + str(settings.base_url) + ")"]
    assert mailbox.messages[0]["X-Caredove-Agent-Severity"] == "critical"
    assert receiver.paths() == ["/ping/nightly/start", "/ping/nightly/fail"]
    assert "not-the-password" not in "\n".join(m.decode() for m in mailbox.raw)
    [left] = [p.parent for p in settings.report_dir.glob("*/report.json")]  # the failed sweep's own report
    body = mailbox.messages[0].get_body(("plain",))
    assert body is not None and f"Report: {left / 'report.html'}" in body.get_content()

    assert settings.password is not None
    monkeypatch.setenv("CAREDOVE_PASSWORD", settings.password.get_secret_value())
    fired = run_once(schedule, stop=threading.Event(), sweep=sweep)  # a new process would read the failure report
    assert fired.ok
    assert [s.split(":")[0] for s in mailbox.subjects[1:]] == ["caredove-agent OK again", "caredove-agent"]
    assert receiver.paths()[2:] == ["/ping/nightly/start", "/ping/nightly"]


def test_receivers_that_are_down_stop_no_sweep(
    sandbox: SandboxControl, settings: Settings, browser: Browser, tmp_path: Path
) -> None:
    """Ping monitor, SMTP relay and webhook all refusing connections: the sweep still runs to the end."""
    dead = [free_port() for _ in range(3)]
    profile = write_profile(settings, tmp_path)
    folder = write_schedule(
        tmp_path,
        profile,
        f'[ping]\nurl = "http://127.0.0.1:{dead[0]}/p"\nallow_http = true\ntimeout_seconds = 1\n'
        f'[notify.email]\nto = "lead@clinic.example"\nfrom = "agent@clinic.example"\nhost = "127.0.0.1"\n'
        f'port = {dead[1]}\ntls = "none"\ntimeout_seconds = 1\n'
        f'[notify.webhook]\nurl = "http://127.0.0.1:{dead[2]}/hook"\nallow_http = true\ntimeout_seconds = 1\n',
        name="nightly",
    )
    sandbox.reset(scenario="large", size=4, errors=0, time_scale=0.01, referrals=inbox())
    fired = run_once(load_schedule(folder / "nightly.toml"), stop=threading.Event(),
                     sweep=partial(sweep_and_report, browser=browser))  # fmt: skip
    assert fired.ok and fired.run is not None
    assert len(fired.run.result.referrals) == 3
    assert fired.run.report_json.is_file()
