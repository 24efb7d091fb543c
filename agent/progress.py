"""Telling the person at the terminal how far the sweep is: a live bar on a terminal, plain lines elsewhere.

Only reference numbers and outcomes are shown: never a name, never a response text.
"""

from __future__ import annotations

import sys
from typing import Protocol, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class Reporter(Protocol):
    def phase(self, name: str, total: int | None = None) -> None: ...
    def step(self, reference: str, what: str) -> None: ...
    def note(self, message: str) -> None: ...
    def close(self) -> None: ...


class Silent:
    def phase(self, name: str, total: int | None = None) -> None:
        pass

    def step(self, reference: str, what: str) -> None:
        pass

    def note(self, message: str) -> None:
        pass

    def close(self) -> None:
        pass


class Lines:
    """One line per event, for logs and pipes."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def phase(self, name: str, total: int | None = None) -> None:
        self._say(f"== {name}" + (f" ({total})" if total is not None else ""))

    def step(self, reference: str, what: str) -> None:
        self._say(f"{reference}: {what}")

    def note(self, message: str) -> None:
        self._say(message)

    def close(self) -> None:
        pass

    def _say(self, line: str) -> None:
        print(line, file=self.stream, flush=True)


class Bar:
    """A rich progress bar per phase, for a person watching a terminal."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[last]}"),
            console=console,
            transient=False,
        )
        self.progress.start()
        self.task: TaskID | None = None

    def phase(self, name: str, total: int | None = None) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[-1].total or 0)
        self.task = self.progress.add_task(name, total=total, last="")

    def step(self, reference: str, what: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, advance=1, last=f"{reference}: {what}")

    def note(self, message: str) -> None:
        self.progress.console.print(message)

    def close(self) -> None:
        self.progress.stop()


def reporter(enabled: bool, stream: TextIO = sys.stderr) -> Reporter:
    if not enabled:
        return Silent()
    if stream.isatty():
        return Bar(Console(file=stream))
    return Lines(stream)
