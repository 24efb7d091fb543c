"""Schedule files load, bad ones name the file and the key, and fire times survive DST in Toronto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agent.errors import SettingsError
from agent.firetimes import next_fire_times
from agent.schedules import Schedule, load_schedule, load_schedules, settings_for

REPO = Path(__file__).resolve().parent.parent
TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CAREDOVE_CONFIG", "CAREDOVE_BASE_URL", "CAREDOVE_PASSWORD", "CAREDOVE_DRY_RUN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def nightly(cron: str = "30 2 * * *") -> Schedule:
    return Schedule(name="nightly", cron=cron, timezone="America/Toronto")


def test_the_shipped_nightly_schedule_loads() -> None:
    [schedule] = load_schedules(REPO / "schedules")
    assert schedule.name == "nightly"
    assert schedule.cron == "30 2 * * *"
    assert schedule.timezone == "America/Toronto"
    assert schedule.notify.when == "needs-people"
    assert schedule.misfire_grace_seconds >= 3600


def test_a_full_schedule_loads_with_its_profile_relative_to_the_file(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    write(profiles, "clinic.toml", 'base_url = "https://clinic.example"\nreport_dir = "clinic-reports"\n')
    folder = tmp_path / "schedules"
    folder.mkdir()
    path = write(
        folder,
        "clinic.toml",
        """
name = "clinic"
cron = "15 1 * * mon-fri"
timezone = "America/Vancouver"
config = "../profiles/clinic.toml"
dry_run = true
misfire_grace_seconds = 3600

[policy]
max_resends = 1
treat_2xx_as_success = true

[notify]
when = "always"

[notify.email]
to = "lead@clinic.example"
from = "agent@clinic.example"
host = "smtp.clinic.example"
username = "agent"
password_env = "SMTP_PASSWORD"

[notify.webhook]
url = "https://chat.example/hook"
kind = "teams"
""",
    )
    schedule = load_schedule(path)
    assert schedule.profile == folder / "../profiles/clinic.toml"
    assert schedule.notify.email is not None
    assert schedule.notify.email.to == ["lead@clinic.example"]
    assert schedule.notify.email.from_ == "agent@clinic.example"
    assert schedule.notify.webhook is not None
    assert schedule.notify.webhook.kind == "teams"

    settings = settings_for(schedule)
    assert settings.base_url == "https://clinic.example"
    assert settings.policy.max_resends == 1
    assert settings.policy.treat_2xx_as_success is True
    assert settings.policy.settle_seconds == 180.0  # not overridden: the profile's (default) value
    assert settings.dry_run is True


def test_the_name_defaults_to_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "weekend.toml", 'cron = "0 9 * * sat"\ntimezone = "UTC"\n')
    assert load_schedule(path).name == "weekend"


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        ('cron = "30 2 * * *"\n', "timezone", "is required"),
        ('cron = "30 2 * * *"\ntimezone = "Toronto"\n', "timezone", "unknown time zone"),
        ('cron = "30 2 * *"\ntimezone = "UTC"\n', "cron", "5-field"),
        ('cron = "61 2 * * *"\ntimezone = "UTC"\n', "cron", "not a valid cron"),
        ('cron = "30 2 * * *"\ntimezone = "UTC"\ncolour = "blue"\n', "colour", "not a known key"),
        ('cron = "30 2 * * *"\ntimezone = "UTC"\n[policy]\nmax_resends = 9\n', "policy.max_resends", "5"),
        ('cron = "30 2 * * *"\ntimezone = "UTC"\n[notify]\nwhen = "sometimes"\n', "notify.when", "needs-people"),
        (
            'cron = "30 2 * * *"\ntimezone = "UTC"\n[notify.email]\nto = "a@b.example"\nfrom = "c@b.example"\n'
            'host = "smtp"\npassword = "hunter22"\n',
            "notify.email",
            "password_env",
        ),
        ('cron = "30 2 * * *"\ntimezone = "UTC"\n[notify.webhook]\nurl = "ftp://x"\n', "notify.webhook.url", "http"),
    ],
)
def test_a_bad_file_names_the_file_and_the_key(tmp_path: Path, text: str, key: str, says: str) -> None:
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(SettingsError) as caught:
        load_schedule(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"`{key}`" in message
    assert says in message
    assert "hunter22" not in message


def test_invalid_toml_and_a_missing_profile_are_named(tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.toml", 'cron = "30 2 * * *\n')
    with pytest.raises(SettingsError, match=r"broken\.toml is not valid TOML"):
        load_schedule(broken)
    missing = write(tmp_path, "missing.toml", 'cron = "30 2 * * *"\ntimezone = "UTC"\nconfig = "nope.toml"\n')
    with pytest.raises(SettingsError, match=r"missing.toml: key `config` names .*nope.toml"):
        load_schedule(missing)


def test_two_schedules_may_not_share_a_name(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", 'name = "night"\ncron = "30 2 * * *"\ntimezone = "UTC"\n')
    write(tmp_path, "b.toml", 'name = "night"\ncron = "30 3 * * *"\ntimezone = "UTC"\n')
    with pytest.raises(SettingsError, match=r"b\.toml: key `name` 'night' is also used by"):
        load_schedules(tmp_path)


def test_next_fire_times_are_in_the_schedule_zone() -> None:
    times = next_fire_times(nightly(), datetime(2026, 1, 10, 12, 0, tzinfo=UTC), 3)
    assert [t.isoformat() for t in times] == [
        "2026-01-11T02:30:00-05:00",
        "2026-01-12T02:30:00-05:00",
        "2026-01-13T02:30:00-05:00",
    ]


def test_spring_forward_night_still_sweeps_once_an_hour_later() -> None:
    """02:30 does not exist on 2026-03-08 in Toronto (02:00 → 03:00): the sweep runs at 03:30 EDT."""
    times = next_fire_times(nightly(), datetime(2026, 3, 7, 0, 0, tzinfo=TORONTO), 3)
    assert [t.isoformat() for t in times] == [
        "2026-03-07T02:30:00-05:00",
        "2026-03-08T03:30:00-04:00",
        "2026-03-09T02:30:00-04:00",
    ]
    assert [t.date().day for t in times] == [7, 8, 9]  # no night skipped, none doubled
    utc = [t.astimezone(UTC) for t in times]  # elapsed time: within one zone Python subtracts wall clocks
    assert utc[1] - utc[0] == timedelta(hours=24)  # 07:30 UTC both nights
    assert utc[2] - utc[1] == timedelta(hours=23)


def test_fall_back_night_sweeps_once_at_0230_standard_time() -> None:
    times = next_fire_times(nightly(), datetime(2026, 10, 31, 0, 0, tzinfo=TORONTO), 3)
    assert [t.isoformat() for t in times] == [
        "2026-10-31T02:30:00-04:00",
        "2026-11-01T02:30:00-05:00",
        "2026-11-02T02:30:00-05:00",
    ]
    assert times[1].astimezone(UTC) - times[0].astimezone(UTC) == timedelta(hours=25)


def test_a_time_the_fall_back_night_repeats_fires_once_not_twice() -> None:
    """01:30 happens twice on 2026-11-01 (EDT, then EST); cron semantics: one sweep, the first."""
    times = next_fire_times(nightly("30 1 * * *"), datetime(2026, 10, 31, 12, 0, tzinfo=TORONTO), 3)
    assert [t.isoformat() for t in times] == [
        "2026-11-01T01:30:00-04:00",
        "2026-11-02T01:30:00-05:00",
        "2026-11-03T01:30:00-05:00",
    ]
