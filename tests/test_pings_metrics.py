"""The dead man's switch and the metrics textfile around a scheduled sweep.

The sweep here is a stand-in that writes a report like the real one (the real browser sweep is in
test_notify_nights.py): what is proven is the job's wiring — which pings a monitor hears, that a
monitor that is down or hangs stops nothing, and that the textfile parses with the Prometheus
client's own parser and says what report.json says.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from agent.jobs import ScheduledSweep
from agent.models import ActionRecord, ActionType, Outcome, ReferralResult, SweepResult, SweepRun
from agent.pings import Pinger, ping_url
from agent.schedules import Ping, Schedule, load_schedule
from agent.settings import Settings
from tests.receivers import HttpReceiver, free_port, http_receiver

BASE_URL = "https://inbox.example"


def referral(reference: str, outcome: Outcome, *actions: ActionType) -> ReferralResult:
    now = datetime.now(UTC)
    return ReferralResult(
        reference=reference, outcome=outcome, rule="R", reason="r", http_code=502, destination="CDIS",
        actions=[ActionRecord(type=a, at=now, confirmed=True) for a in actions],
    )  # fmt: skip


GOOD = [
    referral("1111111111", Outcome.CLEARED, ActionType.RESEND, ActionType.CLEAR),
    referral("2222222222", Outcome.CLEARED, ActionType.CLEAR),
    referral("3333333333", Outcome.FIX),
    referral("4444444444", Outcome.ESCALATED, ActionType.RESEND, ActionType.RESEND),
]


class StandInSweep:
    """Writes a report.json like sweep_and_report; ``banner`` above len(referrals) makes a blind night."""

    def __init__(self, referrals: list[ReferralResult], *, banner: int | None = None, fail: bool = False) -> None:
        self.referrals = referrals
        self.banner = banner
        self.fail = fail
        self.calls = 0

    def __call__(self, settings: Settings, *, lock_wait: float, stop: threading.Event | None) -> SweepRun:
        self.calls += 1
        if self.fail:
            raise RuntimeError("the inbox never loaded")
        start = datetime.now(UTC) - timedelta(seconds=42)
        result = SweepResult(
            sweep_id=start.strftime("%Y%m%d-%H%M%S-%f"), started_at=start, finished_at=start + timedelta(seconds=42),
            base_url=BASE_URL, dry_run=False,
            banner_count=len(self.referrals) if self.banner is None else self.banner,
            summary=SweepResult.count(self.referrals), referrals=self.referrals,
        )  # fmt: skip
        folder = settings.report_dir / result.sweep_id
        folder.mkdir(parents=True)
        (folder / "report.json").write_text(result.model_dump_json(), encoding="utf-8")
        return SweepRun(result=result, report_dir=folder, report_json=folder / "report.json")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CAREDOVE_CONFIG", "CAREDOVE_BASE_URL", "CAREDOVE_REPORT_DIR", "CAREDOVE_STATE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profile.toml").write_text(
        f'base_url = "{BASE_URL}"\nreport_dir = "{tmp_path / "reports"}"\nstate = "{tmp_path / "state/l.sqlite"}"\n',
        encoding="utf-8",
    )
    return tmp_path


def scheduled(folder: Path, ping_at: str | None, *, timeout: float = 2.0) -> Schedule:
    ping = f'[ping]\nurl = "{ping_at}"\nallow_http = true\ntimeout_seconds = {timeout}\n' if ping_at else ""
    path = folder / "nightly.toml"
    path.write_text(
        'cron = "30 2 * * *"\ntimezone = "America/Toronto"\nconfig = "profile.toml"\nmetrics_file = "m/agent.prom"\n'
        f'[notify]\nwhen = "never"\n{ping}',
        encoding="utf-8",
    )
    return load_schedule(path)


def fire(schedule: Schedule, sweep: StandInSweep) -> ScheduledSweep:
    job = ScheduledSweep(schedule, stop=threading.Event(), sweep=sweep)
    job()
    return job


def bodies(receiver: HttpReceiver) -> list[tuple[str, str]]:
    return [(p.path, p.body.decode()) for p in receiver.posts]


# --- pings ---------------------------------------------------------------------------------------


def test_ping_urls_follow_the_cron_monitor_convention() -> None:
    assert ping_url("https://hc-ping.com/abc", "start") == "https://hc-ping.com/abc/start"
    assert ping_url("https://hc-ping.com/abc/", "success") == "https://hc-ping.com/abc"
    assert ping_url("https://hc.example/ping/abc?rid=7", "fail") == "https://hc.example/ping/abc/fail?rid=7"


def test_a_good_night_pings_start_then_success_with_a_one_line_summary(folder: Path) -> None:
    with http_receiver() as receiver:
        fire(scheduled(folder, receiver.url + "/ping/abc"), StandInSweep(GOOD))
    [(start, _), (done, summary)] = bodies(receiver)
    assert (start, done) == ("/ping/abc/start", "/ping/abc")
    assert summary.startswith("ok — sweep ")
    assert "\n" not in summary and "saw 4 of 4" in summary
    assert [p.content_type for p in receiver.posts] == ["text/plain; charset=utf-8"] * 2


def test_a_failed_night_pings_start_then_fail(folder: Path) -> None:
    with http_receiver() as receiver:
        fire(scheduled(folder, receiver.url + "/ping/abc"), StandInSweep(GOOD, fail=True))
    assert receiver.paths() == ["/ping/abc/start", "/ping/abc/fail"]
    assert "FAILED: RuntimeError" in bodies(receiver)[1][1]


def test_a_blind_night_pings_fail_not_success(folder: Path) -> None:
    with http_receiver() as receiver:
        fire(scheduled(folder, receiver.url + "/p"), StandInSweep([], banner=14))
    assert receiver.paths() == ["/p/start", "/p/fail"]
    assert "saw 0 of the 14 referrals" in bodies(receiver)[1][1]


def test_a_monitor_that_is_down_stops_nothing(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    sweep = StandInSweep(GOOD)
    fire(scheduled(folder, f"http://127.0.0.1:{free_port()}/p"), sweep)
    assert sweep.calls == 1
    assert len(list((folder / "reports").glob("*/report.json"))) == 1
    assert "start ping to http://127.0.0.1" in caplog.text and "not delivered" in caplog.text
    assert (folder / "m" / "agent.prom").is_file()


@pytest.mark.timeout(20)  # the receiver hangs for 30 s: waiting it out fails here, never by a clock read
def test_a_monitor_that_hangs_costs_at_most_its_timeout(folder: Path) -> None:
    with http_receiver() as receiver:
        receiver.hang = threading.Event()
        pinger = Pinger(Ping(url=receiver.url + "/p", allow_http=True, timeout_seconds=0.3), schedule="nightly")
        assert pinger.start("starting") is False


def test_a_monitor_answering_an_error_is_not_delivered(folder: Path) -> None:
    with http_receiver() as receiver:
        receiver.answers["/p"] = (500, None)
        assert Pinger(Ping(url=receiver.url + "/p", allow_http=True), schedule="n").success("ok") is False
        assert Pinger(Ping(url=receiver.url + "/q", allow_http=True), schedule="n").success("ok") is True


def test_no_ping_configured_sends_nothing() -> None:
    assert Pinger(None, schedule="n").start("x") is False


def test_an_http_ping_is_refused_unless_allowed() -> None:
    with pytest.raises(ValueError, match="a ping over plain http://"):
        Ping(url="http://hc.example/p")


# --- metrics -------------------------------------------------------------------------------------


def samples(path: Path) -> dict[tuple[str, str], float]:
    """name + outcome label → value, read with the client's own parser."""
    found: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(path.read_text(encoding="utf-8")):
        for sample in family.samples:
            assert sample.labels["schedule"] == "nightly"
            assert sample.labels["inbox"] == BASE_URL
            found[(sample.name, sample.labels.get("outcome", ""))] = sample.value
    return found


