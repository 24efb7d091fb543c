"""Where a survey's files go and how they are written: a folder of its own under the report dir,
survey.json and survey.html written atomically, and a last pass that removes any registrant word the
walk saw (the survey is meant to be sent to people outside the clinic)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import jinja2

from agent.reports.write import write_atomic
from agent.survey_result import SurveyResult, SurveyRun

TEMPLATES = Path(__file__).parent / "reports" / "templates"


def new_survey_dir(report_dir: Path, started: datetime) -> tuple[str, Path]:
    survey_id = "survey-" + started.strftime("%Y%m%d-%H%M%S")
    folder = report_dir / survey_id
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = report_dir / f"{survey_id}-{suffix}"
    folder.mkdir(parents=True)
    return folder.name, folder


def write_survey(result: SurveyResult, folder: Path, known: set[str], *, mode: int = 0o600) -> SurveyRun:
    """survey.json and survey.html (the agent's file mode), a last pass removing any registrant word seen."""
    json_path, html_path = folder / "survey.json", folder / "survey.html"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    html = env.get_template("survey.html").render(s=result, misses=result.misses)
    for path, text in ((json_path, result.model_dump_json(indent=2)), (html_path, html)):
        write_atomic(path, _last_pass(text, known), mode=mode)
    return SurveyRun(result=result, folder=folder, json_path=json_path, html_path=html_path)


def _last_pass(text: str, known: set[str]) -> str:
    for word in sorted(known, key=len, reverse=True):
        text = re.sub(rf"(?i)\b{re.escape(word)}\b", "<name>", text)
    return text
