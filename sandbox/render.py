"""Templates and the small view-models they are fed (dates, labels that depend on the UI switch)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from sandbox.config import Config

TEMPLATES = Path(__file__).parent / "templates"

ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

ERROR_TITLE = "An API message has FAILED (This error message must be manually cleared)."


def labels(config: Config) -> dict[str, str]:
    """What differs between the older and the newer help article."""
    if config.ui == "newer":
        return {
            "filter_link": "View referrals with integration errors",
            "clear_button": "Clear Errors",
            "clear_position": "top",
        }
    return {
        "filter_link": "View Referrals with integration errors",
        "clear_button": "Close and clear error",
        "clear_position": "bottom",
    }


def when(moment: datetime, config: Config) -> dict[str, str]:
    """``iso`` for the ``<time datetime>`` attribute, ``text`` as the page shows it (date_style)."""
    local = moment.astimezone(ZoneInfo(config.timezone))
    if config.date_style == "long":
        hour = local.strftime("%I").lstrip("0")
        text = f"{local.strftime('%B')} {local.day}, {local.year} at {hour}:{local.strftime('%M:%S %p')}"
    else:
        text = local.strftime("%Y-%m-%d %H:%M:%S")
    return {"iso": local.isoformat(timespec="milliseconds"), "text": text}


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    config: Config = request.app.state.store.config
    body = ENV.get_template(name).render(config=config, labels=labels(config), path=request.url.path,
                                         error_title=ERROR_TITLE, **context)  # fmt: skip
    return HTMLResponse(body, status_code=status_code)
