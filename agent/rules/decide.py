"""procedure.md's table as one pure function: attempts, the response, the agent's own resends and ``now``
in, a :class:`Decision` with its rule id (R1–R8) and a reason a support lead can read out.

Rule ids are stable: reports, the ledger and support conversations refer to them.

    R1  latest attempt (to every destination) succeeded → clear
    R2  failed 500–599, resends left in this failure    → resend
    R3  pending, or the agent's resend has no result yet → wait (escalate after 24 h without a new attempt)
    R4  failed 500–599, resends used up                 → escalate
    R5  failed 400–499, the reply says what to fix      → fix (never resent: re-saving sends it again)
    R6  failed 400–499, no clear message                → escalate
    R7  failed 200–299                                  → escalate, or clear when the policy says 2xx is success
    R8  unreadable response, another code, no attempt   → escalate

Each destination is judged on its own latest attempt (procedure.md); :func:`_combine` makes one
decision of them, naming the destination it concerns. Resends in one failure are counted both from
the agent's ledger (:func:`resends_used`) and from the window's own history (:func:`resends_seen`).

Reasons name codes, counts and dates of the agent's own actions; never a registrant or the partner's
text beyond what :func:`agent.rules.wording.explain` lets through.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from agent.models import Attempt, AttemptStatus, Decision, DecisionKind, ResendRecord, ResponseRecord
from agent.policy import Policy
from agent.rules.texts import read_text
from agent.rules.wording import explain

RESEND_LOST_AFTER = timedelta(hours=24)
"""A Resend clicked this long ago that still produced no attempt is taken to support, not waited on."""

# On equal dates the least settled status wins, so a tie never clears or resends what may still run.
_CAUTION = {AttemptStatus.PENDING: 2, AttemptStatus.FAILED: 1, AttemptStatus.SUCCESS: 0}


def instant(moment: datetime) -> datetime:
    """Makes dates comparable: naive ones are taken as UTC (one source gives all of them, so it is consistent)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def latest_attempt(attempts: Sequence[Attempt]) -> Attempt | None:
    """The newest attempt by its date, whatever the row order; on a tie pending > failed > success."""
    if not attempts:
        return None
    return max(attempts, key=lambda a: (instant(a.at), _CAUTION[a.status]))


def decide(
    attempts: Sequence[Attempt],
    response: ResponseRecord | Mapping[str, ResponseRecord] | None,
    history: Sequence[ResendRecord],
    policy: Policy,
    now: datetime,
) -> Decision:
    """What to do about one referral, exactly as procedure.md's table says, judged per destination.

    ``response``: the response tabs read, keyed by attempt key (see :func:`responses_needed`); a bare
    record is the response of the newest failed latest attempt (the one-destination case).
    ``history`` is every Resend the agent clicked (or was about to click) on this referral, confirmed
    or not. A window with one destination is decided exactly as before; with several, each
    destination is decided on its own attempts and the verdicts are combined by :func:`_combine`.
    """
    groups = by_destination(attempts)
    if not groups:
        return Decision(
            kind=DecisionKind.ESCALATE,
            rule="R8",
            category="unreadable",
            reason="The Integration Triggers window shows no attempt at all, so there is nothing to act on: "
            "unreadable response, take it to Caredove support.",
        )
    responses = _responses(attempts, response)
    keys = {a.key for a in attempts}
    parts = []
    for destination, own in groups.items():
        latest = latest_attempt(own)
        assert latest is not None
        mine = {a.key for a in own}
        # A record whose attempt is not in the window any more counts for every destination: caution.
        records = [r for r in history if r.answers in mine or r.answers not in keys]
        decision = _decide_one(own, responses.get(latest.key), records, policy, now)
        parts.append(decision.model_copy(update={"destination": destination}))
    return parts[0] if len(parts) == 1 else _combine(parts)


