"""A sweep's reports for people: HTML, a Markdown summary, a CSV of action items, and the index.

view.py      SweepResult → ReportView (grouping, outage rule, what changed, wording)
messages.py  the paste-ready messages for Caredove support (they say the zone with every time)
links.py     where a referral lives on the site (address used, referral_url pattern); inbox identity
format.py    the page's one date style, reasons in a support lead's words, shortening
charts.py    history → TrendChart (stacked-bar geometry for the inline SVG)
history.py   report folder → stored sweeps (failed ones apart), per-inbox "previous"; IndexView
text.py      Markdown summary and CSV (same view-model as the HTML)
render.py    Jinja2 environment (autoescape, StrictUndefined), the two HTML pages, the Copy script's hash
write.py     atomic writes, write_reports, rerender
failed.py    the report.json of a sweep that failed before any referral (run.py calls it)
"""

from __future__ import annotations

from agent.reports.history import load_history
from agent.reports.text import actions_csv, text_summary
from agent.reports.view import OUTAGE_THRESHOLD
from agent.reports.write import ReportFiles, rerender, write_reports

__all__ = [
    "OUTAGE_THRESHOLD",
    "ReportFiles",
    "actions_csv",
    "load_history",
    "rerender",
    "text_summary",
    "write_reports",
]
