"""What a survey found, as survey.json holds it: per screen a masked structure, per label a finding,
the conclusions and cross-checks, and the suggested ``[labels]`` block."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from agent.survey_labels import Finding


class ScreenRecord(BaseModel):
    name: str
    seconds: float
    aria: str = Field(description="Playwright's ARIA snapshot, every data cell's text replaced by its kind.")
    screenshot: str | None = Field(default=None, description="Masked; relative to the survey folder.")


class SurveyResult(BaseModel):
    survey_id: str
    base_url: str
    started_at: datetime
    finished_at: datetime | None = None
    findings: list[Finding] = Field(default_factory=list)
    conclusions: dict[str, Any] = Field(default_factory=dict)
    cross_checks: list[str] = Field(default_factory=list)
    screens: list[ScreenRecord] = Field(default_factory=list)
    suggested_labels: str = ""
    refused_requests: list[str] = Field(default_factory=list)
    stopped: str | None = Field(default=None, description="Why the survey could not go on, if it stopped.")

    @property
    def misses(self) -> list[Finding]:
        return [f for f in self.findings if f.found is False]


class SurveyRun(BaseModel):
    result: SurveyResult
    folder: Path
    json_path: Path
    html_path: Path
