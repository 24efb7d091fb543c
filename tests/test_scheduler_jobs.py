"""The scheduler's other jobs: the standing-work digest on its own cron, and the hourly watchdog that is
loud once per overdue spell — driven with an injected clock, against a real webhook receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from agent.errors import SettingsError
from agent.jobs import StandingDigest, Watchdog
from agent.models import Outcome, ReferralResult, SweepResult
from agent.scheduler import plan
from agent.schedules import Schedule, load_schedule
from tests.receivers import HttpReceiver, http_receiver

BASE_URL = "https://inbox.example"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def write_report(report_dir: Path, finished: datetime, referrals: list[ReferralResult], inbox: str = BASE_URL) -> None:
    result = SweepResult(
        sweep_id=finished.strftime("%Y%m%d-%H%M%S") + ("" if inbox == BASE_URL else "-other"),
        started_at=finished - timedelta(minutes=3), finished_at=finished, base_url=inbox, dry_run=False,
        banner_count=len(referrals), summary=SweepResult.count(referrals), referrals=referrals,
    )  # fmt: skip
    folder = report_dir / result.sweep_id
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(result.model_dump_json(), encoding="utf-8")


def open_item(reference: str, outcome: Outcome, nights: int) -> ReferralResult:
    return ReferralResult(reference=reference, outcome=outcome, rule="R", reason="partner text here",
                          http_code=400, destination="CDIS", nights_open=nights)  # fmt: skip


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with http_receiver() as found:
        yield found


@pytest.fixture
def schedule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, receiver: HttpReceiver) -> Schedule:
    for name in ("CAREDOVE_CONFIG", "CAREDOVE_BASE_URL", "CAREDOVE_REPORT_DIR", "CAREDOVE_OVERDUE_HOURS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profile.toml").write_text(
        f'base_url = "{BASE_URL}"\nreport_dir = "{tmp_path / "reports"}"\nstate = "{tmp_path / "state/l.sqlite"}"\n',
        encoding="utf-8",
    )
    path = tmp_path / "nightly.toml"
    path.write_text(
        'cron = "30 2 * * *"\ntimezone = "America/Toronto"\nconfig = "profile.toml"\n'
        f'[notify]\ndigest = "0 8 * * mon"\n[notify.webhook]\nurl = "{receiver.url}/hook"\nallow_http = true\n',
        encoding="utf-8",
    )
    return load_schedule(path)


def events(receiver: HttpReceiver) -> list[dict[str, object]]:
    return [json.loads(p.body) for p in receiver.posts]


def test_the_digest_sends_the_standing_work_of_the_newest_sweep(
    schedule: Schedule, tmp_path: Path, receiver: HttpReceiver
) -> None:
    reports = tmp_path / "reports"
    write_report(reports, NOW - timedelta(days=2), [open_item("1111111111", Outcome.FIX, 1)])
    write_report(reports, NOW - timedelta(days=1), [open_item("1111111111", Outcome.FIX, 2),
                                                     open_item("2222222222", Outcome.ESCALATED, 1)])  # fmt: skip
    write_report(reports, NOW, [], inbox="https://other.example")  # another inbox's newer sweep is not this one's
    assert StandingDigest(schedule)() == ["standing"]
    [payload] = events(receiver)
    assert (payload["event"], payload["open"]) == ("standing_work", ["1111111111", "2222222222"])
    assert str(payload["subject"]).startswith("caredove-agent: standing work — 2 referrals open, oldest 2 nights")
    assert "partner text" not in json.dumps(payload)


def test_no_digest_before_the_first_sweep_or_when_nothing_is_open(
    schedule: Schedule, tmp_path: Path, receiver: HttpReceiver
) -> None:
    assert StandingDigest(schedule)() == []
    write_report(tmp_path / "reports", NOW, [open_item("1111111111", Outcome.CLEARED, 1)])
    assert StandingDigest(schedule)() == []
    assert receiver.posts == []


def test_the_watchdog_is_loud_once_per_overdue_spell(
    schedule: Schedule, tmp_path: Path, receiver: HttpReceiver
) -> None:
    reports = tmp_path / "reports"
    write_report(reports, NOW - timedelta(hours=30), [])
    clock = [NOW]
    watchdog = Watchdog(schedule, clock=lambda: clock[0])
    assert watchdog() == ["trouble"]
    clock[0] += timedelta(hours=1)
    assert watchdog() == []  # the same spell: not every hour
    write_report(reports, NOW + timedelta(hours=2), [])  # a sweep ends the spell
    clock[0] = NOW + timedelta(hours=3)
    assert watchdog() == []
    clock[0] = NOW + timedelta(hours=40)  # and the next spell is told again
    assert watchdog() == ["trouble"]
    subjects = [str(p["subject"]) for p in events(receiver)]
    assert len(subjects) == 2
    assert all(s.startswith("caredove-agent TROUBLE: no sweep for") for s in subjects)


def test_the_watchdog_tells_of_an_inbox_never_swept(schedule: Schedule, receiver: HttpReceiver) -> None:
    assert Watchdog(schedule, clock=lambda: NOW)() == ["trouble"]
    assert str(events(receiver)[0]["subject"]).startswith("caredove-agent TROUBLE: no sweep of this inbox has finished")


def test_plan_adds_the_digest_and_the_watchdog_beside_the_sweep(schedule: Schedule) -> None:
    scheduler = BackgroundScheduler(timezone=UTC)
    plan(scheduler, [schedule], stop=threading.Event(), now=NOW)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"nightly", "nightly:digest", "nightly:watchdog"}
    moment = jobs["nightly:digest"].trigger.get_next_fire_time(None, NOW)
    assert moment.strftime("%a %H:%M %Z") == "Mon 08:00 EDT"
    silent = schedule.model_copy(update={"notify": schedule.notify.model_copy(update={"webhook": None})})
    quiet = BackgroundScheduler(timezone=UTC)
    plan(quiet, [silent], stop=threading.Event(), now=NOW)
    assert "nightly:watchdog" not in {job.id for job in quiet.get_jobs()}  # nobody to tell


def test_schedule_list_shows_channels_digest_ping_and_warns_of_a_silent_schedule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from agent.cli import app

    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "schedules"
    folder.mkdir()
    (folder / "loud.toml").write_text(
        'cron = "30 2 * * *"\ntimezone = "America/Toronto"\n[ping]\nurl = "https://hc.example/p"\n'
        '[notify]\ndigest = "0 8 * * mon"\n[notify.webhook]\nurl = "https://chat.example/h"\n',
        encoding="utf-8",
    )
    (folder / "silent.toml").write_text('cron = "0 3 * * *"\ntimezone = "UTC"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["schedule", "list", "--schedules", str(folder)])
    assert result.exit_code == 0, result.output
    loud, silent = result.output.split("silent  (")
    assert "notify needs-people by webhook; digest '0 8 * * mon'; ping on" in loud
    assert "warning" not in loud
    assert "warning: schedule silent: notify.when is 'needs-people' but no channel is configured" in silent


def test_sweep_schedule_refuses_a_flag_it_would_ignore(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`sweep --schedule nightly --dry-run` must not quietly run a real sweep."""
    from typer.testing import CliRunner

    from agent.cli import app

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["sweep", "--schedule", "nightly", "--dry-run", "--only", "1234567890"])
    assert isinstance(result.exception, SettingsError)  # main() prints it in one line and exits 2
    assert result.exception.exit_code == 2
    message = str(result.exception)
    assert "--schedule nightly takes its settings from the schedule file, not --dry-run, --only" in message
    assert "dry_run = true" in message
    assert not (tmp_path / "reports").exists()


