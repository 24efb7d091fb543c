"""Templates and the small view-models they are fed (dates, labels that depend on the UI switch)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from sandbox.auth import COOKIE
from sandbox.config import Config
from sandbox.salt import salted

TEMPLATES = Path(__file__).parent / "templates"

ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

PING_MS = 300  # how often a page checks its session (`expiry=script|modal`)
ERROR_TITLE = "An API message has FAILED (This error message must be manually cleared)."


def labels(config: Config) -> dict[str, str]:
    """What differs between the older and the newer help article, and the ``relabel`` words."""
    if config.ui == "newer":
        words = {
            "filter_link": "View referrals with integration errors",
            "clear_button": "Clear Errors",
            "clear_position": "top",
        }
    else:
        words = {
            "filter_link": "View Referrals with integration errors",
            "clear_button": "Close and clear error",
            "clear_position": "bottom",
        }
    words |= RELABELLED if config.relabel else PLAIN
    return words


PLAIN = {
    "col_reference": "Reference #", "col_registrant": "Registrant", "col_service": "Service",
    "col_submitted": "Submitted", "col_status": "Status", "col_workflow": "Workflow", "resend": "Resend",
    "col_date": "Date", "col_trigger": "Trigger", "col_destination": "Destination", "col_response": "Response",
    "view": "view",
}  # fmt: skip
RELABELLED = {
    "col_reference": "Ref. no.", "col_registrant": "Client", "col_service": "Program",
    "col_submitted": "Received on", "col_status": "State", "col_workflow": "Workflow", "resend": "Resubmit",
    "clear_button": "Dismiss error", "col_date": "Sent", "col_trigger": "Event", "col_destination": "System",
    "col_response": "Reply", "view": "open",
}  # fmt: skip
"""``relabel=true``: the same screens in other words (a site that names things its own way)."""


def when(moment: datetime, config: Config) -> dict[str, str]:
    """``iso`` for the ``<time datetime>`` attribute, ``text`` as the page shows it (date_style)."""
    local = moment.astimezone(ZoneInfo(config.timezone))
    hour12 = local.strftime("%I").lstrip("0")
    text = {
        "long": f"{local:%B} {local.day}, {local.year} at {hour12}:{local:%M:%S %p}",
        "us": f"{local:%B} {local.day}, {local.year} {hour12}:{local:%M %p}",
        "eu": f"{local.day} {local:%b %Y %H:%M}",
        "eu_seconds": f"{local.day} {local:%b %Y %H:%M:%S}",
        "iso_t": local.isoformat(timespec="seconds"),
    }.get(config.date_style, f"{local:%Y-%m-%d %H:%M:%S}")
    return {"iso": local.isoformat(timespec="milliseconds"), "text": text, "tag": "1" if config.time_element else ""}


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A full page: the template, plus what every page's chrome and script need of the switches."""
    store = request.app.state.store
    config: Config = store.config
    session = store.sessions.get(request.cookies.get(COOKIE, ""))
    site = {
        "expiry": config.expiry, "toasts": config.toasts, "clear_confirm": config.clear_confirm,
        "window_load": config.window_load, "signed_in": session is not None, "ping_ms": PING_MS,
    }  # fmt: skip
    extra = {
        "site": site,
        "csrf_token": session.csrf if session is not None and config.csrf else "",
        "announce": session is not None and config.announcement and not session.announced,
    }
    body = ENV.get_template(name).render(config=config, labels=labels(config), path=request.url.path,
                                         error_title=ERROR_TITLE, **(extra | context))  # fmt: skip
    return HTMLResponse(salted(body, store.salt), status_code=status_code)
