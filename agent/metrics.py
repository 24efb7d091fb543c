"""Metrics for those who scrape: a Prometheus textfile per schedule, written atomically after each run.

node_exporter's textfile collector reads every ``*.prom`` file in its folder at each scrape; a file
half written would be read half, so the file is written with ``prometheus_client.write_to_textfile``
(a temporary file renamed into place). What alerting needs from an unattended sweep:

    caredove_agent_last_run_timestamp_seconds     when the last run (good or not) ended
    caredove_agent_last_run_success               1 when it swept everything it should, 0 on failure or trouble
    caredove_agent_last_success_timestamp_seconds the newest good sweep of the inbox (0: none yet)
    caredove_agent_sweep_duration_seconds         the last run's duration
    caredove_agent_referrals{outcome}             the last sweep's count per outcome
    caredove_agent_banner_count                   what the banner said
    caredove_agent_referrals_not_seen             counted by the banner, not in the report
    caredove_agent_resends / _clears              clicks the last sweep made (confirmed, not planned)
    caredove_agent_problems, _sweep_complete, _dry_run

After a run that failed before any result, only the run metrics and the last success are written:
the per-outcome numbers are not known, and a zero would claim they are.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

from agent.models import ActionType, Outcome, SweepResult
from agent.notify.changes import not_seen, trouble

LABELS = ("schedule", "inbox")
METRICS_MODE = 0o644


def clicks(result: SweepResult, kind: ActionType) -> int:
    """Confirmed clicks of one kind in the sweep (a dry run's planned ones are not clicks)."""
    return sum(1 for r in result.referrals for a in r.actions if a.type is kind and a.confirmed and not a.planned)


def good(result: SweepResult) -> bool:
    return not trouble(result)


def registry_for(
    *,
    schedule: str,
    inbox: str,
    result: SweepResult | None,
    history: Sequence[SweepResult],
    started: datetime,
    ended: datetime,
    in_trouble: bool | None = None,
) -> CollectorRegistry:
    """The metrics of one run (``result`` None: it failed); pure apart from building the registry.
    ``in_trouble``: the caller's verdict on this run (with the inbox's baseline); else judged alone."""
    registry = CollectorRegistry()
    labels = {"schedule": schedule, "inbox": inbox}

    def gauge(name: str, doc: str, value: float, extra: dict[str, str] | None = None) -> None:
        names = LABELS + tuple(extra or {})
        metric = Gauge(f"caredove_agent_{name}", doc, names, registry=registry)
        metric.labels(**labels, **(extra or {})).set(value)

    ok = result is not None and (not in_trouble if in_trouble is not None else good(result))
    goods = [h for h in history if h.base_url == inbox and good(h)]
    if result is not None and ok:
        goods.append(result)
    last_good = max((h.finished_at for h in goods), default=None)
    gauge("last_run_timestamp_seconds", "When the last scheduled run ended.", ended.timestamp())
    gauge("last_run_success", "1 when the last run swept everything it should, else 0.", 1.0 if ok else 0.0)
    gauge(
        "last_success_timestamp_seconds",
        "End of the newest sweep of the inbox without trouble (0: none).",
        last_good.timestamp() if last_good else 0.0,
    )
    gauge("sweep_duration_seconds", "How long the last run took.", max(0.0, (ended - started).total_seconds()))
    if result is None:
        return registry
    outcomes = Gauge("caredove_agent_referrals", "Referrals per outcome in the last sweep.", (*LABELS, "outcome"),
                     registry=registry)  # fmt: skip
    for outcome in Outcome:
        outcomes.labels(**labels, outcome=outcome.value).set(result.summary.get(outcome.value, 0))
    banner = -1.0 if result.banner_count is None else float(result.banner_count)
    gauge("banner_count", "Referrals the banner counted (-1: not read).", banner)
    gauge("referrals_not_seen", "Referrals the banner counted that the sweep did not report.", not_seen(result))
    gauge("resends", "Resends the last sweep clicked.", clicks(result, ActionType.RESEND))
    gauge("clears", "Clears the last sweep clicked.", clicks(result, ActionType.CLEAR))
    gauge("problems", "Sweep-level problems in the last sweep.", len(result.problems))
    gauge("sweep_complete", "1 when the last sweep ran to the end.", 1.0 if result.complete else 0.0)
    gauge("dry_run", "1 when the last sweep was a dry run.", 1.0 if result.dry_run else 0.0)
    return registry


def write_metrics(path: Path, registry: CollectorRegistry) -> None:
    """Atomically replaces ``path``, readable by node_exporter's own user.

    The agent's umask keeps its files private (0077), which would hide this one from the collector;
    it holds counts and the inbox's address only, so it is made 0644 before it is renamed into place.
    The staging name does not end in ``.prom``, so the collector never reads it half written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write_to_textfile(str(staging), registry)  # the client's own writer (itself a temporary file renamed)
    os.chmod(staging, METRICS_MODE)
    os.replace(staging, path)
