"""`caredove-agent schedule list`, `schedule run`, and `schedule run --now NAME` (one schedule, once)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from agent.cli.common import ConfigOpt, build_settings
from agent.logs import ScrubFilter
from agent.schedules import Schedule

SchedulesOpt = Annotated[
    Path | None, typer.Option("--schedules", help="Folder of schedule files (default: schedules_dir, ./schedules).")
]


def schedule_list(config: ConfigOpt = None, schedules: SchedulesOpt = None) -> None:
    """Each schedule, when it runs, what it sweeps, and its next 3 run times."""
    from agent.scheduler import next_fire_times
    from agent.schedules import load_schedules

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

    With --now NAME: one sweep of that schedule, then exit 0 when it went well, 1 when the agent was
    in trouble (the report says why), or the sweep's own exit code when it could not run."""
    from agent.errors import SettingsError
    from agent.logs import configure_logging
    from agent.scheduler import run_forever
    from agent.schedules import load_schedules

    if log_format not in ("text", "json"):
        raise SettingsError(f"--log-format {log_format!r} is not text or json", fix="use --log-format json or text")
    settings = build_settings(config, schedules_dir=schedules)
    secrets = [settings.password.get_secret_value()] if settings.password else []
    scrubber = configure_logging("json" if log_format == "json" else "text", log_level, secrets=secrets)
    found = load_schedules(settings.schedules_dir)
    if now is not None:
        fire_now(found, now, config=config, scrubber=scrubber)
        return
    run_forever(found, default_config=config, scrubber=scrubber)


def notify_warnings(schedule: Schedule) -> list[str]:
    from agent.notify import setup_warnings

    return setup_warnings(schedule)


def fire_now(found: list[Schedule], name: str, *, config: Path | None, scrubber: ScrubFilter | None) -> None:
    """One run of schedule ``name``; prints the report paths; exits non-zero when it was not good."""
    from agent.cli.sweep_cmd import stop_on_signals
    from agent.errors import AgentError
    from agent.scheduler import find_schedule, run_once

    schedule = find_schedule(found, name)
    with stop_on_signals() as stop:
        fired = run_once(schedule, stop=stop, default_config=config, scrubber=scrubber)
    if fired.run is not None:
        typer.echo(fired.run.report_json)
        if fired.run.report_html:
            typer.echo(fired.run.report_html)
    told = ", ".join(fired.sent) or "no message"
    if fired.error is not None:
        typer.echo(f"caredove-agent: the {name} sweep failed: {type(fired.error).__name__} ({told})", err=True)
        raise typer.Exit(fired.error.exit_code if isinstance(fired.error, AgentError) else 1)
    if fired.in_trouble:
        typer.echo(f"caredove-agent: the {name} sweep is in trouble, see the report ({told})", err=True)
        raise typer.Exit(1)
    typer.echo(f"caredove-agent: the {name} sweep went well ({told})", err=True)


def register(app: typer.Typer) -> None:
    """Adds the `schedule` group to the app."""
    group = typer.Typer(help="Run and inspect the sweep schedules (schedules/*.toml).", no_args_is_help=True)
    group.command("list")(schedule_list)
    group.command("run")(schedule_run)
    app.add_typer(group, name="schedule")
