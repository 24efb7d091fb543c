"""`caredove-agent report [SWEEP]`: re-render a stored sweep's reports and the index.

Thin on purpose: settings give the report folder, the time zone and the ``referral_url`` pattern,
:func:`agent.reports.rerender` does the work, and a ReportError reaches the CLI boundary as
``what went wrong: what to do``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from agent.cli.common import ConfigOpt, ReportDirOpt, build_settings
from agent.reports import rerender


def register(app: typer.Typer) -> None:
    """Adds this module's command(s) to the app."""

    @app.command("report")
    def report(
        sweep: Annotated[
            str | None,
            typer.Argument(help="A sweep folder name under the report folder (default: the latest sweep)."),
        ] = None,
        report_dir: ReportDirOpt = None,
        config: ConfigOpt = None,
    ) -> None:
        """Re-render a sweep's report (HTML, Markdown, CSV) and the index from its report.json."""
        settings = build_settings(config, report_dir=report_dir)
        files = rerender(settings.report_dir, sweep, zone=settings.zone, referral_url=settings.referral_url)
        typer.echo(str(files.html))
