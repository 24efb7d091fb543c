"""A sweep's reports for people: HTML, a Markdown summary, a CSV of action items, and the index.

view.py      SweepResult → ReportView (grouping, outage rule, wording, the paste-ready messages)
charts.py    history → TrendChart (stacked-bar geometry for the inline SVG)
history.py   report folder → stored sweeps; IndexView
text.py      Markdown summary and CSV (same view-model as the HTML)
render.py    Jinja2 environment (autoescape, StrictUndefined) and the two HTML pages
write.py     atomic writes, write_reports, rerender
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
