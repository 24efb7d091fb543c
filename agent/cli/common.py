"""Options shared by several commands, and the one place settings are built from them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from agent.settings import Settings, load_settings

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="TOML settings file (default: ./caredove-agent.toml if present)."),
]
BaseUrlOpt = Annotated[str | None, typer.Option("--base-url", help="The Caredove site (CAREDOVE_BASE_URL).")]
StateOpt = Annotated[Path | None, typer.Option("--state", help="Ledger file (SQLite).")]
ReportDirOpt = Annotated[Path | None, typer.Option("--report-dir", help="Where reports are written.")]
HeadlessOpt = Annotated[
    bool | None, typer.Option("--headless/--headed", help="Run the browser without or with a window.")
]
MaxResendsOpt = Annotated[int | None, typer.Option("--max-resends", help="Resends per failure (default 2).")]
SlowMoOpt = Annotated[
    float | None, typer.Option("--slow-mo", help="Milliseconds added to every browser action, to watch it (--headed).")
]
TraceOpt = Annotated[
    Path | None,
    typer.Option("--trace", help="Write a Playwright trace here (mode 0600; it holds patient data, keep it private)."),
]
SettleOpt = Annotated[
    float | None, typer.Option("--settle", help="Seconds to wait for a resend's result (default 180).")
]


def build_settings(config: Path | None, **flags: Any) -> Settings:
    """Flags named like settings (``policy.max_resends``) override everything else."""
    return load_settings(config, **flags)
