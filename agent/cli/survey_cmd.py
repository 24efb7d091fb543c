"""`caredove-agent survey`: a strictly read-only walk of the site that says what fits the settings."""

from __future__ import annotations

from typing import Annotated

import typer

from agent.cli.common import BaseUrlOpt, ConfigOpt, HeadlessOpt, ReportDirOpt, SlowMoOpt, TraceOpt, build_settings
from agent.survey import run_survey

PagesOpt = Annotated[int | None, typer.Option("--pages", min=1, help="Walk only the first N pages of the list.")]
ReferenceOpt = Annotated[
    str | None, typer.Option("--reference", help="Open this referral's window (default: the first listed).")
]


def survey(
    config: ConfigOpt = None,
    base_url: BaseUrlOpt = None,
    report_dir: ReportDirOpt = None,
    pages: PagesOpt = None,
    reference: ReferenceOpt = None,
    headless: HeadlessOpt = None,
    slow_mo: SlowMoOpt = None,
    trace: TraceOpt = None,
) -> None:
    """Check every label and structure the procedure needs against the site, read-only; print the report's paths.

    Nothing can be written (the browser refuses every request but the sign-in). The report names what
    was not found, the candidates on that screen and a TOML labels block to paste; it holds no patient data.
    """
    if reference is not None and not (reference.isdigit() and len(reference) == 10):
        raise typer.BadParameter("--reference takes a 10-digit reference number")
    settings = build_settings(
        config, base_url=base_url, report_dir=report_dir, headless=headless, slow_mo=slow_mo, trace=trace
    )
    run = run_survey(settings, pages=pages, reference=reference)
    misses = run.result.misses
    typer.echo(f"survey: {len(misses)} of {len(run.result.findings)} checks not found", err=True)
    if run.result.stopped:
        typer.echo(f"survey stopped: {run.result.stopped}", err=True)
    typer.echo(str(run.json_path))
    typer.echo(str(run.html_path))
    if run.result.stopped:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Adds `survey` to the app."""
    app.command("survey")(survey)
