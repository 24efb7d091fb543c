"""The results as Markdown: one table per benchmark, each row with its target and verdict."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.batching import BatchResult
from bench.floor import FloorResult
from bench.growth import GrowthResult
from bench.profile import CallProfile
from bench.startup import StartupResult

FLOOR_TARGET = 1.3
GROWTH_TOLERANCE = 0.20


@dataclass
class Results:
    machine: dict[str, str]
    mode: str
    floor: FloorResult | None = None
    floor_late: FloorResult | None = None  # the same on the sandbox's asynchronous look
    batching: list[BatchResult] = field(default_factory=list)
    growth: list[GrowthResult] = field(default_factory=list)
    startup: StartupResult | None = None
    profile: tuple[int, CallProfile, CallProfile] | None = None  # (referrals, floor, sweep)
    seconds: float = 0.0


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def growth_change(growth: list[GrowthResult]) -> tuple[GrowthResult, GrowthResult] | None:
    """The two sizes the flatness target compares: 100 errors and the largest run."""
    base = next((g for g in growth if g.errors >= 100), None)
    last = growth[-1] if growth else None
    return (base, last) if base and last and last is not base else None


def render(r: Results) -> str:
    out = [f"Measured {r.machine.get('date', '')} in {r.seconds / 60:.1f} min ({r.mode}).", ""]
    out += ["| machine | |", "|---|---|", *[f"| {k} | {v} |" for k, v in r.machine.items() if k != "date"], ""]
    for f in (r.floor, r.floor_late):
        if f is None:
            continue
        look = "the asynchronous look: rows, window contents and Load more arrive late" if f.late else "today's look"
        out += [
            f"**Overhead against the floor, {look}** ({f.referrals} read-only errors, same browser, "
            f"best of {f.repeats})",
            "",
            "| run | s total | s / referral |",
            "|---|---:|---:|",
            f"| bare Playwright floor | {f.floor_seconds:.1f} | {f.floor_per_referral:.3f} |",
            f"| dry-run sweep | {f.sweep_seconds:.1f} | {f.sweep_per_referral:.3f} |",
            f"| **sweep ÷ floor** | **{f.ratio:.2f}×** "
            f"| target ≤ {FLOOR_TARGET}×: {verdict(f.ratio <= FLOOR_TARGET)} |",
            "",
        ]
    if r.batching:
        s = r.batching[0].settle
        m = r.batching[0].max_resends
        out += [
            f"**Resend batching** (K 502s whose resend succeeds at 0.8 S; settle S = {s:g} s, max_resends {m})",
            "",
            "| K | wall s | wall ÷ S | busy s (reading, clicking) | idle s | idle ÷ S | K × S s | resends | cleared "
            f"| target wall ≤ {m} × S + busy |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        out += [
            f"| {b.k} | {b.wall:.1f} | {b.wall / b.settle:.1f} | {b.busy:.1f} | {b.idle:.1f} "
            f"| {b.idle_over_settle:.2f} | {b.k * b.settle:.0f} | {b.resends} | {b.cleared}/{b.k} | {verdict(b.met)} |"
            for b in r.batching
        ]
        out.append("")
    if r.growth:
        out += [
            "**Growth** (dry runs of `large` inboxes, read-only errors, each by the real command)",
            "",
            "| errors | sweep s | s / referral | peak memory, agent + browser (MiB) | whole command s |",
            "|---:|---:|---:|---:|---:|",
        ]
        out += [
            f"| {g.errors:,} | {g.sweep_seconds:.1f} | {g.per_referral:.3f} | {g.peak_mib:.0f} "
            f"| {g.command_seconds:.1f} |"
            for g in r.growth
        ]
        pair = growth_change(r.growth)
        if pair:
            base, last = pair
            dt = last.per_referral / base.per_referral - 1
            dm = last.peak_bytes / base.peak_bytes - 1
            ok = abs(dt) <= GROWTH_TOLERANCE and abs(dm) <= GROWTH_TOLERANCE
            out += [
                f"| **{base.errors:,} → {last.errors:,}** | | **{dt:+.0%}** | **{dm:+.0%}** "
                f"| target within ±{GROWTH_TOLERANCE:.0%}: {verdict(ok)} |",
            ]
        out.append("")
    if r.startup:
        st = r.startup
        out += [
            "**Start-up** (`caredove-agent sweep --dry-run` launched → the sandbox's first page request, best of runs)",
            "",
            "| to first page request | of which: Python + agent imports | Playwright driver | Chromium launch |",
            "|---:|---:|---:|---:|",
            f"| {st.to_first_request:.2f} s | {st.imports:.2f} s | {st.driver:.2f} s | {st.launch:.2f} s |",
            "",
        ]
    if r.profile:
        n, floor, sweep = r.profile
        out += [f"**Where the time goes** (Playwright calls per referral, {n} referrals, one run each)", ""]
        out += ["| call | floor: calls | floor: ms | sweep: calls | sweep: ms |", "|---|---:|---:|---:|---:|"]
        f_rows = {name: (c, ms) for name, c, ms in floor.per_referral(n)}
        for name, c, ms in sweep.per_referral(n):
            fc, fms = f_rows.pop(name, (0.0, 0.0))
            out.append(f"| {name} | {fc:.1f} | {fms:.0f} | {c:.1f} | {ms:.0f} |")
        for name, (fc, fms) in f_rows.items():
            out.append(f"| {name} | {fc:.1f} | {fms:.0f} | 0 | 0 |")
        ftot = sum(ms for _, _, ms in floor.per_referral(n))
        stot = sum(ms for _, _, ms in sweep.per_referral(n))
        fcalls = sum(c for _, c, _ in floor.per_referral(n))
        scalls = sum(c for _, c, _ in sweep.per_referral(n))
        out += [f"| **all** | **{fcalls:.1f}** | **{ftot:.0f}** | **{scalls:.1f}** | **{stot:.0f}** |", ""]
    return "\n".join(out)
