"""The ``caredove-agent`` command. Each command lives in its own module and stays thin:
parse, build settings, call one function, print where the result is."""

from __future__ import annotations

import os
import sys
import traceback
from typing import Annotated

import typer

from agent import __version__
from agent.cli import classify_cmd, doctor_cmd, report_cmd, sandbox_cmd, schedule_cmd, status_cmd, survey_cmd, sweep_cmd
from agent.cli.failures import EXIT_UNEXPECTED, plain_failure, unexpected
from agent.errors import AgentError

app = typer.Typer(
    name="caredove-agent",
    help="Keeps a Caredove Referral Inbox free of integration errors.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        print(f"caredove-agent {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback when a command fails (also CAREDOVE_DEBUG=1).")
    ] = False,
) -> None:
    """Keeps a Caredove Referral Inbox free of integration errors."""


def _register() -> None:

    for module in (sweep_cmd, survey_cmd, classify_cmd, report_cmd, schedule_cmd, status_cmd, doctor_cmd, sandbox_cmd):
        module.register(app)


_register()


def main() -> None:
    """Entry point: the project's own errors, and the site's, the network's and the ledger's failures,
    become ``caredove-agent: what: fix`` and an exit code; a bug is one line too. ``--debug`` (or
    CAREDOVE_DEBUG=1) shows the traceback instead."""
    debug = "--debug" in sys.argv[1:] or os.environ.get("CAREDOVE_DEBUG") == "1"
    try:
        app()
    except AgentError as exc:
        if debug:
            traceback.print_exc()
        shown = plain_failure(exc) or exc  # a page that could not load because the site is unreachable
        print(f"caredove-agent: {shown}", file=sys.stderr)
        raise SystemExit(shown.exit_code) from None
    except Exception as exc:
        if debug:
            traceback.print_exc()
        known = plain_failure(exc)
        print(f"caredove-agent: {known if known is not None else unexpected(exc)}", file=sys.stderr)
        raise SystemExit(known.exit_code if known is not None else EXIT_UNEXPECTED) from None