def test_the_textfile_parses_and_matches_report_json(folder: Path) -> None:
    fire(scheduled(folder, None), StandInSweep(GOOD))
    [report] = (folder / "reports").glob("*/report.json")
    result = SweepResult.model_validate_json(report.read_text(encoding="utf-8"))
    got = samples(folder / "m" / "agent.prom")
    for outcome, count in result.summary.items():
        assert got[("caredove_agent_referrals", outcome)] == count
    assert got[("caredove_agent_banner_count", "")] == result.banner_count
    assert got[("caredove_agent_referrals_not_seen", "")] == 0
    resends = sum(a.type is ActionType.RESEND for r in result.referrals for a in r.actions)
    clears = sum(a.type is ActionType.CLEAR for r in result.referrals for a in r.actions)
    assert (got[("caredove_agent_resends", "")], got[("caredove_agent_clears", "")]) == (resends, clears) == (3, 2)
    assert got[("caredove_agent_last_run_success", "")] == 1
    assert got[("caredove_agent_last_success_timestamp_seconds", "")] == result.finished_at.timestamp()
    assert got[("caredove_agent_sweep_complete", "")] == 1
    assert got[("caredove_agent_sweep_duration_seconds", "")] >= 0
    assert list((folder / "m").iterdir()) == [folder / "m" / "agent.prom"]  # no temporary file left behind


def test_after_a_failure_the_textfile_keeps_the_last_success_and_says_failed(folder: Path) -> None:
    schedule = scheduled(folder, None)
    fire(schedule, StandInSweep(GOOD))
    first = samples(folder / "m" / "agent.prom")
    fire(schedule, StandInSweep(GOOD, fail=True))
    after = samples(folder / "m" / "agent.prom")
    key: Callable[[str], tuple[str, str]] = lambda name: (f"caredove_agent_{name}", "")  # noqa: E731
    assert after[key("last_run_success")] == 0
    assert after[key("last_success_timestamp_seconds")] == first[key("last_success_timestamp_seconds")]
    assert after[key("last_run_timestamp_seconds")] >= first[key("last_run_timestamp_seconds")]
    assert ("caredove_agent_referrals", "fix") not in after  # unknown after a failure: not claimed as zero


def test_a_blind_night_counts_what_was_not_seen(folder: Path) -> None:
    fire(scheduled(folder, None), StandInSweep([referral("3333333333", Outcome.FIX)], banner=14))
    got = samples(folder / "m" / "agent.prom")
    assert got[("caredove_agent_referrals_not_seen", "")] == 13
    assert got[("caredove_agent_last_run_success", "")] == 0
    assert got[("caredove_agent_last_success_timestamp_seconds", "")] == 0


def test_the_textfile_is_readable_by_the_collector_under_the_agents_private_umask(folder: Path) -> None:
    previous = os.umask(0o077)
    try:
        fire(scheduled(folder, None), StandInSweep(GOOD))
    finally:
        os.umask(previous)
    assert stat.S_IMODE((folder / "m" / "agent.prom").stat().st_mode) == 0o644


def test_the_metrics_file_must_be_a_prom_file(folder: Path) -> None:
    with pytest.raises(ValueError, match=r"must end in \.prom"):
        Schedule(name="n", cron="30 2 * * *", timezone="UTC", metrics_file=Path("m.txt"))
