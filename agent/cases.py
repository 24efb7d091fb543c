"""One errored referral through a sweep: what was seen, decided and done, and the report line it becomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from agent.ledger import Sighting
from agent.models import (
    ActionRecord,
    ActionType,
    Attempt,
    Decision,
    DecisionKind,
    Outcome,
    ReferralResult,
    ResponseRecord,
    TriggersWindow,
)
from agent.redact import scrub, shorten
from agent.rules.decide import latest_attempt

TEXT_LIMIT = 300


@dataclass
class Case:
    """Mutable while the sweep works on the referral; ``final`` once it has an outcome."""

    reference: str
    window: TriggersWindow | None = None
    response: ResponseRecord | None = None
    response_for: str | None = None  # key of the attempt ``response`` belongs to
    decision: Decision | None = None
    actions: list[ActionRecord] = field(default_factory=list)
    sighting: Sighting | None = None
    deadline: float | None = None  # monotonic seconds: stop waiting for a resend's result
    next_look: float = 0.0
    outcome: Outcome | None = None
    reason: str | None = None
    rule: str | None = None
    screenshot: str | None = None

    @property
    def latest(self) -> Attempt | None:
        return latest_attempt(self.window.attempts) if self.window else None

    @property
    def final(self) -> bool:
        return self.outcome is not None

    def finish(self, outcome: Outcome, reason: str | None = None, rule: str | None = None) -> None:
        self.outcome = outcome
        self.reason = reason or (self.decision.reason if self.decision else "")
        self.rule = rule or (self.decision.rule if self.decision else "-")

    def fail(self, reason: str, screenshot: str | None = None) -> None:
        """Could not process: keep the reason and the evidence, and let the sweep go on."""
        self.screenshot = screenshot or self.screenshot
        self.finish(Outcome.ERROR, reason, rule="could-not-process")

    def result(self, sweep_dir: Path) -> ReferralResult:
        decision = self.decision
        latest = self.latest
        reading = decision.reading if decision else None
        text = self.response.text if self.response and self.response.text is not None else None
        screenshot = self.screenshot
        if screenshot:
            path = Path(screenshot)
            screenshot = str(path.relative_to(sweep_dir)) if path.is_relative_to(sweep_dir) else path.name
        fix_fields = reading is not None and self.outcome is Outcome.FIX
        return ReferralResult(
            reference=self.reference,
            outcome=self.outcome or Outcome.PENDING,
            rule=self.rule or "-",
            reason=self.reason or "",
            http_code=decision.http_code if decision else None,
            destination=latest.destination if latest else None,
            trigger=latest.trigger if latest else None,
            field=reading.field if fix_fields and reading else None,
            path=reading.path if fix_fields and reading else None,
            problem=reading.problem if fix_fields and reading else None,
            fix=reading.fix if fix_fields and reading else None,
            text=shorten(scrub(text), TEXT_LIMIT) if text else None,
            attempt_dates=sorted(a.at for a in self.window.attempts) if self.window else [],
            actions=list(self.actions),
            first_seen=self.sighting.first_seen if self.sighting else None,
            nights_open=self.sighting.nights_open if self.sighting else 1,
            screenshot=screenshot,
        )


def outcome_for(decision: Decision) -> Outcome | None:
    """The outcome a decision gives without any click; None when it needs a click or a wait first."""
    return {
        DecisionKind.FIX: Outcome.FIX,
        DecisionKind.ESCALATE: Outcome.ESCALATED,
    }.get(decision.kind)


def planned(kind: DecisionKind, at: datetime) -> ActionRecord | None:
    """The action a dry run would have taken, marked planned."""
    action = {DecisionKind.CLEAR: ActionType.CLEAR, DecisionKind.RESEND: ActionType.RESEND}.get(kind)
    return ActionRecord(type=action, at=at, confirmed=False, planned=True) if action else None
