"""One sweep per inbox across processes: a second one is refused (or waits), a killed holder frees it."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.errors import SweepLocked
from agent.lock import lock_paths, read_holder, sweep_lock
from agent.settings import Settings

BASE_URL = "https://inbox.example"

HOLDER = """
import sys
from collections.abc import Iterator
from pathlib import Path
from agent.lock import sweep_lock
from agent.settings import Settings

settings = Settings(base_url=sys.argv[1], state=Path(sys.argv[2]))
with sweep_lock(settings):
    print("locked", flush=True)
    sys.stdin.readline()  # hold the lock until told (or killed)
print("released", flush=True)
"""


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("CAREDOVE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return Settings(base_url=BASE_URL, state=tmp_path / "state" / "ledger.sqlite")


def read_line(process: subprocess.Popen[str], timeout: float = 20.0) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            process.kill()
            pytest.fail("the lock-holding process did not answer")
    return process.stdout.readline().strip()


@pytest.fixture
def holder(settings: Settings) -> Iterator[subprocess.Popen[str]]:
    """A real second process holding the inbox's lock."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREDOVE_")}
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, BASE_URL, str(settings.state)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert read_line(process) == "locked"
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_a_second_concurrent_sweep_is_refused_naming_the_holder(
    settings: Settings, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(SweepLocked) as caught, sweep_lock(settings):
        pytest.fail("got the lock another process holds")
    message = str(caught.value)
    assert f"another sweep of {BASE_URL} has been running since" in message
    assert f"(pid {holder.pid})" in message
    assert "wait for it or stop it" in message


def test_waiting_briefly_is_still_refused(settings: Settings, holder: subprocess.Popen[str]) -> None:
    with pytest.raises(SweepLocked, match=r"waited 0.3 s"), sweep_lock(settings, wait=0.3):
        pytest.fail("got the lock another process holds")


def test_another_inbox_is_not_blocked(settings: Settings, holder: subprocess.Popen[str]) -> None:
    other = settings.model_copy(update={"base_url": "https://other-inbox.example"})
    with sweep_lock(other) as me:
        assert me.pid == os.getpid()


def test_a_waiting_sweep_gets_the_lock_when_the_holder_finishes(
    settings: Settings, holder: subprocess.Popen[str]
) -> None:
    assert holder.stdin is not None
    holder.stdin.write("done\n")
    holder.stdin.flush()
    with sweep_lock(settings, wait=20) as me:
        assert me.pid == os.getpid()
    assert read_line(holder) == "released"


def test_the_lock_is_released_when_the_holder_is_killed(settings: Settings, holder: subprocess.Popen[str]) -> None:
    _, side_file = lock_paths(settings)
    assert read_holder(side_file) is not None  # the killed process leaves its side file behind
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    with sweep_lock(settings) as me:
        assert me.pid == os.getpid()
        assert read_holder(side_file) == me  # the stale note is replaced by ours
    assert read_holder(side_file) is None


def test_one_process_takes_the_lock_again_after_releasing_it(settings: Settings) -> None:
    with sweep_lock(settings):
        pass
    with sweep_lock(settings) as me:
        assert me.base_url == BASE_URL