def test_schedule_digest_sends_the_standing_work_now(
    schedule: Schedule, tmp_path: Path, receiver: HttpReceiver
) -> None:
    from typer.testing import CliRunner

    from agent.cli import app

    folder = tmp_path / "schedules"
    folder.mkdir()
    (folder / "nightly.toml").write_text(schedule.source.read_text(encoding="utf-8").replace(
        'config = "profile.toml"', f'config = "{tmp_path / "profile.toml"}"'), encoding="utf-8")  # fmt: skip
    write_report(tmp_path / "reports", NOW, [open_item("1111111111", Outcome.FIX, 4)])
    result = CliRunner().invoke(app, ["schedule", "digest", "nightly", "--schedules", str(folder)])
    assert result.exit_code == 0, result.output
    assert "standing-work digest of nightly: sent" in result.output
    [payload] = events(receiver)
    assert (payload["event"], payload["open"]) == ("standing_work", ["1111111111"])


def test_a_weekly_schedule_is_not_overdue_on_its_second_day(schedule: Schedule) -> None:
    from agent.jobs import overdue_after
    from agent.schedules import settings_for

    settings = settings_for(schedule)
    assert overdue_after(schedule, settings, NOW) == 26  # nightly: 24 h + 2 h, the default
    weekly = schedule.model_copy(update={"cron": "30 2 * * mon"})
    assert overdue_after(weekly, settings, NOW) == 7 * 24 + 2
