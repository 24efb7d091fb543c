"""`caredove-agent status`: the last sweep and whether it is overdue; exit 1 when it is (for monitors)."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from agent.cli.common import BaseUrlOpt, ConfigOpt, ReportDirOpt, build_settings
from agent.status import sweep_status


def status(config: ConfigOpt = None, base_url: BaseUrlOpt = None, report_dir: ReportDirOpt = None) -> None:
    """The last sweep's time, outcome counts and report; exit 1 when overdue or when no sweep has run."""

    settings = build_settings(config, base_url=base_url, report_dir=report_dir)
    state = sweep_status(settings, datetime.now(UTC))
    for line in state.lines(settings.site_timezone):
        typer.echo(line)
    if state.overdue:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Adds `status` to the app."""
    app.command("status")(status)