def by_destination(attempts: Sequence[Attempt]) -> dict[str, tuple[Attempt, ...]]:
    """The window's attempts per destination (partner system), destinations in name order."""
    groups: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        groups.setdefault(attempt.destination, []).append(attempt)
    return {name: tuple(groups[name]) for name in sorted(groups)}


def latest_per_destination(attempts: Sequence[Attempt]) -> tuple[Attempt, ...]:
    """Each destination's latest attempt, oldest first."""
    found = [latest_attempt(own) for own in by_destination(attempts).values()]
    return tuple(sorted((a for a in found if a is not None), key=lambda a: instant(a.at)))


def responses_needed(attempts: Sequence[Attempt]) -> tuple[Attempt, ...]:
    """The attempts whose response tab the rules read: each destination's latest, where it failed."""
    return tuple(a for a in latest_per_destination(attempts) if a.status is AttemptStatus.FAILED)


def _responses(
    attempts: Sequence[Attempt], response: ResponseRecord | Mapping[str, ResponseRecord] | None
) -> Mapping[str, ResponseRecord]:
    if response is None:
        return {}
    if isinstance(response, ResponseRecord):
        failed = responses_needed(attempts)
        return {failed[-1].key: response} if failed else {}
    return response


# Which destination's verdict the referral follows: the least final first. A pending destination is
# waited on before anything is clicked (no Resend while any attempt of the referral runs); a Resend
# comes before a report; an escalation before a fix; a clear only when every destination says clear.
_PRECEDENCE = {
    DecisionKind.WAIT: 0,
    DecisionKind.RESEND: 1,
    DecisionKind.ESCALATE: 2,
    DecisionKind.FIX: 3,
    DecisionKind.CLEAR: 4,
}


def _combine(parts: Sequence[Decision]) -> Decision:
    """One decision for a referral sent to several destinations, from each destination's own decision.

    R1 only when every destination's latest attempt succeeded (R7 when the 2xx setting cleared one);
    otherwise the verdict of the first destination by :data:`_PRECEDENCE` (ties: the oldest latest
    attempt, i.e. the first in ``parts`` order), with the destination named and the others' verdicts
    appended, so a report never hides what another destination needs."""
    if all(p.kind is DecisionKind.CLEAR for p in parts):
        rule = "R7" if any(p.rule == "R7" for p in parts) else "R1"
        names = ", ".join(str(p.destination) for p in parts)
        return parts[0].model_copy(
            update={
                "rule": rule,
                "destination": None,
                "reason": f"The latest attempt to every destination ({names}) succeeded"
                + (" or counts as success (200-series setting)" if rule == "R7" else "")
                + ", but the error is still shown: clear it.",
            }
        )
    chosen = min(parts, key=lambda p: _PRECEDENCE[p.kind])
    others = [
        f"{p.destination}: " + ("its latest attempt succeeded." if p.kind is DecisionKind.CLEAR else p.reason)
        for p in parts
        if p is not chosen
    ]
    reason = f"{chosen.destination}: {chosen.reason} Other destinations — " + " ".join(others)
    return chosen.model_copy(update={"reason": reason})


def _decide_one(
    attempts: Sequence[Attempt],
    response: ResponseRecord | None,
    history: Sequence[ResendRecord],
    policy: Policy,
    now: datetime,
) -> Decision:
    """procedure.md's table for the attempts to one destination."""
    latest = latest_attempt(attempts)
    assert latest is not None
    key = latest.key
    if latest.status is AttemptStatus.SUCCESS:
        return Decision(
            kind=DecisionKind.CLEAR,
            rule="R1",
            attempt_key=key,
            reason=f"The latest attempt ({_when(latest.at)}) succeeded, but the error is still shown: clear it.",
        )
    if latest.status is AttemptStatus.PENDING:
        return _pending(latest, history)

    answered = [r for r in history if r.answers == key]
    if answered:
        return _already_resent(latest, answered, response, now)

    if response is None or not response.readable or response.http_code is None:
        why = response.problem if response is not None and response.problem else "the response tab did not load"
        return Decision(
            kind=DecisionKind.ESCALATE,
            rule="R8",
            category="unreadable",
            attempt_key=key,
            reason=f"The latest attempt failed and its response could not be read ({why}). "
            "Unreadable response: the agent does not act on a guess; take it to Caredove support.",
        )
    code = response.http_code
    if 500 <= code <= 599:
        return _server_error(latest, attempts, history, policy, code)
    if 400 <= code <= 499:
        return _client_error(latest, response, code)
    if 200 <= code <= 299:
        return _two_hundred(latest, policy, code)
    return Decision(
        kind=DecisionKind.ESCALATE,
        rule="R8",
        http_code=code,
        category="other",
        attempt_key=key,
        reason=f"The latest attempt failed with http_code {code}, which the procedure does not cover "
        "(only 200-, 400- and 500-series codes): take it to Caredove support.",
    )


