"""Nothing outside the agent stops a command with a traceback (issue 12.4): an unreachable site, a
refused connection, a name that does not resolve, a TLS error and a locked ledger each give one
line with the fix and the exit code README documents — through the real CLI, as a real process."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.cli.failures import plain_failure, unexpected
from agent.errors import LedgerUnavailable, SiteUnreachable
from agent.ledger import SCHEMA_VERSION, Ledger

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "Planted-Pa55word"


def caredove_agent(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREDOVE_")}
    env |= {"CAREDOVE_USERNAME": "staff", "CAREDOVE_PASSWORD": PASSWORD, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "agent", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


def one_line_failure(done: subprocess.CompletedProcess[str], code: int) -> str:
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("caredove-agent: ")]
    assert len(lines) == 1, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    return lines[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def plain_tcp_server() -> Iterator[int]:
    """A server that answers TLS with plain text, as a mistyped https:// address would meet."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    server.close()


def sweep(base_url: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return caredove_agent(
        "sweep", "--base-url", base_url, "--quiet", "--report-dir", str(tmp_path / "reports"), *extra, cwd=tmp_path
    )


@pytest.mark.browser
def test_a_refused_connection_is_one_line_and_exit_8(tmp_path: Path) -> None:
    line = one_line_failure(sweep(f"http://127.0.0.1:{free_port()}", tmp_path), 8)
    assert "refused the connection" in line and "ERR_CONNECTION_REFUSED" in line and "doctor" in line


@pytest.mark.browser
def test_a_name_that_does_not_resolve_is_one_line_and_exit_8(tmp_path: Path) -> None:
    line = one_line_failure(sweep("https://caredove-agent-test.invalid", tmp_path), 8)
    assert "could not be resolved" in line and "base_url" in line


@pytest.mark.browser
def test_a_tls_error_is_one_line_and_exit_8(tmp_path: Path, plain_tcp_server: int) -> None:
    line = one_line_failure(sweep(f"https://127.0.0.1:{plain_tcp_server}", tmp_path), 8)
    assert "TLS" in line and "ERR_SSL" in line


@pytest.mark.browser
def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    done = caredove_agent("--debug", "sweep", "--base-url", f"http://127.0.0.1:{free_port()}", "--quiet", cwd=tmp_path)
    assert done.returncode == 8 and "Traceback" in done.stderr  # the same exit code, with the traceback


def test_a_ledger_locked_by_another_program_is_one_line_and_exit_9(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    Ledger(ledger).close()
    holder = sqlite3.connect(ledger, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # a sqlite3 shell or a backup tool in the middle of a write
    try:
        done = sweep("https://inbox.example", tmp_path, "--state", str(ledger))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    line = one_line_failure(done, 9)
    assert "locked by another program" in line and "run again" in line


def test_a_ledger_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    with sqlite3.connect(ledger) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(LedgerUnavailable, match="newer caredove-agent"):
        Ledger(ledger)
    with sqlite3.connect(ledger) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == []  # not migrated by an older agent
    line = one_line_failure(sweep("https://inbox.example", tmp_path, "--state", str(ledger)), 9)
    assert f"schema {SCHEMA_VERSION + 1}" in line and "upgrade caredove-agent" in line


def test_a_new_ledger_is_stamped_with_its_schema_version(tmp_path: Path) -> None:
    Ledger(tmp_path / "l.sqlite").close()
    with sqlite3.connect(tmp_path / "l.sqlite") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


class FakePlaywrightError(Exception):
    """Stands in for playwright's Error in the pure mapping test (the CLI tests use the real one)."""


FakePlaywrightError.__module__ = "playwright._impl._errors"


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("Page.goto: net::ERR_CONNECTION_REFUSED at http://x/", "refused the connection"),
        ("Page.goto: net::ERR_NAME_NOT_RESOLVED at http://x/", "could not be resolved"),
        ("Page.goto: net::ERR_CERT_AUTHORITY_INVALID at https://x/", "TLS"),
        ("Page.goto: net::ERR_SSL_PROTOCOL_ERROR at https://x/", "TLS"),
        ("Page.goto: net::ERR_CONNECTION_TIMED_OUT at https://x/", "could not be reached"),
        ("Page.goto: net::ERR_INTERNET_DISCONNECTED at https://x/", "could not be reached"),
        ("Page.goto: net::ERR_SOMETHING_NEW at https://x/", "could not be loaded"),
    ],
)
def test_each_network_failure_names_what_happened_and_the_fix(message: str, words: str) -> None:
    known = plain_failure(FakePlaywrightError(message))
    assert isinstance(known, SiteUnreachable) and known.exit_code == 8
    assert words in str(known) and known.fix


def test_a_bug_is_one_scrubbed_line_pointing_at_debug() -> None:
    assert plain_failure(ValueError("x")) is None
    line = unexpected(ValueError("bad cell 'John Smith' 1234-567-890\nsecond line"))
    assert "--debug" in line and "ValueError" in line
    assert "John Smith" not in line and "1234-567-890" not in line and "second line" not in line
