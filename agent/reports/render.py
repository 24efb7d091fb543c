"""Jinja2 rendering of the HTML pages: one environment, autoescape on, undefined names fail loudly.

Autoescaping is on for every template because partner replies come from outside and may hold
markup; StrictUndefined turns a typo in a template into an error in the tests instead of an empty
cell in a report nobody checks.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from agent.reports.format import DEFAULT_ZONE, fmt_time
from agent.reports.history import IndexView
from agent.reports.view import SUPPORT_CHANNEL, SUPPORT_HOURS
from agent.reports.viewmodel import ReportView

COPY_JS = "_copy.js"


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("agent.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _generated(zone: ZoneInfo) -> str:
    return fmt_time(datetime.now(UTC), zone)


@cache
def copy_script() -> tuple[Markup, str]:
    """The Copy buttons' few lines of script and the CSP source that allows exactly them.

    The page works without it (messages are selectable as a whole); with it, one click copies."""
    text = (files("agent.reports") / "templates" / COPY_JS).read_text(encoding="utf-8").strip()
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return Markup(text), f"'sha256-{digest}'"  # noqa: S704 - our own file, not input


def render_report(view: ReportView, zone: ZoneInfo = DEFAULT_ZONE) -> str:
    """The sweep's report.html."""
    script, script_hash = copy_script()
    return (
        environment()
        .get_template("report.html")
        .render(
            v=view,
            support_channel=SUPPORT_CHANNEL,
            support_hours=SUPPORT_HOURS,
            generated=_generated(zone),
            index_href="../index.html",
            script=script,
            script_hash=script_hash,
        )
    )


def render_index(view: IndexView, zone: ZoneInfo = DEFAULT_ZONE) -> str:
    """The report folder's index.html: every sweep, newest first, and the trend charts."""
    return (
        environment()
        .get_template("index.html")
        .render(v=view, generated=_generated(zone), index_href=None, script=None, script_hash="'none'")
    )
