"""``SandboxServer``: the sandbox on loopback in a daemon thread, for tests, benchmarks and the demo.

with SandboxServer(port=0, scenario="demo") as server:
    print(server.base_url)
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from types import TracebackType
from typing import Any

import uvicorn

from sandbox.app import create_app
from sandbox.state import Store


class SandboxServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: Any) -> None:
        """``options`` are reset switches for the initial data (scenario, ui, time_scale, ...)."""
        self.host = host
        self.port = port
        self.store = Store()
        self.store.reset(options)
        self.app = create_app(self.store)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox server is not running")
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> SandboxServer:
        """Bind (port 0 = a free port), serve in a daemon thread, return once it answers."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=1)  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="sandbox-server", daemon=True)  # fmt: skip
        self._thread.start()
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.base_url}/__sandbox/health", timeout=1) as answer:  # noqa: S310
                    if answer.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"the sandbox did not start on {self.host}:{self.port}")
            time.sleep(0.02)

    def stop(self, timeout: float = 5.0) -> None:
        """Ask uvicorn to finish (hanging requests are cut after a second), then join the thread."""
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        self._server = self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