def _pending(latest: Attempt, history: Sequence[ResendRecord]) -> Decision:
    ours = any(r.produced == latest.key for r in history) or any(
        r.produced is None and instant(r.answers_at) < instant(latest.at) for r in history
    )
    who = "the agent's own Resend" if ours else "an attempt the agent did not start (for example a staff re-save)"
    return Decision(
        kind=DecisionKind.WAIT,
        rule="R3",
        attempt_key=latest.key,
        reason=f"The latest attempt ({_when(latest.at)}) is pending; it is {who}. "
        "Waiting for its result; no second click.",
    )


def _already_resent(
    latest: Attempt, answered: Sequence[ResendRecord], response: ResponseRecord | None, now: datetime
) -> Decision:
    """The agent clicked Resend on this very failure before (perhaps killed right after): never again."""
    clicked = max(instant(r.clicked_at) for r in answered)
    code = response.http_code if response is not None and response.readable else None
    if instant(now) - clicked >= RESEND_LOST_AFTER:
        return Decision(
            kind=DecisionKind.ESCALATE,
            rule="R3",
            http_code=code,
            category=category(code),
            attempt_key=latest.key,
            reason=f"The agent clicked Resend on {_when(clicked)} for the failed attempt of {_when(latest.at)}, "
            "but no new attempt has appeared in more than 24 hours: the resend never produced an attempt. "
            "Not clicking again; take it to Caredove support.",
        )
    return Decision(
        kind=DecisionKind.WAIT,
        rule="R3",
        http_code=code,
        category=category(code),
        attempt_key=latest.key,
        reason=f"Resend already sent on {_when(clicked)} for the failed attempt of {_when(latest.at)}, "
        "no new attempt yet; not clicking again.",
    )


def resends_used(attempts: Sequence[Attempt], history: Sequence[ResendRecord]) -> int:
    """Resends in the current failure: those answering attempts since the newest one the agent did not cause.

    An attempt is the agent's when a resend record says it produced it, or, for a record whose result
    was never seen, when it is the first attempt after the one the resend answered. A staff re-save
    is not the agent's, so it starts a new count.
    """
    ordered = sorted(attempts, key=lambda a: instant(a.at))
    caused = {r.produced for r in history if r.produced}
    for record in history:
        if record.produced is None:
            later = [a for a in ordered if instant(a.at) > instant(record.answers_at)]
            if later:
                first = instant(later[0].at)
                caused.update(a.key for a in later if instant(a.at) == first)
    baseline = next((a for a in reversed(ordered) if a.key not in caused), None)
    if baseline is None:
        return len(history)
    return sum(1 for r in history if instant(r.answers_at) >= instant(baseline.at))


