"""The sandbox's data: referrals, their attempts, and scripted outcomes of future attempts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sandbox.people import person
from sandbox.responses import EXAMPLES

AttemptState = Literal["success", "failed", "pending"]

TRIGGERS = (
    "Received", "Edited", "Edited Status - Ready", "Edited Status - Received", "Closed", "Booked",
    "Rescheduled/Unbooked", "Archived", "Message from Provider", "Message from Requester",
)  # fmt: skip
DESTINATIONS = ("CDIS", "EMHware", "CRMS", "Ocean eReferral")
DEFAULT_DELAY = 30.0  # seconds before time_scale: what a resend takes when no script says otherwise


@dataclass(frozen=True)
class Outcome:
    """What one future attempt (a resend or a save) turns into, and after how long."""

    status: Literal["success", "failed"]
    http_code: int | None
    text: str
    delay: float = DEFAULT_DELAY

    @classmethod
    def of(cls, example: str, delay: float = DEFAULT_DELAY) -> Outcome:
        """From one of the response examples; 2xx examples count as success unless named *error*."""
        ex = EXAMPLES[example]
        ok = ex.http_code is not None and 200 <= ex.http_code < 300 and "error" not in example
        return cls("success" if ok else "failed", ex.http_code, ex.text, delay)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        """``{"status", "http_code", "text", "delay"}``, or ``{"example": name, "delay"}``."""
        delay = float(data.get("delay", DEFAULT_DELAY))
        if "example" in data:
            base = cls.of(str(data["example"]), delay)
            status = data.get("status", base.status)
            return cls(status, base.http_code, base.text, delay)
        status = data.get("status")
        if status not in ("success", "failed"):
            raise ValueError(f"outcome status must be success or failed, not {status!r}")
        code = data.get("http_code", 200 if status == "success" else None)
        if code is not None and not isinstance(code, int):
            raise ValueError("outcome http_code must be a whole number or null")
        return cls(status, code, str(data.get("text", "")), delay)


@dataclass
class Attempt:
    id: int
    at: datetime
    trigger: str
    destination: str
    status: AttemptState
    http_code: int | None
    text: str
    due: float | None = None  # wall-clock time a pending attempt resolves
    becomes: Outcome | None = None  # what a pending attempt resolves to

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(timespec="milliseconds"),
            "trigger": self.trigger,
            "destination": self.destination,
            "status": self.status,
            "http_code": self.http_code,
        }


@dataclass
class Referral:
    reference: str
    person_seed: int  # the registrant is made up on first look: see sandbox.people.person
    service: str
    destination: str
    submitted: datetime
    status: str
    attempts: list[Attempt] = field(default_factory=list)
    has_error: bool = False
    script: list[Outcome] = field(default_factory=list)
    problem_field: str | None = None  # the form field the 4xx error names, fixed by a save
    touched: bool = False
    shown_name: str | None = None  # ``plant``: the registrant cell shows this exact text
    _fields: dict[str, str] | None = None

    @property
    def fields(self) -> dict[str, str]:
        """The registrant form's values (generating 20,000 people up front would be slow)."""
        if self._fields is None:
            self._fields = person(random.Random(self.person_seed), self.submitted.date())
        return self._fields

    @property
    def registrant(self) -> str:
        if self.shown_name is not None:
            return self.shown_name
        return f"{self.fields['family_name'] or '(no family name)'}, {self.fields['given_name']}"

    def latest(self) -> Attempt | None:
        return max(self.attempts, key=lambda a: a.at) if self.attempts else None

    def destinations(self) -> list[str]:
        """The partner systems this referral is sent to, in the order first tried."""
        seen = list(dict.fromkeys(a.destination for a in sorted(self.attempts, key=lambda a: a.at)))
        return seen or [self.destination]

    def pending(self) -> bool:
        return any(a.status == "pending" for a in self.attempts)

    def latest_by_destination(self) -> dict[str, Attempt]:
        """Each destination's latest attempt: the procedure judges every destination on its own."""
        latest: dict[str, Attempt] = {}
        for attempt in sorted(self.attempts, key=lambda a: a.at):
            latest[attempt.destination] = attempt
        return latest

    def judged(self, destination: str | None = None) -> Attempt | None:
        """The attempt a record's ``latest_*`` describes: the given destination's latest, else the
        worst of every destination's latest (a failed one, else a pending one, else the newest)."""
        by_dest = self.latest_by_destination()
        if destination is not None and destination in by_dest:
            return by_dest[destination]
        for status in ("failed", "pending"):
            worst = [a for a in by_dest.values() if a.status == status]
            if worst:
                return max(worst, key=lambda a: a.at)
        return self.latest()

    def snapshot(self, destination: str | None = None) -> dict[str, Any]:
        """The ``before`` of a record event (a resend's: the answered attempt's destination)."""
        judged = self.judged(destination)
        return {
            "has_error": self.has_error,
            "latest_status": judged.status if judged else None,
            "latest_http_code": judged.http_code if judged else None,
            "pending": self.pending(),
            "attempts": len(self.attempts),
            "destinations": {
                d: {"status": a.status, "http_code": a.http_code} for d, a in self.latest_by_destination().items()
            },
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "destination": self.destination,
            "service": self.service,
            "has_error": self.has_error,
            "problem_field": self.problem_field,
            "script_left": len(self.script),
            "attempts": [a.as_json() for a in sorted(self.attempts, key=lambda a: a.at)],
        }


FIELD_CHECKS: dict[str, str] = {
    "contact_postal_code": "filled",
    "contact_phone": "filled",
    "family_name": "filled",
    "hcn": "ten digits",
    "birth_date": "a real date (YYYY-MM-DD)",
    "gender": "female, male, other or unknown",
}


def field_valid(name: str, value: str) -> bool:
    """Whether a save fixes the field a 4xx error named."""
    value = value.strip()
    if name == "hcn":
        return len(value) == 10 and value.isdigit()
    if name == "birth_date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
    if name == "gender":
        return value in ("female", "male", "other", "unknown")
    return bool(value)
