"""`caredove-agent sandbox`: serve our imitation of the Caredove inbox for people and demos."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds this module's command(s) to the app."""
