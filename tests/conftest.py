"""Shared fixtures: a real sandbox server on loopback, a real Chromium, settings pointing at both."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.browser import find_browser, launch_options
from agent.settings import Settings, load_settings
from sandbox.control import SandboxControl
from sandbox.server import SandboxServer
from tests.family import pytest_addoption, pytest_generate_tests, pytest_terminal_summary

__all__ = ["pytest_addoption", "pytest_generate_tests", "pytest_terminal_summary"]  # the family test's --variants

SANDBOX_USER = "staff@clinic.example"
SANDBOX_PASSWORD = "sandbox-password"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first (``slow``, then the family's whole sweeps), so that on xdist the
    suite does not end waiting for one worker's 100-second test; otherwise the order is kept. Every
    worker sorts the same collection the same way, as xdist requires."""

    def weight(item: pytest.Item) -> int:
        if item.get_closest_marker("slow"):
            return 0
        return 1 if any(name.endswith("variant") for name in getattr(item, "fixturenames", ())) else 2

    items.sort(key=weight)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """pytest-playwright launches the same browser, with the same flags, as the agent."""
    return launch_options(find_browser(None), headless=True)


@pytest.fixture(autouse=True)
def _private_state_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default ledger lives in the per-user state folder (agent/places.py): a test's is its own."""
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("xdg-state")))


@pytest.fixture(autouse=True)
def _umask_restored() -> Iterator[None]:
    """A sweep sets the process umask (agent/places.py); the next test starts from the usual one."""
    previous = os.umask(0o022)
    os.umask(previous)
    yield
    os.umask(previous)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> SandboxControl:
    """The sandbox, reset to the `rules` scenario with test-speed delays; tests reset it again as needed."""
    control = SandboxControl(sandbox_server.base_url)
    control.reset(scenario="rules", ui="older", time_scale=0.01)
    return control


@pytest.fixture
def settings(sandbox: SandboxControl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Agent settings for a sweep of the sandbox: fast timeouts, a fresh ledger and report folder."""
    monkeypatch.delenv("CAREDOVE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAREDOVE_USERNAME", SANDBOX_USER)
    monkeypatch.setenv("CAREDOVE_PASSWORD", SANDBOX_PASSWORD)
    return load_settings(
        None,
        base_url=sandbox.base_url,
        state=tmp_path / "state" / "ledger.sqlite",
        report_dir=tmp_path / "reports",
        timeout_seconds=3.0,
        navigation_timeout_seconds=10.0,
        **{"policy.settle_seconds": 1.5, "policy.poll_seconds": 0.2},
    )
