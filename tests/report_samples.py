"""Hand-built sweep results for the report tests, shaped like the sandbox's demo sweep.

The report tests import from here so they all judge the same sweep; two tests keep the
sample honest (tests/test_report_samples.py: every outcome present, the canaries really planted).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent.models import ActionRecord, ActionType, Outcome, ReferralResult, SweepResult
from agent.reports import write_reports
from agent.reports.failed import failed_sweep, record_failed_sweep

T0 = datetime(2024, 5, 14, 6, 0, tzinfo=UTC)  # 02:00 EDT
SCRIPT = "<script>alert(1)</script>"
BOLD = "<b>bold</b>"
# Canaries: canary_sweep() feeds them into the inputs where a careless report would show them
# (credentials in the site's address and a referral's address, a health card number in the partner's
# reply and in what the reader made of it); no generated file may hold them.
PLANTED_PASSWORD = "Pl4nted-S3cret-pw"  # a canary, not a credential
PLANTED_HCN = "4532-281-746-AB"
LINK = "https://caredove.example/referrals/{reference}"


def referral(reference: str, outcome: Outcome, **kw: object) -> ReferralResult:
    base: dict[str, object] = {"rule": "R0", "reason": "", "attempt_dates": [T0 - timedelta(hours=1)]}
    base.update(kw)
    return ReferralResult.model_validate({"reference": reference, "outcome": outcome, **base})


def resend(at: datetime, *, confirmed: bool = True, planned: bool = False) -> ActionRecord:
    return ActionRecord(type=ActionType.RESEND, at=at, confirmed=confirmed, planned=planned)


def clear(at: datetime, *, confirmed: bool = True, planned: bool = False) -> ActionRecord:
    return ActionRecord(type=ActionType.CLEAR, at=at, confirmed=confirmed, planned=planned)


def ocean_outage(n: int, *, code: int = 502) -> list[ReferralResult]:
    return [
        referral(
            f"35027690{i:02d}",
            Outcome.ESCALATED,
            rule="R4",
            reason="500-series error that does not clear after Resend",
            http_code=code,
            destination="Ocean eReferral",
            trigger="Received",
            text="<html><head><title>502 Bad Gateway</title></head></html>",
            actions=[resend(T0 + timedelta(minutes=1 + i)), resend(T0 + timedelta(minutes=5 + i))],
        )
        for i in range(n)
    ]


def demo_referrals(*, outage: int = 3, dry_run: bool = False) -> list[ReferralResult]:
    """Every outcome: fixes in two field groups, single escalations, an outage, pending, error, cleared."""
    postal = {
        "field": "Primary Contact's Postal Code",
        "path": "Patient.contact[0].address.postCode",
        "problem": "is missing",
        "fix": "Add the primary contact's postal code, then save the referral",
    }
    return [
        referral(
            "3502768696",
            Outcome.FIX,
            rule="R5",
            reason="400 names a field",
            http_code=400,
            destination="Ocean eReferral",
            trigger="Received",
            nights_open=3,
            **postal,
        ),
        referral(
            "3502768697",
            Outcome.FIX,
            rule="R5",
            reason="400 names a field",
            http_code=400,
            destination="Ocean eReferral",
            trigger="Edited",
            nights_open=1,
            **postal,
        ),
        referral(
            "3502768698",
            Outcome.FIX,
            rule="R5",
            reason="400 names a field",
            http_code=422,
            destination="CDIS",
            trigger="Received",
            field="Birth date",
            path="Patient.birthDate",
            problem="is not a valid date",
            fix='=HYPERLINK("x") enter the date as YYYY-MM-DD',
        ),
        referral(
            "3502768699",
            Outcome.ESCALATED,
            rule="R6",
            reason="400-series error without a clear message",
            http_code=400,
            destination="CRMS",
            trigger="Edited Status - Ready",
            text=f"Bad Request {SCRIPT} {BOLD} patient [redacted]",
            attempt_dates=[T0 - timedelta(hours=3), T0 - timedelta(hours=1)],
        ),
        referral(
            "3502768700",
            Outcome.ESCALATED,
            rule="R4",
            reason="500-series error that does not clear after Resend",
            http_code=503,
            destination="EMHware",
            trigger="Received",
            text="Service Unavailable",
            actions=[resend(T0 + timedelta(minutes=2), planned=dry_run, confirmed=not dry_run)],
        ),
        referral(
            "3502768701",
            Outcome.ESCALATED,
            rule="R8",
            reason="unreadable response",
            http_code=None,
            destination="Ocean eReferral",
            trigger="Booked",
            text=None,
        ),
        *ocean_outage(outage),
        referral(
            "3502768710",
            Outcome.PENDING,
            rule="R3",
            reason="resend still pending after the settle time",
            http_code=504,
            destination="CDIS",
            trigger="Received",
            actions=[resend(T0 + timedelta(minutes=3), planned=dry_run, confirmed=not dry_run)],
        ),
        referral(
            "3502768711",
            Outcome.ERROR,
            rule="page",
            reason="the Integration Triggers window did not open",
            screenshot="screenshots/3502768711.png",
            attempt_dates=[],
        ),
        referral(
            "3502768712",
            Outcome.CLEARED,
            rule="R1",
            reason="latest attempt succeeded",
            http_code=200,
            destination="CRMS",
            trigger="Edited",
            actions=[clear(T0 + timedelta(minutes=4), planned=dry_run, confirmed=not dry_run)],
        ),
        referral(
            "3502768713",
            Outcome.CLEARED,
            rule="R1",
            reason="latest attempt succeeded",
            http_code=201,
            destination="CDIS",
            trigger="Edited",
            actions=[clear(T0 + timedelta(minutes=6), planned=dry_run, confirmed=not dry_run)],
        ),
    ]


def demo_sweep(
    *,
    base_url: str = "https://caredove.example",
    sweep_id: str = "20240514T060000Z",
    started_at: datetime = T0,
    outage: int = 3,
    dry_run: bool = False,
    referrals: list[ReferralResult] | None = None,
    problems: list[str] | None = None,
) -> SweepResult:
    refs = demo_referrals(outage=outage, dry_run=dry_run) if referrals is None else referrals
    return SweepResult(
        sweep_id=sweep_id,
        started_at=started_at,
        finished_at=started_at + timedelta(minutes=7, seconds=5),
        base_url=base_url,
        dry_run=dry_run,
        ui="older",
        banner_count=len(refs) + 1,
        summary=SweepResult.count(refs),
        referrals=refs,
        problems=[f"the banner counted {len(refs) + 1} referrals but the sweep found {len(refs)}"]
        if problems is None
        else problems,
    )


def canary_sweep() -> SweepResult:
    """The demo sweep with the canaries planted in its inputs."""
    sweep = demo_sweep(dry_run=True, base_url=f"https://ops:{PLANTED_PASSWORD}@caredove.example")
    referrals = []
    for r in sweep.referrals:
        if r.reference == "3502768699":  # an escalation: its reply is quoted in the message to support
            r = r.model_copy(update={"text": f"Bad Request: health card {PLANTED_HCN} rejected"})
        if r.reference == "3502768697":  # a fix: what the reader made of the reply
            r = r.model_copy(update={"problem": f"{PLANTED_HCN} is not valid"})
        if r.reference == "3502768712":
            r = r.model_copy(update={"url": f"https://ops:{PLANTED_PASSWORD}@caredove.example/referrals/3502768712"})
        referrals.append(r)
    return sweep.model_copy(update={"referrals": referrals})


def store(report_dir: Path, result: SweepResult, folder: str | None = None) -> Path:
    """Writes report.json the way the sweep does; returns the sweep folder."""
    sweep_dir = report_dir / (folder or result.sweep_id)
    sweep_dir.mkdir(parents=True, exist_ok=True)
    (sweep_dir / "report.json").write_text(result.model_dump_json(indent=2), encoding="utf-8")
    return sweep_dir


CLINIC = "https://caredove.example"
OTHER = "https://other-clinic.caredove.example"


def on(base_url: str, sweep_id: str, hours: float, refs: list[str], *, dry_run: bool = False) -> SweepResult:
    referrals = [referral(r, Outcome.ESCALATED, rule="R6", reason="x", nights_open=2) for r in refs]
    return demo_sweep(
        base_url=base_url,
        sweep_id=sweep_id,
        started_at=T0 + timedelta(hours=hours),
        referrals=referrals,
        problems=[],
        dry_run=dry_run,
    )


def build_two_inboxes(tmp_path: Path) -> Path:
    """A report folder with two inboxes: clinic real sweep, other inbox, clinic dry run, a failed
    clinic sweep, clinic real sweep, all on one day.

    Same day: clinic real sweep, other inbox, clinic dry run, a failed clinic sweep, clinic real sweep."""
    sweeps = [
        on(CLINIC, "c1", 0, ["3500000001", "3500000002", "3500000003"]),
        on(OTHER, "o1", 1, ["3600000001"]),
        on(CLINIC, "c2-dry", 2, ["3500000001"], dry_run=True),
    ]
    for result in sweeps:
        write_reports(result, store(tmp_path, result), tmp_path)
    failed = failed_sweep(
        sweep_id="c3-failed",
        started=T0 + timedelta(hours=3),
        base_url=CLINIC,
        dry_run=False,
        why="the site refused the sign-in: check CAREDOVE_USERNAME and the password",
    )
    sweep_dir = tmp_path / "c3-failed"
    sweep_dir.mkdir()
    record_failed_sweep(failed, sweep_dir, tmp_path)
    last = on(CLINIC, "c4", 4, ["3500000002", "3500000003", "3500000004"])
    write_reports(last, store(tmp_path, last), tmp_path)
    return tmp_path
