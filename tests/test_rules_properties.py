"""Whatever the response tab shows, the reader and read_text answer with a valid model and never raise;
whatever the inputs, decide() keeps the procedure's never-list."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.models import Attempt, AttemptStatus, DecisionKind, ResendRecord, ResponseFormat, ResponseRecord, TextReading
from agent.policy import Policy
from agent.rules.decide import decide, latest_attempt
from agent.rules.reader import read_response
from agent.rules.texts import read_text

FAST = settings(max_examples=60, deadline=None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
records = st.fixed_dictionaries(
    {"http_code": st.one_of(st.integers(-10, 1000), st.text(max_size=5), st.none())},
    optional={"text": st.text(max_size=200), "url": st.text(max_size=30), "info": json_values},
)


def truncated_json(record: dict[str, object], cut: int) -> str:
    text = json.dumps(record, indent=2)
    return text[: cut % (len(text) + 1)]


def print_r_fragment(pairs: list[tuple[str, str]], close: bool) -> str:
    body = "".join(f"    [{k}] => {v}\n" for k, v in pairs)
    return "Array\n(\n" + body + (")\n" if close else "")


html_pages = st.builds(
    lambda title, body: f"<html><head><title>{title}</title></head><body><h1>{body}</h1></body></html>",
    st.text(max_size=40),
    st.text(max_size=80),
)
blocks = st.one_of(
    st.text(max_size=500),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.builds(truncated_json, records, st.integers(0, 10_000)),
    records.map(json.dumps),
    st.builds(
        print_r_fragment, st.lists(st.tuples(st.text(max_size=12), st.text(max_size=40)), max_size=6), st.booleans()
    ),
    html_pages,
)


@FAST
@given(blocks)
def test_reader_never_raises_and_never_guesses(block: str) -> None:
    record = read_response(block)
    assert isinstance(record, ResponseRecord)
    if record.readable:
        assert record.http_code is not None and 100 <= record.http_code <= 599
        assert record.problem is None
    else:
        assert record.format is ResponseFormat.UNREADABLE
        assert record.http_code is None
        assert record.problem


@FAST
@given(st.one_of(st.none(), blocks, json_values.map(json.dumps)))
def test_read_text_never_raises(text: str | None) -> None:
    reading = read_text(text)
    assert isinstance(reading, TextReading)
    assert "\n" not in reading.message
    assert reading.clear is (reading.fix is not None)


T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
attempts_st = st.lists(
    st.builds(
        lambda minutes, status, trigger: Attempt(
            at=T0 + timedelta(minutes=minutes), trigger=trigger, destination="CDIS", status=status
        ),
        st.integers(0, 120),
        st.sampled_from(list(AttemptStatus)),
        st.sampled_from(["Received", "Edited"]),
    ),
    max_size=6,
)


@FAST
@given(
    attempts_st,
    st.one_of(st.none(), st.integers(0, 700)),
    st.lists(st.tuples(st.integers(0, 5), st.booleans(), st.booleans()), max_size=4),
    st.integers(1, 5),
    st.booleans(),
    st.integers(0, 3000),
)
def test_decide_keeps_the_never_list(
    attempts: list[Attempt],
    code: int | None,
    resends: list[tuple[int, bool, bool]],
    max_resends: int,
    two_xx: bool,
    minutes_later: int,
) -> None:
    response = read_response(json.dumps({"http_code": code, "text": "Bad Request"}))
    history = [
        ResendRecord(
            answers=attempts[i % len(attempts)].key,
            answers_at=attempts[i % len(attempts)].at,
            clicked_at=attempts[i % len(attempts)].at + timedelta(minutes=1),
            confirmed=confirmed,
            produced=attempts[(i + 1) % len(attempts)].key if has_result else None,
        )
        for i, confirmed, has_result in resends
        if attempts
    ]
    policy = Policy(max_resends=max_resends, treat_2xx_as_success=two_xx)
    decision = decide(attempts, response, history, policy, T0 + timedelta(minutes=minutes_later))
    latest = latest_attempt(attempts)
    assert decision.rule in {f"R{n}" for n in range(1, 9)}
    assert decision.reason
    if decision.kind is DecisionKind.RESEND:  # never 1 and never 2
        assert latest is not None and latest.status is AttemptStatus.FAILED
        assert response.http_code is not None and 500 <= response.http_code <= 599
        assert not any(r.answers == latest.key for r in history)
    if decision.kind is DecisionKind.CLEAR:  # never 3, except the 2xx setting
        assert latest is not None
        assert latest.status is AttemptStatus.SUCCESS or (two_xx and decision.rule == "R7")
    if latest is not None and latest.status is AttemptStatus.PENDING:
        assert decision.kind is DecisionKind.WAIT
