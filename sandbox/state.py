"""The in-memory store: referrals, sessions, faults and the record, behind one lock.

Pending attempts resolve lazily, when something next reads the referral after their delay has
passed: there are no background threads. Every state-changing request is appended to the record
*before* its response is sent, with the referral's state before it, so tests can prove what the
agent did and did not do.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sandbox.config import Config
from sandbox.faults import Faults
from sandbox.model import Attempt, Outcome, Referral, field_valid
from sandbox.ratelimit import Bucket
from sandbox.scenarios import build, custom, plant
from sandbox.variants import expand, variant_of

EventKind = Literal["sign_in", "sign_in_failed", "notice", "resend", "clear", "save", "announcement"]
EventOutcome = Literal["applied", "failed", "rejected"]
Clock = Callable[[], float]


def visible_step(config: Config) -> timedelta:
    """How much later a new attempt is than the referral's latest, at least: without a machine-readable
    ``<time>``, the next one shown must read later (a second, or a minute when dates show no seconds)."""
    if config.time_element:
        return timedelta(milliseconds=1)
    return timedelta(minutes=1) if config.date_style in ("us", "eu") else timedelta(seconds=1)


class NotFound(LookupError):
    """No such referral or attempt."""


@dataclass
class Session:
    token: str
    username: str
    last_seen: float
    requests: int = 0
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(16))  # `csrf`: sent with every write
    announced: bool = False  # `announcement`: dismissed in this session


@dataclass
class ResendResult:
    applied: bool
    error: str | None = None  # the resend_error_for mode that fired, if any


@dataclass
class Store:
    clock: Clock = time.time
    lock: threading.Lock = field(default_factory=threading.Lock)
    config: Config = field(default_factory=Config)
    faults: Faults = field(default_factory=Faults)
    referrals: dict[str, Referral] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    rules: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    record: list[dict[str, Any]] = field(default_factory=list)
    pending: set[str] = field(default_factory=set)
    inbox_loads: int = 0
    page_loads: Bucket = field(default_factory=Bucket)  # `rate_limit_ms`
    salt: str = ""  # `salt`: appended to every class name and id, new at each reset
    next_attempt_id: int = 1

    # --- set-up -----------------------------------------------------------------------------------

    def reset(self, options: dict[str, Any]) -> dict[str, Any]:
        """Replace everything (data, sessions, faults, record) in one go; returns the reset answer."""
        opts = dict(options)
        faults, scripts, extra = opts.pop("faults", {}), opts.pop("scripts", {}), opts.pop("referrals", {})
        config = Config.from_dict(expand(opts))
        new_faults = Faults()
        new_faults.merge(faults or {})
        now = self.now()
        world = build(config, now)
        custom(world, extra or {}, now)
        plant(world, config.plant)
        by_ref = {r.reference: r for r in world.referrals}
        for reference, outcomes in (scripts or {}).items():
            if reference not in by_ref:
                raise NotFound(f"scripts: no referral {reference}")
            by_ref[reference].script = [Outcome.from_dict(o) for o in outcomes]
        with self.lock:
            self.config, self.faults = config, new_faults
            self.referrals, self.order = by_ref, [r.reference for r in world.referrals]
            self.rules, self.next_attempt_id = world.rules, world.next_attempt_id
            self.sessions, self.record, self.inbox_loads = {}, [], 0
            self.page_loads, self.salt = Bucket(), secrets.token_hex(3) if config.salt else ""
            self.pending = {r.reference for r in world.referrals if r.pending()}
            return self.summary()

    def summary(self) -> dict[str, Any]:
        errored = [ref for ref in self.order if self.referrals[ref].has_error]
        answer: dict[str, Any] = {"errored": errored, "total": len(self.order)}
        if self.rules:
            answer["rules"] = dict(self.rules)
        return answer

    # --- time and lazy resolution -----------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def resolve_due(self) -> None:
        """Turn every pending attempt whose delay has passed into its scripted outcome (lock held)."""
        if not self.pending:
            return
        now = self.clock()
        for reference in list(self.pending):
            referral = self.referrals[reference]
            for attempt in referral.attempts:
                if attempt.status == "pending" and attempt.due is not None and attempt.due <= now:
                    self._settle(referral, attempt)
            if not referral.pending():
                self.pending.discard(reference)

    def _settle(self, referral: Referral, attempt: Attempt) -> None:
        outcome = attempt.becomes
        assert outcome is not None
        attempt.status, attempt.http_code, attempt.text = outcome.status, outcome.http_code, outcome.text
        attempt.due = attempt.becomes = None
        if outcome.status == "failed":
            referral.has_error = True

    def get(self, reference: str) -> Referral:
        """A referral, with its due attempts resolved (lock held)."""
        self.resolve_due()
        try:
            return self.referrals[reference]
        except KeyError:
            raise NotFound(f"no referral {reference}") from None

    def attempt(self, referral: Referral, attempt_id: int) -> Attempt:
        for attempt in referral.attempts:
            if attempt.id == attempt_id:
                return attempt
        raise NotFound(f"referral {referral.reference} has no attempt {attempt_id}")

    # --- the record -------------------------------------------------------------------------------

    def log(self, kind: EventKind, outcome: EventOutcome, referral: Referral | None = None,
            attempt_id: int | None = None, destination: str | None = None, **extra: Any) -> None:  # fmt: skip
        self.record.append({
            "seq": len(self.record) + 1,
            "at": self.now().isoformat(timespec="milliseconds"),
            "kind": kind,
            "reference": referral.reference if referral else None,
            "attempt_id": attempt_id,
            "outcome": outcome,
            "before": referral.snapshot(destination) if referral else None,
            **extra,
        })  # fmt: skip

    # --- sessions ---------------------------------------------------------------------------------

    def sign_in(self, username: str, password: str) -> str | None:
        with self.lock:
            ok = secrets.compare_digest(username.strip().lower(), self.config.username.lower()) and (
                secrets.compare_digest(password, self.config.password)
            )
            if not ok:
                self.log("sign_in_failed", "rejected")
                return None
            token = secrets.token_urlsafe(24)
            self.sessions[token] = Session(token, self.config.username, self.clock())
            self.log("sign_in", "applied")
            return token

    def check_session(self, token: str | None, *, count: bool = True) -> bool:
        """True when ``token`` is a live session; counts the request towards the expiry fault."""
        with self.lock:
            session = self.sessions.get(token or "")
            if session is None:
                return False
            now = self.clock()
            limit = self.faults.expire_session_after_requests
            idle = now - session.last_seen > self.config.session_idle_seconds
            if idle or (count and limit is not None and session.requests >= limit):
                del self.sessions[session.token]
                return False
            session.last_seen = now
            session.requests += count
            return True

    def sign_out(self, token: str | None) -> None:
        with self.lock:
            self.sessions.pop(token or "", None)

    def expire_sessions(self) -> int:
        with self.lock:
            count = len(self.sessions)
            self.sessions.clear()
            return count

    # --- actions ----------------------------------------------------------------------------------

    def _new_attempt(self, referral: Referral, trigger: str, destination: str, outcome: Outcome) -> Attempt:
        now = self.now()
        latest = referral.latest()
        step = visible_step(self.config)
        if latest is not None and latest.at + step > now:
            now = latest.at + step
        attempt = Attempt(self.next_attempt_id, now, trigger, destination, "pending", None, "",
                          self.clock() + outcome.delay * self.config.time_scale, outcome)  # fmt: skip
        self.next_attempt_id += 1
        referral.attempts.append(attempt)
        referral.touched = True
        if outcome.delay * self.config.time_scale <= 0:
            self._settle(referral, attempt)
        else:
            self.pending.add(referral.reference)
        return attempt

    def resend(self, reference: str, attempt_id: int) -> ResendResult:
        """Always applied (even on a 4xx or a pending attempt), unless a resend fault says otherwise."""
        with self.lock:
            referral = self.get(reference)
            answered = self.attempt(referral, attempt_id)
            error = self.faults.resend_error_for.get(reference)
            where = answered.destination
            if error == "fail":
                self.log("resend", "failed", referral, attempt_id, where)
                return ResendResult(applied=False, error=error)
            self.log("resend", "applied", referral, attempt_id, where)
            if referral.script:
                outcome = referral.script.pop(0)
            elif answered.becomes is not None:  # resending a pending attempt: it ends the same way
                outcome = Outcome(answered.becomes.status, answered.becomes.http_code, answered.becomes.text)
            else:  # nothing scripted: the partner answers as it did last time
                ok = answered.status == "success"
                outcome = Outcome("success" if ok else "failed", answered.http_code, answered.text)
            self._new_attempt(referral, answered.trigger, answered.destination, outcome)
            return ResendResult(applied=True, error=error)

    def clear(self, reference: str) -> bool:
        """Always applied (even when the latest attempt failed), unless ``clear_error_for`` names it."""
        with self.lock:
            referral = self.get(reference)
            if reference in self.faults.clear_error_for:
                self.log("clear", "failed", referral)
                return False
            self.log("clear", "applied", referral)
            referral.has_error = False
            referral.touched = True
            return True

    def save(self, reference: str, values: dict[str, str]) -> None:
        """The Edit form: store the values, then send an ``Edited`` attempt (scripted, else by the fix)."""
        with self.lock:
            referral = self.get(reference)
            self.log("save", "applied", referral, fields=sorted(k for k in values if k in referral.fields))
            referral.fields.update({k: v for k, v in values.items() if k in referral.fields})
            problem = referral.judged()
            for destination in referral.destinations():  # a re-save goes to every partner system
                if problem is None or destination == problem.destination:
                    outcome = self._saved_outcome(referral)
                else:
                    outcome = Outcome("success", 201, '{"status":"received"}', 0.0)
                self._new_attempt(referral, "Edited", destination, outcome)

    def _saved_outcome(self, referral: Referral) -> Outcome:
        """What a save sends: the script's next outcome, else success once the named field is valid."""
        if referral.script:
            return referral.script.pop(0)
        if referral.problem_field and not field_valid(referral.problem_field, referral.fields[referral.problem_field]):
            failed = next((a for a in reversed(referral.attempts) if a.status == "failed"), None)
            code, text = (failed.http_code, failed.text) if failed else (400, "")
            return Outcome("failed", code, text, 0.0)
        return Outcome("success", 201, '{"status":"received"}', 0.0)

    # --- someone else works the inbox ------------------------------------------------------------

    def others(self, clear: list[str], fail: dict[str, str]) -> dict[str, Any]:
        """Changes made by another person during a sweep: not the agent's clicks, so not in the record.
        ``clear``: errors cleared behind the agent's back; ``fail``: ``{ref: example}`` a new failed
        attempt (a new error) arrives."""
        with self.lock:
            for reference in [*clear, *fail]:
                self.get(reference)  # NotFound before anything changes
            for reference in clear:
                self.referrals[reference].has_error = False
                self.referrals[reference].touched = True
            for reference, example in fail.items():
                referral = self.referrals[reference]
                latest = referral.latest()
                outcome = Outcome.from_dict({"example": example, "status": "failed", "delay": 0})
                self._new_attempt(referral, "Edited", latest.destination if latest else referral.destination, outcome)
                referral.has_error = True
            return self.summary()

    # --- views ------------------------------------------------------------------------------------

    def referral_state(self, reference: str) -> dict[str, Any]:
        with self.lock:
            return self.get(reference).as_json()

    def state(self) -> dict[str, Any]:
        with self.lock:
            self.resolve_due()
            shown = [self.referrals[r] for r in self.order]
            return {
                **self.summary(),
                "config": self.config.switches(),
                "variant": variant_of(self.config),
                "faults": self.faults.as_json(),
                "referrals": [r.as_json() for r in shown if r.has_error or r.touched or r.problem_field],
            }
