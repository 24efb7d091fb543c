"""`caredove-agent doctor`: checks the browser, settings, folders, the site, sign-in and the inbox (the survey's
checks: `caredove-agent survey` does the rest); exit 1 on any FAIL."""

from __future__ import annotations

import typer

from agent.cli.common import BaseUrlOpt, ConfigOpt, ReportDirOpt, StateOpt, build_settings
from agent.doctor import Check, run_checks
from agent.errors import SettingsError


def doctor(
    config: ConfigOpt = None,
    base_url: BaseUrlOpt = None,
    state: StateOpt = None,
    report_dir: ReportDirOpt = None,
) -> None:
    """One line per check (OK, FAIL with the fix, or SKIP), in the order to fix them."""
    try:
        settings = build_settings(config, base_url=base_url, state=state, report_dir=report_dir)
    except SettingsError as exc:
        typer.echo(Check(name="settings", ok=False, detail=exc.message, fix=exc.fix).line())
        raise typer.Exit(1) from None
    checks = run_checks(settings)
    for check in checks:
        typer.echo(check.line())
    if any(c.ok is False for c in checks):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Adds `doctor` to the app."""
    app.command("doctor")(doctor)
