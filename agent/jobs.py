"""The scheduler's jobs: one scheduled sweep with everything around it, the digest, the watchdog.

Each job is a callable that never raises — an exception escaping a job would only be logged by
APScheduler and lose the night's message. The effects at the edges are here (the clock, the report
folder, the network); the decisions are pure functions in :mod:`agent.notify.changes`.

A scheduled sweep, in order: the dead man's switch hears ``/start``; the schedule's settings are
built; the sweep runs under the inbox lock; then the switch hears success or ``/fail`` (a failed
sweep, or one in trouble), the metrics textfile is rewritten, and the messages go out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from agent import notify
from agent.firetimes import next_fire_times
from agent.logs import ScrubFilter
from agent.metrics import registry_for, write_metrics
from agent.models import SweepResult, SweepRun
from agent.notify.changes import Trouble, baseline, trouble
from agent.pings import Pinger
from agent.reports.history import scan
from agent.run import sweep_and_report
from agent.schedules import Schedule, settings_for
from agent.settings import Settings

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class SweepFn(Protocol):
    def __call__(self, settings: Settings, *, lock_wait: float, stop: threading.Event | None) -> SweepRun: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


class Fired(BaseModel):
    """What one run of a scheduled sweep came to (for ``schedule run --now`` and the tests)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    schedule: str
    run: SweepRun | None = None
    error: BaseException | None = None
    in_trouble: bool = False
    sent: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.run is not None and not self.in_trouble


def one_line(result: SweepResult, found: Trouble) -> str:
    """The sweep in one line for a monitor's log: counts and trouble, no referral detail."""
    counts = ", ".join(f"{k} {v}" for k, v in result.summary.items() if v) or "no referrals"
    seen = f"saw {len(result.referrals)} of {result.banner_count}" if result.banner_count is not None else ""
    head = f"TROUBLE: {'; '.join(found.reasons)}" if found else "ok"
    return f"{head} — sweep {result.sweep_id} of {result.base_url}: {', '.join(p for p in (seen, counts) if p)}"


def _inbox_history(settings: Settings) -> list[SweepResult]:
    """Every stored sweep of the inbox, oldest first — failed ones too (their ``failure`` says why):
    the night after a failure is told "OK again", and a failure is never a baseline."""

    stored = scan(settings.report_dir)
    results = [s.result for s in (*stored.sweeps, *stored.failed) if s.result.base_url == settings.base_url]
    return sorted(results, key=lambda r: r.started_at)


def _failed_since(settings: Settings, started: datetime) -> SweepResult | None:
    """The report a sweep that failed after ``started`` left behind (``failure`` set), if any."""
    try:
        mine = [h for h in _inbox_history(settings) if h.failure is not None and h.started_at >= started]
    except Exception:
        return None
    return mine[-1] if mine else None


