"""A missed night is caught up once at start — not once per missed night, and not again on restart."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from agent.firetimes import missed_run
from agent.models import SweepResult, SweepRun
from agent.scheduler import plan
from agent.schedules import Schedule, load_schedule
from agent.settings import Settings

TORONTO = ZoneInfo("America/Toronto")
NIGHTLY = Schedule(name="nightly", cron="30 2 * * *", timezone="America/Toronto")
BASE_URL = "https://inbox.example"


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=TORONTO)


def test_nothing_missed_when_last_night_ran() -> None:
    assert missed_run(NIGHTLY, last_sweep_at=at(10, 2, 30, 4), now=at(10, 9)) is None


def test_nothing_missed_before_tonight_fire_time() -> None:
    assert missed_run(NIGHTLY, last_sweep_at=at(9, 2, 30, 4), now=at(10, 1)) is None


def test_three_missed_nights_are_one_catch_up_at_the_newest_time() -> None:
    assert missed_run(NIGHTLY, last_sweep_at=at(6, 2, 30, 4), now=at(10, 9)) == at(10, 2, 30)


def test_a_missed_spring_forward_night_is_caught_up() -> None:
    """The 2026-03-08 sweep runs at 03:30 EDT; down from 03:00 to 09:00 means it was missed."""
    assert missed_run(NIGHTLY, last_sweep_at=at(7, 2, 30, 4), now=at(8, 9)) == at(8, 3, 30)
    assert missed_run(NIGHTLY, last_sweep_at=at(7, 2, 30, 4), now=at(8, 3, 0)) is None


def test_no_history_means_nothing_to_catch_up() -> None:
    assert missed_run(NIGHTLY, last_sweep_at=None, now=at(10, 9)) is None


def test_a_manual_sweep_after_the_missed_time_counts() -> None:
    assert missed_run(NIGHTLY, last_sweep_at=at(10, 8), now=at(10, 9)) is None


def write_report(report_dir: Path, started_at: datetime) -> SweepRun:
    sweep_id = started_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    result = SweepResult(
        sweep_id=sweep_id,
        started_at=started_at,
        finished_at=started_at + timedelta(minutes=3),
        base_url=BASE_URL,
        dry_run=False,
        banner_count=0,
        summary=SweepResult.count([]),
        referrals=[],
    )
    folder = report_dir / sweep_id
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(result.model_dump_json(), encoding="utf-8")
    return SweepRun(result=result, report_dir=folder, report_json=folder / "report.json")


class CountingSweep:
    """Stands in for sweep_and_report: counts calls and writes a report like the real one."""

    def __init__(self) -> None:
        self.calls: list[datetime] = []
        self.called = threading.Event()

    def __call__(self, settings: Settings, *, lock_wait: float, stop: threading.Event | None) -> SweepRun:
        now = datetime.now(UTC)
        self.calls.append(now)
        run = write_report(settings.report_dir, now)
        self.called.set()
        return run


@pytest.fixture
def schedule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Schedule:
    for name in ("CAREDOVE_CONFIG", "CAREDOVE_BASE_URL", "CAREDOVE_REPORT_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profile.toml").write_text(
        f'base_url = "{BASE_URL}"\nreport_dir = "{tmp_path / "reports"}"\nstate = "{tmp_path / "state/l.sqlite"}"\n',
        encoding="utf-8",
    )
    path = tmp_path / "nightly.toml"
    path.write_text(
        'cron = "30 2 * * *"\ntimezone = "America/Toronto"\nconfig = "profile.toml"\n[notify]\nwhen = "never"\n',
        encoding="utf-8",
    )
    return load_schedule(path)


def start(schedule: Schedule, sweep: CountingSweep) -> tuple[BackgroundScheduler, dict[str, datetime | None]]:
    scheduler = BackgroundScheduler(timezone=UTC)
    caught_up = plan(scheduler, [schedule], stop=threading.Event(), now=datetime.now(UTC), sweep=sweep)
    scheduler.start()
    return scheduler, caught_up


def test_scheduler_catches_up_missed_nights_with_exactly_one_sweep(schedule: Schedule, tmp_path: Path) -> None:
    write_report(tmp_path / "reports", datetime.now(UTC) - timedelta(days=3))
    sweep = CountingSweep()
    scheduler, caught_up = start(schedule, sweep)
    try:
        assert caught_up["nightly"] is not None
        assert sweep.called.wait(10), "the catch-up sweep did not run"
        job = scheduler.get_job("nightly")
        # after the catch-up the job is back on its cron time, more than an hour away at the earliest
        deadline = datetime.now(UTC) + timedelta(seconds=5)
        while job.next_run_time is None or job.next_run_time <= datetime.now(UTC):
            assert datetime.now(UTC) < deadline
            threading.Event().wait(0.05)
            job = scheduler.get_job("nightly")
        assert job.next_run_time.astimezone(TORONTO).strftime("%H:%M") in ("02:30", "03:30")
    finally:
        scheduler.shutdown(wait=True)
    assert len(sweep.calls) == 1

    # A restart right after: the catch-up's own report is newer than the missed time, so no second one.
    again = CountingSweep()
    scheduler, caught_up = start(schedule, again)
    scheduler.shutdown(wait=True)
    assert caught_up["nightly"] is None
    assert again.calls == []


def test_no_catch_up_when_the_last_scheduled_sweep_ran(schedule: Schedule, tmp_path: Path) -> None:
    write_report(tmp_path / "reports", datetime.now(UTC))
    sweep = CountingSweep()
    scheduler, caught_up = start(schedule, sweep)
    scheduler.shutdown(wait=True)
    assert caught_up["nightly"] is None
    assert sweep.calls == []
