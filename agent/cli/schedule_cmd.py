"""`caredove-agent schedule list`, `schedule run`, `schedule run --now NAME` (one schedule, once) and
`schedule digest NAME` (its standing-work digest, now)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from agent.cli.common import ConfigOpt, build_settings
from agent.cli.running import print_run, stop_on_signals
from agent.errors import AgentError, SettingsError
from agent.firetimes import next_fire_times
from agent.jobs import StandingDigest
from agent.logs import ScrubFilter, configure_logging
from agent.notify import setup_warnings
from agent.scheduler import find_schedule, run_forever, run_once
from agent.schedules import Schedule, load_schedules

SchedulesOpt = Annotated[
    Path | None, typer.Option("--schedules", help="Folder of schedule files (default: schedules_dir, ./schedules).")
]


def schedule_list(config: ConfigOpt = None, schedules: SchedulesOpt = None) -> None:
    """Each schedule, when it runs, what it sweeps, and its next 3 run times."""

    settings = build_settings(config, schedules_dir=schedules)
    found = load_schedules(settings.schedules_dir)
    if not found:
        typer.echo(f"No schedules in {settings.schedules_dir}.")
        return
    now = datetime.now(UTC)
    for schedule in found:
        profile = schedule.profile or config or "the default settings"
        typer.echo(f"{schedule.name}  ({schedule.source})")
        typer.echo(f"  cron {schedule.cron!r} in {schedule.timezone}; sweeps with {profile}")
        extras = [f"notify {schedule.notify.when} by {', '.join(schedule.notify.channels) or 'no channel'}"]
        if schedule.notify.digest:
            extras.append(f"digest {schedule.notify.digest!r}")
        if schedule.ping:
            extras.append("ping on")
        if schedule.metrics_path:
            extras.append(f"metrics {schedule.metrics_path}")
        if schedule.dry_run:
            extras.append("dry run")
        extras += [f"{k}={v}" for k, v in schedule.policy.given().items()]
        typer.echo(f"  {'; '.join(extras)}")
        for moment in next_fire_times(schedule, now, 3):
            typer.echo(f"  next: {moment.strftime('%a %Y-%m-%d %H:%M %Z')}")
        for warning in notify_warnings(schedule):
            typer.echo(f"  warning: {warning}")


def schedule_run(
    config: ConfigOpt = None,
    schedules: SchedulesOpt = None,
    log_format: Annotated[
        str, typer.Option("--log-format", help="text, or json (one object a line) for a log collector.")
    ] = "text",
    log_level: Annotated[str, typer.Option("--log-level", help="DEBUG, INFO, WARNING or ERROR.")] = "INFO",
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            metavar="NAME",
            help="Fire schedule NAME once, now, with all its settings (pings, metrics, messages), then exit.",
        ),
    ] = None,
) -> None:
    """Run the schedules until stopped (SIGTERM/SIGINT finish the current referral first).

    With --now NAME: one sweep of that schedule, then exit with the codes of `sweep` (0 when it ran;
    the sweep's own code when it could not run or saw fewer referrals than the site says)."""

    found, scrubber = _start(config, schedules, log_format, log_level)
    if now is not None:
        fire_now(found, now, config=config, scrubber=scrubber)
        return
    run_forever(found, default_config=config, scrubber=scrubber)


def refuse_sweep_flags(name: str, flags: dict[str, object]) -> None:
    """`sweep --schedule NAME` takes every setting from the schedule: a flag beside it (``--dry-run``!)
    would be silently ignored and the sweep would click for real, so it is refused instead."""

    given = [flag for flag, value in flags.items() if value is not None]
    if given:
        raise SettingsError(
            f"--schedule {name} takes its settings from the schedule file, not {', '.join(given)}",
            fix="set them in the schedule file (e.g. dry_run = true), or run `sweep` without --schedule",
        )


def fire_named(config: Path | None, name: str, *, log_format: str, log_level: str) -> None:
    """`sweep --schedule NAME`: the same as `schedule run --now NAME`."""
    found, scrubber = _start(config, None, log_format, log_level)
    fire_now(found, name, config=config, scrubber=scrubber)


def _start(
    config: Path | None, schedules: Path | None, log_format: str, log_level: str
) -> tuple[list[Schedule], ScrubFilter]:
    """Settings, scrubbed logging and the schedule files, as every schedule command starts."""

    if log_format not in ("text", "json"):
        raise SettingsError(f"--log-format {log_format!r} is not text or json", fix="use --log-format json or text")
    settings = build_settings(config, schedules_dir=schedules)
    secrets = [settings.password.get_secret_value()] if settings.password else []
    scrubber = configure_logging("json" if log_format == "json" else "text", log_level.upper(), secrets=secrets)
    return load_schedules(settings.schedules_dir), scrubber


def notify_warnings(schedule: Schedule) -> list[str]:

    return setup_warnings(schedule)


def fire_now(found: list[Schedule], name: str, *, config: Path | None, scrubber: ScrubFilter | None) -> None:
    """One run of schedule ``name``; prints the report paths like `sweep`, and exits like it."""

    schedule = find_schedule(found, name)
    with stop_on_signals() as stop:
        fired = run_once(schedule, stop=stop, default_config=config, scrubber=scrubber)
    told = ", ".join(fired.sent) or "no message"
    if fired.error is not None:
        why = str(fired.error) if isinstance(fired.error, AgentError) else type(fired.error).__name__
        typer.echo(f"caredove-agent: the {name} sweep failed: {why} ({told})", err=True)
        raise typer.Exit(fired.error.exit_code if isinstance(fired.error, AgentError) else 1)
    if fired.run is None:
        typer.echo(f"caredove-agent: the {name} sweep did not start (stopping)", err=True)
        raise typer.Exit(1)
    state = "is in trouble, see the report" if fired.in_trouble else "went well"
    typer.echo(f"caredove-agent: the {name} sweep {state} ({told})", err=True)
    print_run(fired.run)


def schedule_digest(
    name: Annotated[str, typer.Argument(help="The schedule whose standing-work digest to send now.")],
    config: ConfigOpt = None,
    schedules: SchedulesOpt = None,
) -> None:
    """Send schedule NAME's standing-work digest now (everything open after its inbox's newest sweep)."""

    found, _ = _start(config, schedules, "text", "INFO")
    schedule = find_schedule(found, name)
    for warning in notify_warnings(schedule):
        typer.echo(f"warning: {warning}", err=True)
    sent = StandingDigest(schedule, default_config=config)()
    typer.echo(f"standing-work digest of {name}: {'sent' if sent else 'nothing open, or no sweep yet: nothing sent'}")


def register(app: typer.Typer) -> None:
    """Adds the `schedule` group to the app."""
    group = typer.Typer(help="Run and inspect the sweep schedules (schedules/*.toml).", no_args_is_help=True)
    group.command("list")(schedule_list)
    group.command("run")(schedule_run)
    group.command("digest")(schedule_digest)
    app.add_typer(group, name="schedule")
