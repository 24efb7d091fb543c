"""Helpers for the scheduler tests: the `settings` fixture as a TOML profile, and schedule files."""

from __future__ import annotations

from pathlib import Path

from agent.settings import Settings


def write_profile(settings: Settings, folder: Path, extra: str = "") -> Path:
    """The `settings` fixture as a TOML profile (the password stays in the environment); ``extra`` is
    appended as is (e.g. a ``[labels]`` table)."""
    path = folder / "profile.toml"
    path.write_text(
        f'base_url = "{settings.base_url}"\n'
        f'state = "{settings.state}"\n'
        f'report_dir = "{settings.report_dir}"\n'
        f"timeout_seconds = {settings.timeout_seconds}\n"
        f"navigation_timeout_seconds = {settings.navigation_timeout_seconds}\n"
        f"[policy]\nsettle_seconds = {settings.policy.settle_seconds}\npoll_seconds = {settings.policy.poll_seconds}\n"
        + extra,
        encoding="utf-8",
    )
    return path


def write_schedule(folder: Path, profile: Path, body: str, *, name: str = "soon", cron: str = "30 2 * * *") -> Path:
    """``schedules/<name>.toml`` sweeping ``profile``; ``body`` adds the rest (notify, ping, metrics)."""
    schedules = folder / "schedules"
    schedules.mkdir(exist_ok=True)
    (schedules / f"{name}.toml").write_text(
        f'name = "{name}"\ncron = "{cron}"\ntimezone = "America/Toronto"\nconfig = "{profile}"\n' + body,
        encoding="utf-8",
    )
    return schedules
