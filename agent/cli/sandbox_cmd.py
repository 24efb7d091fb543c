"""`caredove-agent sandbox`: serve our imitation of the Caredove inbox for people and demos."""

from __future__ import annotations

import threading
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Adds this module's command(s) to the app."""

    @app.command("sandbox")
    def sandbox(
        port: Annotated[int, typer.Option(help="Port to listen on (0 = any free port).")] = 8765,
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        scenario: Annotated[str, typer.Option(help="demo, rules or large.")] = "demo",
        ui: Annotated[str, typer.Option(help="older or newer (which help article the screens follow).")] = "older",
        time_scale: Annotated[
            float, typer.Option("--time-scale", help="Multiplies scripted delays (0.02: a resend takes ~1 s).")
        ] = 1.0,
        variant: Annotated[
            int | None, typer.Option(help="Serve one site of the family, drawn from this seed (sandbox/README.md).")
        ] = None,
    ) -> None:
        """Serve the sandbox Referral Inbox until Ctrl-C (test data only; never real patients)."""
        from sandbox.config import DEFAULT_PASSWORD, DEFAULT_USERNAME, ConfigError
        from sandbox.server import SandboxServer
        from sandbox.variants import describe

        try:
            drawn = {} if variant is None else {"variant": variant}
            server = SandboxServer(host=host, port=port, scenario=scenario, ui=ui, time_scale=time_scale, **drawn)
        except ConfigError as exc:
            typer.echo(f"caredove-agent: {exc}: check --scenario, --ui, --time-scale and --variant", err=True)
            raise typer.Exit(2) from None
        try:
            server.start()
        except (OSError, RuntimeError) as exc:
            typer.echo(f"caredove-agent: the sandbox could not start ({exc}): try another --port", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"Sandbox Referral Inbox: {server.base_url}/  (scenario {scenario}, ui {ui})")
        if variant is not None:
            typer.echo(describe(variant))
        typer.echo(f"Sign in as {DEFAULT_USERNAME} / {DEFAULT_PASSWORD}. Ctrl-C stops it.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            typer.echo("Stopping the sandbox.")
        finally:
            server.stop()
