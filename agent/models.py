"""The nouns every part of the agent shares: what the inbox shows, what the rules decide, what a sweep did.

Page objects return these, the rules take and return these, the ledger stores them and the reports
render them. They hold reference numbers and integration facts only: never a registrant's name, a
health card number or a credential.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- what the inbox shows -------------------------------------------------------------------------


class AttemptStatus(StrEnum):
    SUCCESS = "success"
    FAILED = "failed"
    PENDING = "pending"


class Attempt(Frozen):
    """One row of the Integration Triggers window: one try at sending one event to one partner."""

    at: datetime
    trigger: str
    destination: str
    status: AttemptStatus
    response_url: str | None = None

    @property
    def key(self) -> str:
        """Identifies the attempt across page loads and sweeps (the window gives rows no id)."""
        return f"{self.at.isoformat()}|{self.trigger}|{self.destination}"

    @property
    def finished(self) -> bool:
        return self.status is not AttemptStatus.PENDING


class InboxRow(Frozen):
    """A referral listed with the red API error control: its reference number and nothing else (the
    registrant's name and the other cells are deliberately not kept)."""

    reference: str


class ListedPage(Frozen):
    """One page of the (filtered) inbox as read once it settled: the errored rows, and what the page
    itself says of the whole list ("Showing 1–25 of 143"), so the sweep can cross-check counts."""

    rows: tuple[InboxRow, ...]
    listed_total: int | None = Field(default=None, description="The n of 'Showing a–b of n', when shown.")
    rows_on_page: int = Field(default=0, description="All rows the page lists, errored or not.")


class TriggersWindow(Frozen):
    """What the Integration Triggers window showed for one referral at one moment."""

    reference: str
    attempts: tuple[Attempt, ...]
    clear_available: bool = False


class BannerCount(Frozen):
    """The yellow banner: how many referrals have integration errors."""

    count: int


# --- what the rules read and decide ---------------------------------------------------------------


class ResponseFormat(StrEnum):
    JSON = "json"
    KEY_VALUE = "key_value"
    PRINT_R = "print_r"
    UNREADABLE = "unreadable"


class ResponseRecord(Frozen):
    """The response tab's text block, read: the transfer record and the partner's reply."""

    format: ResponseFormat
    http_code: int | None = None
    text: str | None = None
    fields: dict[str, str] = Field(default_factory=dict)
    problem: str | None = Field(default=None, description="Why the block could not be read.")

    @property
    def readable(self) -> bool:
        return self.format is not ResponseFormat.UNREADABLE and self.http_code is not None


class TextKind(StrEnum):
    EMPTY = "empty"
    PLAIN = "plain"
    JSON = "json"
    FHIR = "fhir"
    HTML = "html"


class TextReading(Frozen):
    """What the partner's reply (`text`) says, and whether a person can act on it."""

    kind: TextKind
    message: str = Field(description="The reply in one line: a diagnostics, an HTML title, the message.")
    clear: bool = False
    field: str | None = Field(default=None, description="The field's label as the partner names it.")
    path: str | None = Field(default=None, description="FHIR-like path, e.g. Patient.contact[0].address.postCode")
    problem: str | None = Field(default=None, description="missing, invalid, wrong format, not in value set, …")
    fix: str | None = Field(default=None, description="One line a staff member can follow.")


class DecisionKind(StrEnum):
    CLEAR = "clear"
    RESEND = "resend"
    WAIT = "wait"
    FIX = "fix"
    ESCALATE = "escalate"


class Decision(Frozen):
    """What to do about one referral, with the rule that says so and a reason a support lead can read."""

    kind: DecisionKind
    rule: str
    reason: str
    http_code: int | None = None
    category: str | None = Field(default=None, description="2xx, 4xx, 5xx, other or unreadable")
    attempt_key: str | None = Field(default=None, description="The latest attempt this decision answers.")
    destination: str | None = Field(default=None, description="The partner system the decision concerns.")
    reading: TextReading | None = None


class ResendRecord(Frozen):
    """A Resend the agent clicked (or was about to click) before, as the ledger remembers it."""

    answers: str = Field(description="Key of the failed attempt the resend answered.")
    answers_at: datetime
    clicked_at: datetime
    confirmed: bool
    produced: str | None = Field(default=None, description="Key of the attempt the resend made, once seen.")


# --- what a sweep did -----------------------------------------------------------------------------


class Outcome(StrEnum):
    CLEARED = "cleared"
    FIX = "fix"
    ESCALATED = "escalated"
    PENDING = "pending"
    ERROR = "error"


class ActionType(StrEnum):
    RESEND = "resend"
    CLEAR = "clear"


class ActionRecord(Frozen):
    type: ActionType
    at: datetime
    confirmed: bool
    planned: bool = False


class ReferralResult(BaseModel):
    """One errored referral's line in the report."""

    model_config = ConfigDict(extra="forbid")

    reference: str
    outcome: Outcome
    rule: str
    reason: str
    http_code: int | None = None
    destination: str | None = None
    trigger: str | None = None
    field: str | None = None
    path: str | None = None
    problem: str | None = None
    fix: str | None = None
    text: str | None = Field(default=None, description="The partner's reply, shortened and scrubbed.")
    attempt_dates: list[datetime] = Field(default_factory=list)
    actions: list[ActionRecord] = Field(default_factory=list)
    first_seen: datetime | None = None
    nights_open: int = 1
    screenshot: str | None = Field(default=None, description="Relative to the report folder.")
    url: str | None = Field(default=None, description="The referral's address on the site, as the agent used it.")


class Unseen(Frozen):
    """What a sweep could not see: fewer referrals found than the site says, or rows it could not read."""

    expected: int | None = Field(description="The most the site said (banner or 'of n'); None when unknown.")
    found: int
    why: str = Field(description="One line: what was not seen and why.")
    screenshot: str | None = Field(default=None, description="A masked screenshot, relative to the report folder.")


class SweepResult(BaseModel):
    """Everything report.json holds; the reports and notifications are rendered from it alone."""

    model_config = ConfigDict(extra="forbid")

    sweep_id: str
    started_at: datetime
    finished_at: datetime
    base_url: str
    dry_run: bool
    ui: Literal["older", "newer", "unknown"] = "unknown"
    banner_count: int | None
    summary: dict[str, int]
    referrals: list[ReferralResult]
    problems: list[str] = Field(
        default_factory=list, description="Sweep-level findings, e.g. the banner count and the result differ."
    )
    complete: bool = Field(
        default=True, description="False when the sweep stopped early; what it reached is still reported."
    )
    refused_requests: list[str] = Field(
        default_factory=list,
        description="Dry run: the writes the browser's network guard refused ('POST https://…/path'), in order.",
    )
    unseen: Unseen | None = Field(
        default=None, description="Set when the agent saw fewer referrals than the site says: never a clean night."
    )
    inbox: str | None = Field(default=None, description="Which inbox was swept (its address); history groups by it.")
    failure: str | None = Field(
        default=None, description="Why the sweep failed before reaching any referral (a safe one-line message)."
    )

    @staticmethod
    def count(referrals: list[ReferralResult]) -> dict[str, int]:
        return {outcome.value: sum(r.outcome is outcome for r in referrals) for outcome in Outcome}


class SweepRun(BaseModel):
    """What one finished sweep left behind."""

    model_config = ConfigDict(frozen=True)

    result: SweepResult
    report_dir: Path = Path()
    report_json: Path = Path()
    report_html: Path | None = None
