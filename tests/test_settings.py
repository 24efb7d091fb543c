"""Settings: one object, a documented precedence, and a bad setting that names itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import SettingsError
from agent.settings import load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CAREDOVE_CONFIG", "CAREDOVE_BASE_URL", "CAREDOVE_USERNAME", "CAREDOVE_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_flags_beat_environment_beat_file_beat_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "agent.toml"
    config.write_text('base_url = "https://file.example"\nreport_dir = "from-file"\n[policy]\nmax_resends = 1\n')
    monkeypatch.setenv("CAREDOVE_BASE_URL", "https://env.example")
    settings = load_settings(config, **{"policy.settle_seconds": 5.0})
    assert settings.base_url == "https://env.example"
    assert settings.report_dir == tmp_path / "from-file"  # relative in the file: against the file's folder
    assert settings.policy.max_resends == 1
    assert settings.policy.settle_seconds == 5.0
    assert load_settings(config, base_url="https://flag.example").base_url == "https://flag.example"


def test_a_bad_setting_names_itself() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(None, **{"policy.max_resends": 0})
    assert "policy.max_resends" in str(caught.value)
    assert "CAREDOVE_POLICY__MAX_RESENDS" in str(caught.value)
    assert "--max-resends" in str(caught.value)


def test_a_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREDOVE_TIMEOUT_SECONDS", "soon")
    with pytest.raises(SettingsError, match="CAREDOVE_TIMEOUT_SECONDS"):
        load_settings(None)


def test_a_bad_url_and_time_zone_are_named() -> None:
    with pytest.raises(SettingsError, match=r"base_url"):
        load_settings(None, base_url="caredove.example")
    with pytest.raises(SettingsError, match=r"site_timezone"):
        load_settings(None, site_timezone="Mars/Olympus")


def test_a_label_that_is_not_a_pattern_is_named(tmp_path: Path) -> None:
    config = tmp_path / "agent.toml"
    config.write_text('[labels]\nresend = "(unclosed"\n')
    with pytest.raises(SettingsError, match=r"labels\.resend"):
        load_settings(config)


def test_the_password_is_refused_in_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "agent.toml"
    config.write_text('password = "hunter2"\n')
    with pytest.raises(SettingsError, match="holds a password") as caught:
        load_settings(config)
    assert "hunter2" not in str(caught.value)


def test_the_password_comes_from_a_file_and_never_prints(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("s3cret-value\n")
    settings = load_settings(None, password_file=secret)
    assert settings.password is not None
    assert settings.password.get_secret_value() == "s3cret-value"
    assert "s3cret-value" not in repr(settings)
    assert "s3cret-value" not in str(settings.model_dump())


def test_missing_site_settings_are_named() -> None:
    with pytest.raises(SettingsError, match=r"CAREDOVE_BASE_URL.*CAREDOVE_USERNAME.*CAREDOVE_PASSWORD"):
        load_settings(None).require_site()


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"nope\.toml"):
        load_settings(tmp_path / "nope.toml")


def test_only_takes_reference_numbers() -> None:
    with pytest.raises(SettingsError, match="only"):
        load_settings(None, only=["35027x"])


@pytest.mark.parametrize(
    "toml",
    [
        'PASSWORD = "hunter2"\n',
        'Password = "hunter2"\n',
        '[policy]\npassword = "hunter2"\n',
        'smtp_password = "hunter2"\n',
    ],
)
def test_a_password_key_is_refused_in_the_config_file_in_any_case_and_at_any_depth(tmp_path: Path, toml: str) -> None:
    config = tmp_path / "agent.toml"
    config.write_text(toml)
    with pytest.raises(SettingsError, match="holds a password") as caught:
        load_settings(config)
    assert "hunter2" not in str(caught.value)


def test_relative_paths_in_the_config_file_are_read_against_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    config = folder / "agent.toml"
    config.write_text('state = "state/ledger.sqlite"\nreport_dir = "reports"\n')
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = load_settings(config)
    assert settings.state == folder / "state" / "ledger.sqlite"
    assert settings.report_dir == folder / "reports"


def test_the_default_ledger_is_per_inbox_in_the_state_home_wherever_the_command_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    one = load_settings(None, base_url="https://app.caredove.example")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    again = load_settings(None, base_url="https://app.caredove.example")
    other = load_settings(None, base_url="https://other.caredove.example")
    assert one.state == again.state
    assert one.state.is_absolute() and one.state.is_relative_to(tmp_path / "xdg" / "caredove-agent")
    assert one.state.parent.name.startswith("app-caredove-example-")
    assert other.state != one.state


def test_systemd_state_directory_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "svc"))
    assert load_settings(None, base_url="https://a.example").state.is_relative_to(tmp_path / "svc")


def test_a_password_file_others_can_read_is_warned_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    secret = tmp_path / "password"
    secret.write_text("s3cret-value\n")
    secret.chmod(0o644)
    load_settings(None, password_file=secret)
    assert any("chmod 600" in r.getMessage() and "password_file" in r.getMessage() for r in caplog.records)
    caplog.clear()
    secret.chmod(0o600)
    load_settings(None, password_file=secret)
    assert not any("chmod 600" in r.getMessage() for r in caplog.records)
    assert "s3cret-value" not in caplog.text
