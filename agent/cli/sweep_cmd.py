"""`caredove-agent sweep` (one sweep of the configured inbox) and `caredove-agent demo` (the sandbox)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from agent.cli.common import (
    BaseUrlOpt,
    ConfigOpt,
    HeadlessOpt,
    MaxResendsOpt,
    ReportDirOpt,
    SettleOpt,
    SlowMoOpt,
    StateOpt,
    TraceOpt,
    build_settings,
)
from agent.cli.running import print_run, stop_on_signals
from agent.cli.schedule_cmd import fire_named, refuse_sweep_flags
from agent.logs import configure_logging
from agent.run import sweep_and_report
from agent.settings import Settings

DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Decide and report; click nothing that changes anything.")]
OnlyOpt = Annotated[
    list[str] | None, typer.Option("--only", help="Sweep only this reference number (repeatable).", show_default=False)
]
MaxActionsOpt = Annotated[
    int | None, typer.Option("--max-actions", help="Stop clicking after N clicks; the rest is reported pending.")
]
ProgressOpt = Annotated[
    bool, typer.Option("--progress/--quiet", help="Show progress on stderr (a bar on a terminal, lines elsewhere).")
]
LogFormatOpt = Annotated[
    str, typer.Option("--log-format", help="text, or json (one object per line) for a log collector.")
]
LogLevelOpt = Annotated[str, typer.Option("--log-level", help="DEBUG, INFO, WARNING (default) or ERROR.")]
ScheduleOpt = Annotated[
    str | None,
    typer.Option(
        "--schedule",
        metavar="NAME",
        help="Sweep as schedule NAME does, with all its settings (= `schedule run --now NAME`); other flags unused.",
    ),
]
LockWaitOpt = Annotated[
    float, typer.Option("--wait-for-lock", help="Seconds to wait if another sweep of this inbox is running.")
]


def scrubbed_logs(settings: Settings, log_format: str, log_level: str) -> None:
    """Every log line goes through the scrubbing filter, which knows the configured password."""
    if log_format not in ("text", "json"):
        raise typer.BadParameter("--log-format must be text or json")
    secrets = [settings.password.get_secret_value()] if settings.password else []
    configure_logging("json" if log_format == "json" else "text", log_level.upper(), secrets=secrets)


def sweep(
    config: ConfigOpt = None,
    base_url: BaseUrlOpt = None,
    state: StateOpt = None,
    report_dir: ReportDirOpt = None,
    max_resends: MaxResendsOpt = None,
    settle: SettleOpt = None,
    headless: HeadlessOpt = None,
    slow_mo: SlowMoOpt = None,
    trace: TraceOpt = None,
    dry_run: DryRunOpt = False,
    only: OnlyOpt = None,
    max_actions: MaxActionsOpt = None,
    progress: ProgressOpt = True,
    wait_for_lock: LockWaitOpt = 0.0,
    log_format: LogFormatOpt = "text",
    log_level: LogLevelOpt = "WARNING",
    schedule: ScheduleOpt = None,
) -> None:
    """Sweep the inbox once: resend 500-series errors, clear resolved ones, report the rest.

    Prints the path of report.json and report.html. Exit 0 when the sweep ran (even with escalations).
    """
    if schedule is not None:
        refuse_sweep_flags(
            schedule,
            {"--dry-run": dry_run or None, "--only": only or None, "--max-actions": max_actions,
             "--base-url": base_url, "--state": state, "--report-dir": report_dir,
             "--max-resends": max_resends, "--settle": settle},
        )  # fmt: skip
        fire_named(config, schedule, log_format=log_format, log_level=log_level)
        return
    settings = build_settings(
        config,
        base_url=base_url,
        state=state,
        report_dir=report_dir,
        headless=headless,
        slow_mo=slow_mo,
        trace=trace,
        dry_run=dry_run or None,
        only=only or None,
        max_actions=max_actions,
        **{"policy.max_resends": max_resends, "policy.settle_seconds": settle},
    )
    scrubbed_logs(settings, log_format, log_level)
    with stop_on_signals() as stop:
        run = sweep_and_report(settings, progress=progress, lock_wait=wait_for_lock, stop=stop)
    print_run(run)


def demo(
    report_dir: ReportDirOpt = None,
    ui: Annotated[str, typer.Option("--ui", help="Which article's screens: older or newer.")] = "older",
    headless: HeadlessOpt = None,
    dry_run: DryRunOpt = False,
    progress: ProgressOpt = True,
    keep_serving: Annotated[
        bool, typer.Option("--keep-serving", help="Leave the sandbox running afterwards to look at it.")
    ] = False,
) -> None:
    """Start the sandbox's `demo` inbox on this machine, sweep it, print where the report is."""
    from sandbox.control import SandboxControl  # only the demo (and the tests) start the sandbox
    from sandbox.server import SandboxServer

    if ui not in ("older", "newer"):
        raise typer.BadParameter("--ui must be older or newer")
    state_dir = Path("state")
    demo_ledger = state_dir / "demo-ledger.sqlite"
    for leftover in state_dir.glob("demo-ledger.sqlite*"):
        leftover.unlink()  # a fresh sandbox is a fresh inbox: the ledger starts afresh too
    with SandboxServer() as server:
        control = SandboxControl(server.base_url)
        answer = control.reset(scenario="demo", ui=ui, time_scale=0.02)
        print(f"sandbox inbox at {server.base_url} (demo scenario, {ui} screens)", file=sys.stderr)
        settings: Settings = build_settings(
            None,
            base_url=server.base_url,
            username=answer.get("username", "staff@clinic.example"),
            password=answer.get("password", "sandbox-password"),
            state=demo_ledger,
            report_dir=report_dir or Path("reports") / "demo",  # never among the real sweeps' history
            referral_url="{base_url}/referrals/{reference}",  # where the sandbox keeps a referral
            headless=headless,
            dry_run=dry_run or None,
            timeout_seconds=10.0,
            **{"policy.settle_seconds": 6.0, "policy.poll_seconds": 1.0},
        )
        scrubbed_logs(settings, "text", "WARNING")
        with stop_on_signals() as stop:
            run = sweep_and_report(settings, progress=progress, stop=stop)
        print_run(run)
        if keep_serving:
            print(f"the sandbox stays up at {server.base_url}; Ctrl-C to stop", file=sys.stderr)
            threading.Event().wait()


def register(app: typer.Typer) -> None:
    app.command()(sweep)
    app.command()(demo)
