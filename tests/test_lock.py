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


DEFAULT_HOLDER = """
import sys
from agent.lock import sweep_lock
from agent.settings import load_settings

settings = load_settings(None, base_url=sys.argv[1])  # no state given: the inbox's own ledger
with sweep_lock(settings):
    print(settings.state, flush=True)
    sys.stdin.readline()
"""


def test_a_manual_sweep_from_another_folder_is_refused_beside_the_running_one_and_shares_its_ledger(
    tmp_path: Path,
) -> None:
    """Two real processes, two working folders, no `state` set: one lock, one ledger (issue 12.2)."""
    repo = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREDOVE_")} | {"PYTHONPATH": str(repo)}
    nightly_folder, manual_folder = tmp_path / "nightly", tmp_path / "manual"
    nightly_folder.mkdir()
    manual_folder.mkdir()
    nightly = subprocess.Popen(
        [sys.executable, "-c", DEFAULT_HOLDER, BASE_URL],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=nightly_folder,
    )  # fmt: skip
    try:
        ledger = Path(read_line(nightly))
        manual = subprocess.run(
            [sys.executable, "-m", "agent", "sweep", "--base-url", BASE_URL, "--quiet"],
            cwd=manual_folder, env=env | {"CAREDOVE_USERNAME": "staff", "CAREDOVE_PASSWORD": "not-used-Pa55"},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert manual.returncode == 5, manual.stderr
        assert f"another sweep of {BASE_URL}" in manual.stderr and f"pid {nightly.pid}" in manual.stderr
        assert "Traceback" not in manual.stderr
        ask = f"from agent.settings import load_settings; print(load_settings(None, base_url={BASE_URL!r}).state)"
        shared = subprocess.run(
            [sys.executable, "-c", ask],
            cwd=manual_folder, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert Path(shared.stdout.strip()) == ledger
        assert ledger.is_absolute() and not ledger.is_relative_to(nightly_folder)
        assert not list(manual_folder.rglob("*.sqlite")) and not list(manual_folder.rglob("*.lock"))
    finally:
        nightly.kill()
        nightly.wait()
