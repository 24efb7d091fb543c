"""Named, seeded data sets: ``demo`` (a realistic mix), ``rules`` (one referral per procedure rule)
and ``large`` (any size, fast). Same config and seed, same referrals: only the dates follow ``now``."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sandbox.config import Config
from sandbox.model import DESTINATIONS, Attempt, Outcome, Referral
from sandbox.responses import EXAMPLES

SERVICES: dict[str, tuple[str, ...]] = {
    "CDIS": ("Infant Hearing Program – Audiology", "Infant Hearing Program – Screening"),
    "EMHware": ("Adult Mental Health – Intake", "Addictions Counselling"),
    "CRMS": ("Home and Community Care", "Long-Term Care Placement"),
    "Ocean eReferral": ("Diabetes Education", "Cardiac Rehabilitation", "Falls Prevention Clinic"),
}
STATUSES = ("Received", "Accepted", "Booked", "Waitlisted", "Completed", "Declined")
SUCCESS_EXAMPLE = {"Ocean eReferral": "ok-fhir-201"}


@dataclass
class World:
    referrals: list[Referral]  # inbox order: newest submitted first
    rules: dict[str, str] = field(default_factory=dict)
    next_attempt_id: int = 1


@dataclass
class ErrorSpec:
    """One errored referral: the attempts it shows, what comes next, and what a save must fix."""

    destination: str
    history: list[tuple[str, str, float]]  # (example, trigger, hours ago), oldest first
    script: list[Outcome] = field(default_factory=list)
    problem: tuple[str, str] | None = None  # (form field, the bad value a save must replace)
    has_error: bool = True
    also: list[tuple[str, str, float, str]] = field(default_factory=list)  # attempts to a second destination


class Builder:
    def __init__(self, config: Config, now: datetime) -> None:
        self.config = config
        self.now = now
        self.rng = random.Random(config.seed)
        self.refs: set[str] = set()
        self.next_id = 1

    def reference(self) -> str:
        while True:
            ref = str(self.rng.randrange(1_000_000_000, 10_000_000_000))
            if ref not in self.refs:
                self.refs.add(ref)
                return ref

    def attempt(self, at: datetime, trigger: str, destination: str, example: str) -> Attempt:
        outcome = Outcome.of(example)
        self.next_id += 1
        return Attempt(self.next_id - 1, at, trigger, destination, outcome.status, outcome.http_code,
                       outcome.text)  # fmt: skip

    def referral(self, index: int, destination: str | None = None) -> Referral:
        rng = self.rng
        dest = destination or DESTINATIONS[rng.randrange(len(DESTINATIONS))]
        submitted = self.now - timedelta(hours=2 + index * 7 + rng.random() * 5)
        ref = Referral(
            reference=self.reference(),
            person_seed=rng.getrandbits(32),
            service=rng.choice(SERVICES[dest]),
            destination=dest,
            submitted=submitted,
            status=rng.choice(STATUSES),
        )
        ok = SUCCESS_EXAMPLE.get(dest, "ok-201")
        ref.attempts.append(self.attempt(submitted + timedelta(seconds=4), "Received", dest, ok))
        return ref

    def errored(self, index: int, spec: ErrorSpec) -> Referral:
        ref = self.referral(index, spec.destination)
        ref.attempts.clear()
        age = (self.now - ref.submitted).total_seconds() / 3600
        history = [(e, t, h, spec.destination) for e, t, h in spec.history] + spec.also
        for example, trigger, hours_ago, destination in sorted(history, key=lambda item: -item[2]):
            at = self.now - timedelta(hours=min(hours_ago, age - 0.01), seconds=self.rng.randrange(60))
            ref.attempts.append(self.attempt(at, trigger, destination, example))
        ref.has_error = spec.has_error
        ref.script = list(spec.script)
        if spec.problem:
            ref.problem_field, bad = spec.problem
            ref.fields[ref.problem_field] = bad
        return ref

    def world(self, referrals: list[Referral], rules: dict[str, str] | None = None) -> World:
        referrals.sort(key=lambda r: r.submitted, reverse=True)
        return World(referrals, rules or {}, self.next_id)


def _resend(example: str, delay: float = 60.0) -> Outcome:
    return Outcome.of(example, delay)


def demo_errors() -> list[ErrorSpec]:
    """Every row of the procedure table, scripted for a sweep with max_resends=2."""
    return [
        ErrorSpec("CDIS", [("nginx-504", "Received", 30), ("ok-201", "Received", 29)]),  # resolved
        ErrorSpec("EMHware", [("nginx-502", "Received", 20)], [_resend("ok-201")]),  # clears after one
        # clears after two resends
        ErrorSpec("CRMS", [("openresty-503", "Edited", 16)], [_resend("openresty-503"), _resend("ok-201")]),
        # never clears
        ErrorSpec("CDIS", [("nginx-504", "Booked", 12)], [_resend("nginx-504"), _resend("apigw-504")]),
        ErrorSpec("CDIS", [("postal-code-missing", "Received", 40)], problem=("contact_postal_code", "")),
        ErrorSpec("EMHware", [("phone-missing", "Edited Status - Ready", 9)], problem=("contact_phone", "")),
        ErrorSpec("CRMS", [("hcn-invalid", "Received", 50)], problem=("hcn", "12345678")),
        ErrorSpec("Ocean eReferral", [("hapi-bad-date", "Received", 8)], problem=("birth_date", "2026-13-45")),
        ErrorSpec("Ocean eReferral", [("hapi-valueset", "Edited", 6)], problem=("gender", "unknown-x")),
        ErrorSpec("Ocean eReferral", [("hapi-min-cardinality", "Received", 5)], problem=("family_name", "")),
        ErrorSpec("EMHware", [("spring-bad-request", "Booked", 70)]),
        ErrorSpec("CDIS", [("alb-400-html", "Message from Provider", 4)]),
        ErrorSpec("CRMS", [("empty-400", "Edited Status - Received", 3)]),
        ErrorSpec("EMHware", [("two-hundred-error", "Received", 26)]),
        ErrorSpec("CDIS", [("no-http-code", "Rescheduled/Unbooked", 2)]),
    ]


RULE_ERRORS: dict[str, ErrorSpec] = {
    "R1": ErrorSpec("CDIS", [("nginx-502", "Received", 6), ("ok-201", "Received", 5)]),
    "R2": ErrorSpec("EMHware", [("nginx-502", "Received", 5)], [_resend("ok-201")]),
    "R3": ErrorSpec("CRMS", [("nginx-504", "Edited", 5)], [_resend("ok-201", delay=600.0)]),
    "R4": ErrorSpec("CDIS", [("nginx-504", "Booked", 5)], [_resend("nginx-504"), _resend("nginx-504")]),
    "R5": ErrorSpec("CDIS", [("postal-code-missing", "Received", 5)], problem=("contact_postal_code", "")),
    "R6": ErrorSpec("EMHware", [("spring-bad-request", "Received", 5)]),
    "R7": ErrorSpec("EMHware", [("two-hundred-error", "Received", 5)]),
    "R8": ErrorSpec("CDIS", [("no-http-code", "Received", 5)]),
}
"""R3 ("pending") starts as a 504 whose resend stays Pending for 600 s (times time_scale)."""

TWO_DESTINATIONS: dict[str, ErrorSpec] = {
    # resolved: CDIS failed then succeeded, Ocean succeeded in between -> clear
    "R1_2d": ErrorSpec("CDIS", [("nginx-502", "Received", 6), ("ok-201", "Received", 4.5)],
                       also=[("ok-fhir-201", "Received", 5.5, "Ocean eReferral")]),
    # resend: EMHware's latest is a 502, although the newest attempt of all (CDIS) succeeded
    "R2_2d": ErrorSpec("EMHware", [("nginx-502", "Received", 5)], [_resend("ok-201")],
                       also=[("ok-201", "Received", 4, "CDIS")]),
    # fix: CRMS refused the postal code; CDIS, later, took the referral
    "R5_2d": ErrorSpec("CRMS", [("postal-code-missing", "Received", 5)], problem=("contact_postal_code", ""),
                       also=[("ok-201", "Received", 4, "CDIS")]),
}  # fmt: skip
"""``two_destinations=true``: referrals sent to two partner systems, attempts interleaved by date; each
destination is judged on its own latest attempt (procedure.md)."""


def demo(config: Config, now: datetime) -> World:
    b = Builder(config, now)
    errors = demo_errors() + (list(TWO_DESTINATIONS.values()) if config.two_destinations else [])
    slots = set(b.rng.sample(range(40), len(errors)))
    specs = iter(errors)
    return b.world([b.errored(i, next(specs)) if i in slots else b.referral(i) for i in range(40)])


def rules(config: Config, now: datetime) -> World:
    b = Builder(config, now)
    specs = RULE_ERRORS | (TWO_DESTINATIONS if config.two_destinations else {})
    referrals = [b.errored(i, spec) for i, spec in enumerate(specs.values())]
    rules_map = {rule: r.reference for rule, r in zip(specs, referrals, strict=True)}
    referrals += [b.referral(i) for i in range(len(referrals), len(referrals) + 4)]
    return b.world(referrals, rules_map)


def _large_specs(mix: str) -> Iterator[ErrorSpec]:
    read_only = ["postal-code-missing", "spring-bad-request", "hapi-bad-date", "two-hundred-error",
                 "alb-400-html", "no-http-code", "hcn-invalid", "empty-400"]  # fmt: skip
    k = 0
    while True:
        dest = DESTINATIONS[k % len(DESTINATIONS)]
        if mix == "read_only":
            yield ErrorSpec(dest, [(read_only[k % len(read_only)], "Received", 3)])
        elif mix == "resend" or k % 10 < 8:
            yield ErrorSpec(dest, [("nginx-502", "Received", 3)], [_resend("ok-201", 30.0)])
        elif k % 10 == 8:
            yield ErrorSpec(dest, [("postal-code-missing", "Received", 3)], problem=("contact_postal_code", ""))
        else:
            yield ErrorSpec(dest, [("nginx-504", "Received", 3)], [_resend("nginx-504", 30.0)] * 3)
        k += 1


def large(config: Config, now: datetime) -> World:
    """``size`` referrals, ``errors`` of them errored (mostly 502-then-success; see ``error_mix``)."""
    b = Builder(config, now)
    errored = set(b.rng.sample(range(config.size), config.errors))
    specs = _large_specs(config.error_mix)
    return b.world([b.errored(i, next(specs)) if i in errored else b.referral(i) for i in range(config.size)])


BUILDERS = {"demo": demo, "rules": rules, "large": large}


def build(config: Config, now: datetime) -> World:
    return BUILDERS[config.scenario](config, now)


def custom(world: World, specs: dict[str, dict[str, Any]], now: datetime) -> None:
    """Reset's ``referrals``: add (or replace) referrals described attempt by attempt.

    ``{ref: {"destination", "service", "attempts": [{"example" | "status"/"http_code"/"text",
    "trigger", "minutes_ago"}], "has_error", "script": [...], "problem_field", "fields": {...}}}``
    """
    b = Builder(Config(seed=len(world.referrals)), now)
    b.next_id = world.next_attempt_id
    by_ref = {r.reference: i for i, r in enumerate(world.referrals)}
    for reference, spec in specs.items():
        if not (reference.isdigit() and len(reference) == 10):
            raise ValueError(f"reference {reference!r} must be 10 digits")
        dest = str(spec.get("destination", "CDIS"))
        ref = b.referral(0, dest)
        ref.reference = reference
        ref.submitted = now - timedelta(minutes=float(spec.get("submitted_minutes_ago", 90)))
        ref.service = str(spec.get("service", ref.service))
        ref.attempts.clear()
        for item in spec.get("attempts", []):
            outcome = Outcome.from_dict({"delay": 0, **item})
            at = now - timedelta(minutes=float(item.get("minutes_ago", 60)))
            b.next_id += 1
            ref.attempts.append(Attempt(b.next_id - 1, at, str(item.get("trigger", "Received")),
                                        str(item.get("destination", dest)), outcome.status,
                                        outcome.http_code, outcome.text))  # fmt: skip
        ref.has_error = bool(spec.get("has_error", any(a.status == "failed" for a in ref.attempts)))
        ref.script = [Outcome.from_dict(o) for o in spec.get("script", [])]
        ref.problem_field = spec.get("problem_field")
        ref.fields.update({str(k): str(v) for k, v in spec.get("fields", {}).items()})
        if reference in by_ref:
            world.referrals[by_ref[reference]] = ref
        else:
            world.referrals.append(ref)
    world.referrals.sort(key=lambda r: r.submitted, reverse=True)
    world.next_attempt_id = b.next_id


PLANTED_FIELDS = {"dob": "birth_date", "hcn": "hcn", "postal_code": "contact_postal_code",
                  "phone": "contact_phone", "address": "address"}  # fmt: skip


def plant(world: World, planted: dict[str, str]) -> None:
    """``plant``: every errored referral carries the given details (name, DOB, HCN, ...), so tests can
    prove they never reach a log or a report. A field a save must fix keeps its bad value."""
    if not planted:
        return
    for referral in (r for r in world.referrals if r.has_error):
        if "name" in planted:
            referral.shown_name = planted["name"]
        for key, name in PLANTED_FIELDS.items():
            if key in planted and name != referral.problem_field:
                referral.fields[name] = planted[key]


__all__ = ["EXAMPLES", "World", "build", "custom", "plant"]
