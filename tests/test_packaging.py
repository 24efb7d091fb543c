"""The lock files keep up with pyproject.toml: every dependency it names is pinned, with hashes, in
the lock ./dev installs from (so a dependency added without `./dev lock` fails here, not on a fresh
machine)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _pinned(lock: Path) -> set[str]:
    return {m.group(1).lower() for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", lock.read_text(), re.MULTILINE)}


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
EXTRAS = [r for extra in PROJECT["optional-dependencies"].values() for r in extra]


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("agent.txt", PROJECT["dependencies"]),
        (
            "dev.txt",
            [*PROJECT["dependencies"], *(r for extra in PROJECT["optional-dependencies"].values() for r in extra)],
        ),
    ],
)
def test_every_dependency_is_pinned_in_the_lock(lock: str, requirements: list[str]) -> None:
    path = ROOT / "requirements" / lock
    pinned = {n.replace("_", "-") for n in _pinned(path)}
    missing = sorted({_name(r) for r in requirements} - pinned)
    assert missing == [], f"not in requirements/{lock}: {', '.join(missing)} — run ./dev lock"
    assert "--hash=sha256:" in path.read_text(encoding="utf-8")


def test_the_production_lock_holds_no_test_tool_or_sandbox() -> None:
    pinned = _pinned(ROOT / "requirements" / "agent.txt")
    assert pinned.isdisjoint({"pytest", "starlette", "uvicorn", "mypy", "ruff"})