def resends_seen(attempts: Sequence[Attempt]) -> int:
    """Resends the window's own history shows for the current failure, whoever clicked them.

    The article's Resend makes a new attempt with the same trigger and the same destination; a staff
    re-save or any other event makes an attempt with its own trigger (``Edited``, ``Booked``, …). So the
    resends visible are the failed attempts just before the latest failed one, in an unbroken run of
    failures with the latest's trigger; a success or another trigger ends the run (a new failure, a
    new count). Pass one destination's attempts. A staff re-save of an ``Edited`` attempt looks like a
    resend here: that errs towards escalating sooner, never towards resending more.
    """
    ordered = sorted(attempts, key=lambda a: (instant(a.at), _CAUTION[a.status]))
    if not ordered or ordered[-1].status is not AttemptStatus.FAILED:
        return 0
    latest, run = ordered[-1], 0
    for earlier in reversed(ordered[:-1]):
        if earlier.status is not AttemptStatus.FAILED or earlier.trigger != latest.trigger:
            break
        run += 1
    return run


def _server_error(
    latest: Attempt, attempts: Sequence[Attempt], history: Sequence[ResendRecord], policy: Policy, code: int
) -> Decision:
    # The agent's own resends show in the window too, so the larger count is the truth, not the sum;
    # the window's count is what stops a fresh ledger (a new machine) from resending a stuck 503 again.
    ours, seen = resends_used(attempts, history), resends_seen(attempts)
    used = max(ours, seen)
    tried = "not resent yet" if used == 0 else f"resent {used} time{'s' if used != 1 else ''} already"
    if seen > ours:
        tried += " (as the window's own history shows)"
    if used < policy.max_resends:
        return Decision(
            kind=DecisionKind.RESEND,
            rule="R2",
            http_code=code,
            category="5xx",
            attempt_key=latest.key,
            reason=f"The latest attempt failed with http_code {code} (a 500-series error) and was {tried} "
            f"in this failure (at most {policy.max_resends}): click Resend once and wait for the result.",
        )
    who = "the agent" if seen <= ours else "the window's history shows it was"
    return Decision(
        kind=DecisionKind.ESCALATE,
        rule="R4",
        http_code=code,
        category="5xx",
        attempt_key=latest.key,
        reason=f"500-series error that does not clear after Resend: http_code {code} again after {who} "
        f"resent {used} time{'s' if used != 1 else ''}; take it to Caredove support.",
    )


def _client_error(latest: Attempt, response: ResponseRecord, code: int) -> Decision:
    reading = read_text(response.text)
    if reading.clear:
        return Decision(
            kind=DecisionKind.FIX,
            rule="R5",
            http_code=code,
            category="4xx",
            attempt_key=latest.key,
            reading=reading,
            reason=f"The latest attempt failed with http_code {code} and {explain(reading)}. Staff must edit "
            "the referral and re-save it; the agent never resends a 400-series error (re-saving sends it again).",
        )
    return Decision(
        kind=DecisionKind.ESCALATE,
        rule="R6",
        http_code=code,
        category="4xx",
        attempt_key=latest.key,
        reading=reading,
        reason=f"400-series error without a clear message: http_code {code} and {explain(reading)}. "
        "Not resent (never for a 400); take it to Caredove support.",
    )


def _two_hundred(latest: Attempt, policy: Policy, code: int) -> Decision:
    if policy.treat_2xx_as_success:
        return Decision(
            kind=DecisionKind.CLEAR,
            rule="R7",
            http_code=code,
            category="2xx",
            attempt_key=latest.key,
            reason=f"The latest attempt is marked failed with http_code {code}; the setting that treats a "
            "200-series code as success (the newer article) is on: clear it.",
        )
    return Decision(
        kind=DecisionKind.ESCALATE,
        rule="R7",
        http_code=code,
        category="2xx",
        attempt_key=latest.key,
        reason=f"200-series error code: the latest attempt is marked failed with http_code {code}. "
        "Not resent; take it to Caredove support.",
    )


def category(code: int | None) -> str:
    """``2xx``, ``4xx``, ``5xx``, ``other`` or ``unreadable``: how reports group decisions."""
    if code is None:
        return "unreadable"
    for low, name in ((200, "2xx"), (400, "4xx"), (500, "5xx")):
        if low <= code <= low + 99:
            return name
    return "other"


def _when(moment: datetime) -> str:
    return instant(moment).strftime("%Y-%m-%d %H:%M %Z").strip()
