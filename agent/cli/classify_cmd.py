"""`caredove-agent classify FILE|-`: what the rules make of one response block, as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from agent.errors import AgentError
from agent.policy import Policy
from agent.rules.classify import classify

MAX_INPUT_BYTES = 4_000_000
"""Read at most this much; the reader refuses anything near it anyway."""


class UnreadableInput(AgentError):
    """The block to classify could not be read (a missing file, a folder, no permission)."""

    exit_code = 2


def register(app: typer.Typer) -> None:
    """Adds this module's command(s) to the app."""
    app.command("classify")(classify_command)


def classify_command(
    file: Annotated[str, typer.Argument(metavar="FILE|-", help="A saved response block, or - for stdin.")],
    max_resends: Annotated[
        int, typer.Option("--max-resends", min=1, max=5, help="Resends per failure (default 2).")
    ] = 2,
    two_xx_success: Annotated[
        bool, typer.Option("--2xx-success", help="Treat a 200-series code as success (the newer article).")
    ] = False,
) -> None:
    """Decide one response block as a fresh failed attempt: resend, fix or escalate, with the rule and reason."""
    block = _read_input(file)
    policy = Policy(max_resends=max_resends, treat_2xx_as_success=two_xx_success)
    typer.echo(json.dumps(classify(block, policy), indent=2, ensure_ascii=False))


def _read_input(file: str) -> str:
    if file == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES) if hasattr(sys.stdin, "buffer") else b""
        return data.decode("utf-8", errors="replace") if data else sys.stdin.read(MAX_INPUT_BYTES)
    try:
        with Path(file).open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UnreadableInput(
            f"cannot read {file} ({reason})", fix="give the path of a saved response block, or - to read stdin"
        ) from None
    return data.decode("utf-8", errors="replace")
