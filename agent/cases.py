"""One errored referral through a sweep: its state, what was seen and done, and the report line it becomes.

A referral's state is explicit, one of four, never inferred from which optional fields are set::

    Seen ──► Decided ──► Finished
               │  ▲          ▲
               ▼  │          │
             Waiting ────────┘

- :class:`Seen`: listed in the inbox, its window not read yet;
- :class:`Decided`: its window was read and the rules decided; nothing of ours is running;
- :class:`Waiting`: an attempt is running (the agent's Resend, or someone's re-save): looked at again
  every ``poll_seconds`` until it finishes or ``settle_seconds`` are up (:mod:`agent.waiting`);
- :class:`Finished`: it has an outcome for the report.

A new look always goes through Decided again: the rules decide on what the window shows *now*.
"""

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
from agent.redact import excerpt
from agent.rules.decide import latest_attempt
from agent.waiting import Waiting

TEXT_LIMIT = 300
GONE = "no-longer-flagged"
"""The rule id of a referral that was no longer flagged when the agent came back to it."""


@dataclass(frozen=True)
class Seen:
    """Listed; nothing read yet."""


@dataclass(frozen=True)
class Decided:
    decision: Decision


@dataclass(frozen=True)
class Finished:
    outcome: Outcome
    reason: str
    rule: str


State = Seen | Decided | Waiting | Finished


@dataclass
class Case:
    """What the sweep knows about one referral; ``state`` says where it is."""

    reference: str
    state: State = field(default_factory=Seen)
    window: TriggersWindow | None = None
    responses: dict[str, ResponseRecord] = field(default_factory=dict)  # by attempt key; a finished one is fixed
    decision: Decision | None = None  # the latest decision, kept for the report once finished
    actions: list[ActionRecord] = field(default_factory=list)
    sighting: Sighting | None = None
    screenshot: str | None = None

    # --- the state --------------------------------------------------------------------------------

    @property
    def final(self) -> bool:
        return isinstance(self.state, Finished)

    @property
    def outcome(self) -> Outcome | None:
        return self.state.outcome if isinstance(self.state, Finished) else None

    @property
    def waiting(self) -> Waiting | None:
        return self.state if isinstance(self.state, Waiting) else None

    def decided(self, decision: Decision) -> None:
        self.decision = decision
        self.state = Decided(decision)

    def wait(self, waiting: Waiting) -> None:
        self.state = waiting

    def finish(self, outcome: Outcome, reason: str | None = None, rule: str | None = None) -> None:
        self.state = Finished(
            outcome=outcome,
            reason=reason or (self.decision.reason if self.decision else ""),
            rule=rule or (self.decision.rule if self.decision else "-"),
        )

    def fail(self, reason: str, screenshot: str | None = None, rule: str = "could-not-process") -> None:
        """Could not process: keep the reason and the evidence, and let the sweep go on."""
        self.screenshot = screenshot or self.screenshot
        self.finish(Outcome.ERROR, reason, rule=rule)

    # --- what it concerns ---------------------------------------------------------------------------

    @property
    def latest(self) -> Attempt | None:
        return latest_attempt(self.window.attempts) if self.window else None

    @property
    def concerned(self) -> Attempt | None:
        """The attempt the decision is about (a failed destination's latest), else the latest of all."""
        key = self.decision.attempt_key if self.decision else None
        if self.window is not None and key is not None:
            for attempt in self.window.attempts:
                if attempt.key == key:
                    return attempt
        return self.latest

    # --- the report line ------------------------------------------------------------------------------

    def result(self, sweep_dir: Path) -> ReferralResult:
        state = self.state
        finished = state if isinstance(state, Finished) else Finished(Outcome.PENDING, "", "-")
        decision = self.decision
        attempt = self.concerned
        reading = decision.reading if decision else None
        response = self.responses.get(attempt.key) if attempt else None
        text = response.text if response is not None and response.text is not None else None
        fix_fields = reading is not None and finished.outcome is Outcome.FIX
        return ReferralResult(
            reference=self.reference,
            outcome=finished.outcome,
            rule=finished.rule,
            reason=finished.reason,
            http_code=decision.http_code if decision else None,
            destination=(decision.destination if decision else None) or (attempt.destination if attempt else None),
            trigger=attempt.trigger if attempt else None,
            field=reading.field if fix_fields and reading else None,
            path=reading.path if fix_fields and reading else None,
            problem=reading.problem if fix_fields and reading else None,
            fix=reading.fix if fix_fields and reading else None,
            text=excerpt(text, TEXT_LIMIT) if text else None,
            attempt_dates=sorted(a.at for a in self.window.attempts) if self.window else [],
            actions=list(self.actions),
            first_seen=self.sighting.first_seen if self.sighting else None,
            nights_open=self.sighting.nights_open if self.sighting else 1,
            screenshot=relative(self.screenshot, sweep_dir),
        )


def relative(screenshot: str | None, sweep_dir: Path) -> str | None:
    """A screenshot's path as the report folder sees it."""
    if not screenshot:
        return None
    path = Path(screenshot)
    return str(path.relative_to(sweep_dir)) if path.is_relative_to(sweep_dir) else path.name


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
