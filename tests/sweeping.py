"""Helpers for the sweep tests: run a sweep on the sandbox, and read the sandbox's record the way the
never-list is written."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise
from typing import Any

from playwright.sync_api import Browser

from agent.models import SweepRun
from agent.policy import Policy
from agent.run import sweep_and_report
from agent.settings import Settings
from sandbox.control import SandboxControl

STATE_CHANGING = {"resend", "clear", "save"}
NEVER_FINISHES = [{"status": "success", "http_code": 201, "text": "", "delay": 1_000_000}]


def reset_rules(sandbox: SandboxControl, **options: Any) -> dict[str, Any]:
    """The `rules` scenario with R3's resend pending for good, so "pending" never races the clock."""
    refs = sandbox.reset(scenario="rules", **options)["rules"]
    scripts = {refs["R3"]: NEVER_FINISHES, **options.pop("scripts", {})}
    return sandbox.reset(scenario="rules", scripts=scripts, **options)


def sweep(
    settings: Settings, browser: Browser | None = None, *, policy: dict[str, Any] | None = None, **changes: Any
) -> SweepRun:
    """One full sweep (lock, ledger, reports; the session's browser) with some settings changed."""
    if policy:
        changes["policy"] = Policy(**{**settings.policy.model_dump(), **policy})
    return sweep_and_report(settings.model_copy(update=changes), browser=browser)


def outcomes(run: SweepRun) -> dict[str, str]:
    return {r.reference: r.outcome.value for r in run.result.referrals}


def by_reference(record: list[dict[str, Any]], kind: str) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in record:
        if event["kind"] == kind:
            found[event["reference"]].append(event)
    return found


def assert_never_list_held(record: list[dict[str, Any]], *, allow_2xx_clear: bool = False) -> None:
    """Never-items 1–4, read from what the sandbox saw (not from what the agent says it did)."""
    for event in record:
        before = event.get("before") or {}
        if event["kind"] == "resend":
            code = before.get("latest_http_code")
            assert before.get("latest_status") == "failed", f"resend of a non-failed attempt: {event}"
            assert code is not None and 500 <= code <= 599, f"resend of a non-5xx failure: {event}"
        if event["kind"] == "clear":
            # never-item 3, per destination: every destination's latest attempt succeeded, none pending
            latest = list((before.get("destinations") or {}).values()) or [
                {"status": before.get("latest_status"), "http_code": before.get("latest_http_code")}
            ]
            ok = all(
                d["status"] == "success" or (allow_2xx_clear and 200 <= (d.get("http_code") or 0) <= 299)
                for d in latest
            )
            assert ok and not before.get("pending"), f"clear while a destination failed or is pending: {event}"
        assert event["kind"] != "save", f"the agent edited a referral: {event}"
    for reference, resends in by_reference(record, "resend").items():
        for first, second in pairwise(resends):
            assert second["before"]["attempts"] > first["before"]["attempts"], (
                f"referral {reference}: a second Resend without a new attempt in between"
            )
            assert not second["before"]["pending"], f"referral {reference}: Resend while an attempt was pending"
