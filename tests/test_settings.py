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
    assert settings.report_dir == Path("from-file")
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
