"""The ``caredove-agent`` command. Each command lives in its own module and stays thin:
parse, build settings, call one function, print where the result is."""

from __future__ import annotations

import sys

import typer

from agent.errors import AgentError

app = typer.Typer(
    name="caredove-agent",
    help="Keeps a Caredove Referral Inbox free of integration errors.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from agent.cli import (
        classify_cmd,
        doctor_cmd,
        report_cmd,
        sandbox_cmd,
        schedule_cmd,
        status_cmd,
        sweep_cmd,
    )

    for module in (sweep_cmd, classify_cmd, report_cmd, schedule_cmd, status_cmd, doctor_cmd, sandbox_cmd):
        module.register(app)


_register()


def main() -> None:
    """Entry point: the project's own errors become ``caredove-agent: what: fix`` and an exit code."""
    try:
        app()
    except AgentError as exc:
        print(f"caredove-agent: {exc}", file=sys.stderr)
        raise SystemExit(exc.exit_code) from None
