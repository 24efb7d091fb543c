"""One response block judged on its own: what the agent would do if it were a fresh failed attempt.

Backs ``caredove-agent classify``, so staff and support can check a block by hand and the examples in
``tests/data/error-examples`` can be run through the very rules a sweep uses.
"""

from __future__ import annotations

from datetime import UTC, datetime

from agent.models import Attempt, AttemptStatus, ResponseRecord
from agent.policy import Policy
from agent.rules.decide import decide
from agent.rules.reader import read_response
from agent.rules.texts import read_text

_WHEN = datetime(2000, 1, 1, tzinfo=UTC)
"""A fixed date for the stand-in attempt: with no history, no rule looks at the clock."""


def classify(block: str, policy: Policy) -> dict[str, object]:
    """Reads ``block`` as the response of a failed attempt with no resend history and decides.

    Keys: http_code, category, clear, field, path, problem, fix, decision, rule, reason.
    """
    record: ResponseRecord = read_response(block)
    attempt = Attempt(at=_WHEN, trigger="Received", destination="partner", status=AttemptStatus.FAILED)
    decision = decide([attempt], record, [], policy, _WHEN)
    reading = decision.reading or read_text(record.text)
    return {
        "http_code": record.http_code,
        "category": decision.category,
        "clear": reading.clear,
        "field": reading.field,
        "path": reading.path,
        "problem": reading.problem if reading.clear else None,
        "fix": reading.fix,
        "decision": decision.kind.value,
        "rule": decision.rule,
        "reason": decision.reason,
    }
