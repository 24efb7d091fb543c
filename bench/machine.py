"""The machine and versions a result was measured on, and the memory of a process tree (read from /proc)."""

from __future__ import annotations

import contextlib
import os
import platform
import threading
from importlib import metadata
from pathlib import Path
from types import TracebackType

PAGE = os.sysconf("SC_PAGE_SIZE")


def _first(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip() if ":" in line else line.split("=", 1)[1].strip().strip('"')
    except OSError:
        return None
    return None


def describe(chromium: str, browser_source: str) -> dict[str, str]:
    mem_kb = _first("/proc/meminfo", "MemTotal") or "0 kB"
    return {
        "CPU": _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "cores": str(os.cpu_count() or "?"),
        "RAM": f"{int(mem_kb.split()[0]) / 1024 / 1024:.1f} GiB",
        "OS": f"{_first('/etc/os-release', 'PRETTY_NAME=') or platform.system()} (kernel {platform.release()})",
        "Python": platform.python_version(),
        "Playwright": metadata.version("playwright"),
        "Chromium": f"{chromium} ({browser_source})",
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss(root: int, exclude: frozenset[int] = frozenset()) -> int:
    """Bytes resident in ``root`` and all its descendants (shared pages counted once per process)."""
    tree = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in exclude:
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):  # a process that just ended
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        todo.extend(tree.get(pid, []))
    return total


class PeakMemory:
    """Samples a process tree's resident memory every ``every`` seconds; ``peak`` in bytes."""

    def __init__(self, root: int, every: float = 0.2) -> None:
        self.root = root
        self.every = every
        self.peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="peak-memory", daemon=True)

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, tree_rss(self.root))
            if self._done.wait(self.every):
                return

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._done.set()
        self._thread.join()
