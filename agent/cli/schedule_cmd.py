"""`caredove-agent schedule list` and `caredove-agent schedule run`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from agent.cli.common import ConfigOpt, build_settings

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
        extras = [f"notify {schedule.notify.when}"]
        if schedule.dry_run:
            extras.append("dry run")
        extras += [f"{k}={v}" for k, v in schedule.policy.given().items()]
        typer.echo(f"  {'; '.join(extras)}")
        for moment in next_fire_times(schedule, now, 3):
            typer.echo(f"  next: {moment.strftime('%a %Y-%m-%d %H:%M %Z')}")


def schedule_run(
    config: ConfigOpt = None,
    schedules: SchedulesOpt = None,
    log_format: Annotated[
        str, typer.Option("--log-format", help="text, or json (one object a line) for a log collector.")
    ] = "text",
    log_level: Annotated[str, typer.Option("--log-level", help="DEBUG, INFO, WARNING or ERROR.")] = "INFO",
) -> None:
    """Run the schedules until stopped (SIGTERM/SIGINT finish the current referral first)."""
    from agent.errors import SettingsError
    from agent.logs import configure_logging
    from agent.scheduler import run_forever
    from agent.schedules import load_schedules

    if log_format not in ("text", "json"):
        raise SettingsError(f"--log-format {log_format!r} is not text or json", fix="use --log-format json or text")
    settings = build_settings(config, schedules_dir=schedules)
    secrets = [settings.password.get_secret_value()] if settings.password else []
    scrubber = configure_logging("json" if log_format == "json" else "text", log_level, secrets=secrets)
    run_forever(load_schedules(settings.schedules_dir), default_config=config, scrubber=scrubber)


def register(app: typer.Typer) -> None:
    """Adds the `schedule` group to the app."""
    group = typer.Typer(help="Run and inspect the sweep schedules (schedules/*.toml).", no_args_is_help=True)
    group.command("list")(schedule_list)
    group.command("run")(schedule_run)
    app.add_typer(group, name="schedule")
