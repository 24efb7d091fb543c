"""When a schedule fires: pure functions of a schedule and a moment, no scheduler and no clock read.

Cron semantics as a person reads them (one run per wall-clock time on DST nights), the next few fire
times for `schedule list`, the newest missed one for the catch-up at start, and the gaps the
overdue watchdog allows. APScheduler's trigger does the cron arithmetic.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from agent.schedules import Schedule

# Look-back windows for the newest fire time before now: the smallest that holds one is walked.
_LOOK_BACK = (timedelta(hours=2), timedelta(days=2), timedelta(days=8), timedelta(days=32), timedelta(days=400))


def _utc_after(moment: datetime) -> datetime:
    """One microsecond after ``moment`` in real time (wall-clock arithmetic breaks on DST days)."""
    return moment.astimezone(UTC) + timedelta(microseconds=1)


def _repeated_wall_time(moment: datetime) -> bool:
    """True for the second pass through the hour a fall-back night repeats."""
    return moment.fold == 1 and moment.replace(fold=0).utcoffset() != moment.utcoffset()


class WallClockCronTrigger(CronTrigger):  # type: ignore[misc]
    """CronTrigger that fires once per wall-clock time, as cron does, and reports real wall times.

    APScheduler 3.11 fires a 01:30 job twice on a fall-back night (01:30 EDT, then 01:30 EST) and
    returns the non-existent 02:30 of a spring-forward night with the old offset. The second pass is
    skipped and every fire time is normalised, so the list a person reads is the time the sweep runs.
    """

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        moment: datetime | None = super().get_next_fire_time(previous_fire_time, now)
        while moment is not None:
            moment = datetime.fromtimestamp(moment.timestamp(), self.timezone)
            if not _repeated_wall_time(moment):
                return moment
            moment = super().get_next_fire_time(moment, _utc_after(moment))
        return None


def trigger_for(schedule: Schedule, cron: str | None = None) -> WallClockCronTrigger:
    """The schedule's sweep times (or another cron of it, e.g. the digest's) in its own zone."""
    trigger: WallClockCronTrigger = WallClockCronTrigger.from_crontab(cron or schedule.cron, timezone=schedule.zone)
    return trigger


def next_fire_times(schedule: Schedule, start: datetime, n: int) -> list[datetime]:
    """The next ``n`` times the schedule fires at or after ``start``, in the schedule's zone."""
    trigger = trigger_for(schedule)
    times: list[datetime] = []
    previous: datetime | None = None
    now = start
    while len(times) < n:
        moment = trigger.get_next_fire_time(previous, now)
        if moment is None:
            break
        times.append(moment)
        previous, now = moment, _utc_after(moment)
    return times


def last_fire_time(schedule: Schedule, now: datetime) -> datetime | None:
    """The newest time the schedule fired (or should have) at or before ``now``; None within 400 days."""
    for window in _LOOK_BACK:
        times = _fire_times_between(schedule, now - window, now)
        if times:
            return times[-1]
    return None


def _fire_times_between(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    trigger = trigger_for(schedule)
    times: list[datetime] = []
    previous: datetime | None = None
    cursor = start
    end = end.astimezone(UTC)  # a comparison within one zone compares wall clocks: wrong on DST nights
    while (moment := trigger.get_next_fire_time(previous, cursor)) is not None and moment <= end:
        times.append(moment)
        previous, cursor = moment, _utc_after(moment)
    return times


def missed_run(schedule: Schedule, last_sweep_at: datetime | None, now: datetime) -> datetime | None:
    """The scheduled time to catch up at start, or None.

    Only the newest missed time is returned: three missed nights are one catch-up sweep (the inbox
    state is what it is now, one sweep handles it). With no sweep at all there is nothing to catch
    up: a fresh install waits for its first scheduled time rather than sweeping the moment the
    service starts.
    """
    if last_sweep_at is None:
        return None
    fired = last_fire_time(schedule, now)
    if fired is None or fired.astimezone(UTC) <= last_sweep_at.astimezone(UTC):
        return None
    return fired
