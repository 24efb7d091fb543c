"""A dead man's switch: tell an outside monitor that a scheduled sweep started, ended well, or failed.

A machine that is off all night sends no e-mail; only something outside it can notice a night with
no sweep. Cron monitors (healthchecks.io, Cronitor, Uptime Kuma's push monitors, self-hosted
healthchecks) share one convention, followed here: ``<url>/start`` when the run starts, ``<url>``
when it succeeds, ``<url>/fail`` when it fails; the body is a one-line summary. A monitor that hears
``/start`` and nothing after it within its grace time alerts too (a hung or killed sweep).

Every ping is bounded (its own timeout, run in a helper thread joined with a deadline) and never
raises: a monitor that is down must not cost the clinic its sweep.
"""

from __future__ import annotations

import logging
import threading
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from agent.notify.channels import post, shorten_url
from agent.schedules import Ping

log = logging.getLogger(__name__)

Event = Literal["start", "success", "fail"]
SUFFIX: dict[Event, str] = {"start": "/start", "success": "", "fail": "/fail"}
MAX_BODY = 10_000


def ping_url(base: str, event: Event) -> str:
    """``base`` with the event's path suffix; a query string (``?rid=…``) stays at the end."""
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + SUFFIX[event]))


class Pinger:
    """The pings of one schedule; a schedule without ``[ping]`` makes every call a no-op."""

    def __init__(self, ping: Ping | None, *, schedule: str) -> None:
        self.ping = ping
        self.schedule = schedule

    def start(self, summary: str) -> bool:
        return self.send("start", summary)

    def success(self, summary: str) -> bool:
        return self.send("success", summary)

    def fail(self, summary: str) -> bool:
        return self.send("fail", summary)

    def send(self, event: Event, summary: str) -> bool:
        """True when the monitor took the ping; False (logged) when it did not or took too long."""
        if self.ping is None:
            return False
        ping = self.ping
        url = ping_url(ping.url, event)
        body = summary.replace("\n", " ")[:MAX_BODY].encode("utf-8")
        outcome: list[BaseException | None] = []

        def call() -> None:
            try:
                post(url, body, content_type="text/plain; charset=utf-8", timeout=ping.timeout_seconds,
                     allow_http=ping.allow_http)  # fmt: skip
            except Exception as exc:
                outcome.append(exc)
            else:
                outcome.append(None)

        worker = threading.Thread(target=call, name=f"ping-{event}", daemon=True)
        worker.start()
        worker.join(ping.timeout_seconds + 2)
        problem = outcome[0] if outcome else TimeoutError(f"no answer within {ping.timeout_seconds:g} s")
        if problem is not None:
            log.warning(
                "schedule %s: %s ping to %s not delivered: %s: %s",
                self.schedule,
                event,
                shorten_url(url),
                type(problem).__name__,
                problem,
            )
            return False
        log.info("schedule %s: %s ping delivered", self.schedule, event)
        return True
