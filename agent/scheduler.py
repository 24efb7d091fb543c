"""``schedule run``: the long-running process behind the nightly sweep nobody watches.

Losing a night silently is the failure that matters, so every piece leans towards running:

- one APScheduler job per schedule, ``max_instances=1`` and ``coalesce=True`` (a backlog runs once),
  with a ``misfire_grace_time`` of hours: a machine that wakes from suspend at 04:00 still sweeps;
- a catch-up at start: when the newest scheduled time before now is later than the inbox's last
  sweep (read from its reports), the job's first run is *now* — exactly one run, however many
  nights were missed, because the job then continues with its cron times;
- daylight saving: times are computed in the schedule's own zone; a time the spring-forward night
  skips (02:30 on 2026-03-08 in Toronto) runs an hour later in wall time, and a time the fall-back
  night repeats (01:30 on 2026-11-01) runs once, not twice (:class:`WallClockCronTrigger`);
- a failing sweep (any exception) is logged with its traceback, notified as a failed sweep, and the
  scheduler keeps its next runs;
- beside each sweep job: the standing-work digest at ``notify.digest`` and an hourly watchdog that
  sends a trouble message when the inbox's newest sweep is overdue (:mod:`agent.jobs`);
- ``schedule run --now NAME`` fires one schedule once, exactly as its time would (:func:`run_once`);
- SIGTERM/SIGINT set the stop event the sweep checks between referrals and shut the scheduler down
  with ``wait=True``, so systemd's stop never lands mid-click.

The fire times are pure functions in :mod:`agent.firetimes`, so the time logic is
tested with explicit datetimes instead of a clock.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from agent import notify
from agent.errors import SettingsError
from agent.firetimes import missed_run, trigger_for
from agent.jobs import Fired, ScheduledSweep, StandingDigest, SweepFn, Watchdog
from agent.logs import ScrubFilter
from agent.schedules import Schedule, settings_for
from agent.status import read_history

log = logging.getLogger(__name__)

WATCHDOG_SECONDS = 3600  # how often the watchdog looks for an overdue sweep


def last_sweep_at(report_dir: Path, base_url: str | None) -> datetime | None:
    """Start of the newest sweep of ``base_url`` with a report in ``report_dir``."""
    history = [r for r in read_history(report_dir) if base_url is None or r.base_url == base_url]
    return history[-1].started_at if history else None


def plan(
    scheduler: BaseScheduler,
    schedules: Sequence[Schedule],
    *,
    stop: threading.Event,
    now: datetime,
    default_config: Path | None = None,
    sweep: SweepFn | None = None,
    scrubber: ScrubFilter | None = None,
) -> dict[str, datetime | None]:
    """Adds one job per schedule to ``scheduler``; returns, per schedule, the missed time being caught up.

    A caught-up schedule's job gets ``next_run_time=now``: the same job, so ``max_instances=1`` also
    keeps the catch-up and the next scheduled run apart, and after it the cron times carry on.
    """
    caught_up: dict[str, datetime | None] = {}
    for schedule in schedules:
        settings = settings_for(schedule, default_config)
        missed = missed_run(schedule, last_sweep_at(settings.report_dir, settings.base_url), now)
        caught_up[schedule.name] = missed
        options: dict[str, Any] = {}
        if missed is not None:
            log.warning(
                "schedule %s: the sweep due at %s did not run; catching up now",
                schedule.name,
                missed.isoformat(),
                extra={"schedule": schedule.name},
            )
            options["next_run_time"] = now
        scheduler.add_job(
            ScheduledSweep(schedule, stop=stop, default_config=default_config, sweep=sweep, scrubber=scrubber),
            trigger=trigger_for(schedule),
            id=schedule.name,
            name=schedule.name,
            misfire_grace_time=schedule.misfire_grace_seconds,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
            **options,
        )
        if schedule.notify.digest:
            scheduler.add_job(
                StandingDigest(schedule, default_config=default_config),
                trigger=trigger_for(schedule, schedule.notify.digest),
                id=f"{schedule.name}:digest",
                name=f"{schedule.name} standing-work digest",
                misfire_grace_time=schedule.misfire_grace_seconds,
                coalesce=True,
                max_instances=1,
                replace_existing=True,
            )
        if schedule.notify.when != "never" and schedule.notify.channels:  # else nobody to tell
            scheduler.add_job(
                Watchdog(schedule, default_config=default_config),
                trigger=IntervalTrigger(seconds=WATCHDOG_SECONDS, timezone=UTC),
                id=f"{schedule.name}:watchdog",
                name=f"{schedule.name} overdue check",
                coalesce=True,
                max_instances=1,
                replace_existing=True,
            )
    return caught_up


def run_forever(
    schedules: Sequence[Schedule],
    *,
    default_config: Path | None = None,
    scrubber: ScrubFilter | None = None,
    sweep: SweepFn | None = None,
) -> None:
    """Blocks running the schedules until SIGTERM or SIGINT; then lets a running sweep end safely."""
    if not schedules:
        raise SettingsError("no schedules to run", fix="add a schedule file (see schedules/nightly.toml)")
    for warning in (w for s in schedules for w in notify.setup_warnings(s)):
        log.warning(warning)
    stop = threading.Event()
    # UTC inside the scheduler: comparing two times in one zone compares wall clocks, which is wrong
    # in the hour a fall-back night repeats; each trigger still computes in its schedule's zone.
    scheduler = BlockingScheduler(timezone=UTC)
    plan(
        scheduler,
        schedules,
        stop=stop,
        now=datetime.now(UTC),
        default_config=default_config,
        sweep=sweep,
        scrubber=scrubber,
    )

    def _stop(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            log.warning("received %s again: still waiting for the running sweep", signal.Signals(signum).name)
            return
        log.warning("received %s: finishing the current referral, then stopping", signal.Signals(signum).name)
        stop.set()
        # shutdown(wait=True) from inside the signal handler would block the main loop it interrupts;
        # a helper thread waits for the running sweep while the main thread returns to the loop.
        threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, name="shutdown", daemon=True).start()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for job in scheduler.get_jobs():
            log.info("schedule %s: next sweep %s", job.name, _job_next(job))
        scheduler.start()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("scheduler stopped")


def _job_next(job: Any) -> str:
    moment: datetime | None = getattr(job, "next_run_time", None)
    if moment is None:
        moment = job.trigger.get_next_fire_time(None, datetime.now(UTC))
    return moment.isoformat() if moment else "never"


def run_once(
    schedule: Schedule,
    *,
    stop: threading.Event,
    default_config: Path | None = None,
    scrubber: ScrubFilter | None = None,
    sweep: SweepFn | None = None,
) -> Fired:
    """Fires one schedule now, exactly as its cron time would: pings, metrics, messages (``--now``)."""
    for warning in notify.setup_warnings(schedule):
        log.warning(warning)
    job = ScheduledSweep(schedule, stop=stop, default_config=default_config, sweep=sweep, scrubber=scrubber)
    fired = job()
    return fired if fired is not None else Fired(schedule=schedule.name)


def find_schedule(schedules: Sequence[Schedule], name: str) -> Schedule:
    """The schedule called ``name``, or a SettingsError listing the names there are."""
    for schedule in schedules:
        if schedule.name == name:
            return schedule
    names = ", ".join(s.name for s in schedules) or "none"
    raise SettingsError(f"no schedule named {name!r} (schedules: {names})", fix="use a name from `schedule list`")
