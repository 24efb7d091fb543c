"""Real receivers on loopback for the notification tests: an SMTP server (aiosmtpd) and an HTTP server
that records every POST (webhooks and pings alike) and can answer with a status or a redirect."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    """aiosmtpd handler: keeps every message it is handed, parsed and raw."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.raw.append(envelope.content)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    @property
    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


@contextmanager
def smtp_server(**options: Any) -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


@dataclass
class Post:
    path: str
    content_type: str
    body: bytes


@dataclass
class HttpReceiver:
    """Every POST it got; ``answers`` maps a path to (status, Location) for scripted replies."""

    url: str
    posts: list[Post] = field(default_factory=list)
    answers: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    hang: threading.Event | None = None

    def paths(self) -> list[str]:
        return [p.path for p in self.posts]


def _handler(receiver: HttpReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.posts.append(Post(self.path, self.headers.get("Content-Type", ""), body))
            if receiver.hang is not None:
                receiver.hang.wait(30)
            status, location = receiver.answers.get(self.path, (200, None))
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        if receiver.hang is not None:
            receiver.hang.set()
        server.shutdown()
        server.server_close()
