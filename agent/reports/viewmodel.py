"""The report's view-model: small frozen objects the templates lay out, nothing left to decide.

view.py builds them from a SweepResult; history.py and charts.py build the index's. Each holds
display-ready strings (dates already in the page's style) and Refs that know their own link.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

# How many references each line of "what changed" names; the rest are counted (the sections list all).
CHANGES_SHOWN = 25


class View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Ref(View):
    """A reference number as the page shows it: its anchor on this page and its address on the site."""

    reference: str
    anchor: str
    href: str | None


class CountView(View):
    outcome: str
    label: str
    mark: str
    count: int
    previous: int | None
    delta: str
    section: str


class FixRow(View):
    """One referral staff must edit; rows of the same field sit together (most referrals first)."""

    ref: Ref
    field: str
    path: str | None
    problem: str
    fix: str
    nights_open: int
    destination: str
    http_status: str
    rule: str
    first_of_field: bool


class Escalation(View):
    ref: Ref
    destination: str
    trigger: str
    http_status: str
    reason: str
    rule: str
    nights_open: int
    ocean: bool
    message: str


class Outage(View):
    """Many 500-series escalations from one destination: one notice in Caredove's SLA words."""

    key: str
    destination: str
    refs: tuple[Ref, ...]
    http_codes: tuple[int, ...]
    first_attempt: str
    last_attempt: str
    resends: int
    ocean: bool
    message: str


class ActionLine(View):
    ref: Ref
    action: str
    at: str
    state: str
    outcome: str


class PendingItem(View):
    ref: Ref
    destination: str
    trigger: str
    last_attempt: str
    reason: str
    rule: str


class FailedItem(View):
    ref: Ref
    reason: str
    rule: str
    screenshot: str | None


class ClearedItem(View):
    ref: Ref
    destination: str
    what: str
    at: str
    rule: str


class OpenItem(View):
    ref: Ref
    nights_open: int


class Changes(View):
    """What changed since the previous real sweep of the same inbox."""

    previous: str
    new: tuple[Ref, ...]
    still_open: tuple[OpenItem, ...]
    gone: tuple[str, ...]
    limit: int = CHANGES_SHOWN


class ReportView(View):
    sweep_id: str
    title: str
    span: str
    duration: str
    zone: str
    site: str
    dry_run: bool
    complete: bool
    failure: str | None
    ui: str
    banner_count: int | None
    total: int
    linked: bool
    previous_id: str | None
    previous_started: str | None
    counts: tuple[CountView, ...]
    problems: tuple[str, ...]
    changes: Changes | None
    fixes: tuple[FixRow, ...]
    fix_fields: int
    outages: tuple[Outage, ...]
    escalations: tuple[Escalation, ...]
    escalation_total: int
    actions: tuple[ActionLine, ...]
    pending: tuple[PendingItem, ...]
    failed: tuple[FailedItem, ...]
    cleared: tuple[ClearedItem, ...]