class ScheduledSweep:
    """The job: ping, build the schedule's settings, sweep under the inbox lock, ping, metrics, notify."""

    def __init__(
        self,
        schedule: Schedule,
        *,
        stop: threading.Event,
        default_config: Path | None = None,
        sweep: SweepFn | None = None,
        scrubber: ScrubFilter | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.schedule = schedule
        self.stop = stop
        self.default_config = default_config
        self.sweep = sweep
        self.scrubber = scrubber
        self.clock = clock
        self.pinger = Pinger(schedule.ping, schedule=schedule.name)
        self.last_failed = False

    def _sweep_fn(self) -> SweepFn:
        if self.sweep is not None:
            return self.sweep

        return sweep_and_report

    def __call__(self) -> Fired | None:
        name = self.schedule.name
        if self.stop.is_set():
            log.info("schedule %s: not starting a sweep, the scheduler is stopping", name)
            return None
        started = self.clock()
        self.pinger.start(f"{name} sweep starting")
        settings: Settings | None = None
        history: list[SweepResult] = []
        try:
            settings = settings_for(self.schedule, self.default_config)
            if self.scrubber is not None and settings.password is not None:
                self.scrubber.add_secret(settings.password.get_secret_value())
            history = _inbox_history(settings)
            log.info("schedule %s: sweep of %s starting", name, settings.base_url, extra={"schedule": name})
            run = self._sweep_fn()(settings, lock_wait=self.schedule.lock_wait_seconds, stop=self.stop)
        except Exception as exc:
            log.exception("schedule %s: SWEEP FAILED: %s", name, exc, extra={"schedule": name})
            self.pinger.fail(f"TROUBLE: the {name} sweep FAILED: {type(exc).__name__}")
            self._metrics(settings, None, history, started, in_trouble=True)
            left = _failed_since(settings, started) if settings is not None else None
            sent = notify.notify_failure(self.schedule, settings=settings, error=exc, stored=left)
            self.last_failed = True
            return Fired(schedule=name, error=exc, in_trouble=True, sent=tuple(m.kind for m, _ in sent))
        found = trouble(run.result, baseline(history, run.result))
        line = one_line(run.result, found)
        in_trouble = bool(found)
        log.log(
            logging.ERROR if in_trouble else logging.INFO,
            "schedule %s: %s; report %s",
            name,
            line,
            run.report_json,
            extra={"schedule": name, "sweep_id": run.result.sweep_id},
        )
        (self.pinger.fail if in_trouble else self.pinger.success)(line)
        self._metrics(settings, run.result, history, started, in_trouble=in_trouble)
        sent = notify.notify_sweep(
            self.schedule, settings=settings, run=run, history=history, last_failed=self.last_failed
        )
        self.last_failed = False
        return Fired(schedule=name, run=run, in_trouble=in_trouble, sent=tuple(m.kind for m, _ in sent))

    def _metrics(
        self,
        settings: Settings | None,
        result: SweepResult | None,
        history: Sequence[SweepResult],
        started: datetime,
        *,
        in_trouble: bool,
    ) -> None:
        path = self.schedule.metrics_path
        if path is None:
            return
        try:
            inbox = (settings.base_url if settings else None) or ""
            registry = registry_for(
                schedule=self.schedule.name,
                inbox=inbox,
                result=result,
                history=history,
                started=started,
                ended=self.clock(),
                in_trouble=in_trouble,
            )
            write_metrics(path, registry)
        except Exception as exc:
            log.error("schedule %s: metrics file %s not written: %s", self.schedule.name, path, exc)


class StandingDigest:
    """The standing-work digest at ``notify.digest``: everything still open after the newest sweep."""

    def __init__(self, schedule: Schedule, *, default_config: Path | None = None) -> None:
        self.schedule = schedule
        self.default_config = default_config

    def __call__(self) -> list[str]:
        try:
            settings = settings_for(self.schedule, self.default_config)
            mode = [h for h in _inbox_history(settings) if h.dry_run == settings.dry_run]
            if not mode:
                log.info("schedule %s: no sweep yet, no standing-work digest", self.schedule.name)
                return []
            newest = max(mode, key=lambda h: h.started_at)
            ctx = notify.context_for(self.schedule, settings, None, stored=newest)
            messages = notify.digest_messages(self.schedule, ctx, newest)
            for message in messages:
                notify.deliver(self.schedule, message)
            return [m.kind for m in messages]
        except Exception:
            log.exception("schedule %s: the standing-work digest could not be sent", self.schedule.name)
            return []


def overdue_after(schedule: Schedule, settings: Settings, now: datetime) -> float:
    """Hours without a finished sweep before the watchdog speaks: ``overdue_hours``, or longer for a
    schedule whose sweeps are further apart (a weekly one is not overdue on its second day)."""

    times = [t.astimezone(UTC) for t in next_fire_times(schedule, now, 8)]
    gaps = [(b - a).total_seconds() / 3600 for a, b in pairwise(times)]
    return max([settings.overdue_hours, *(g + 2 for g in gaps)])


class Watchdog:
    """Hourly: a trouble message when the inbox's newest sweep is older than ``overdue_hours``.

    Once per overdue spell (per newest sweep), not every hour; the next sweep that finishes ends it.
    """

    def __init__(self, schedule: Schedule, *, default_config: Path | None = None, clock: Clock = utc_now) -> None:
        self.schedule = schedule
        self.default_config = default_config
        self.clock = clock
        self.warned_for: str | None = None
        self.warned = False

    def __call__(self) -> list[str]:
        try:
            settings = settings_for(self.schedule, self.default_config)
            history = _inbox_history(settings)
            ctx = notify.context_for(self.schedule, settings, None)
            now = self.clock()
            messages = notify.overdue_messages(
                self.schedule, ctx, history, now=now, overdue_hours=overdue_after(self.schedule, settings, now)
            )
            newest = max(history, key=lambda h: h.finished_at).sweep_id if history else None
            if not messages or (self.warned and self.warned_for == newest):
                return []
            self.warned, self.warned_for = True, newest
            log.error("schedule %s: %s", self.schedule.name, messages[0].subject)
            for message in messages:
                notify.deliver(self.schedule, message)
            return [m.kind for m in messages]
        except Exception:
            log.exception("schedule %s: the overdue check failed", self.schedule.name)
            return []
