"""Schedules: one TOML file per schedule in ``schedules/``, validated before the scheduler starts.

A schedule says when to sweep (a 5-field cron expression in an explicit IANA time zone — a server's
own zone is a guess nobody checks), which inbox (a settings TOML profile) and how (policy overrides,
dry run), and who to tell afterwards. A bad file stops ``schedule run`` at start with the file and
the key named, rather than silently skipping a night. Passwords never sit in these files: an email
login names the environment variable that holds it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from agent.errors import SettingsError
from agent.policy import Policy
from agent.settings import Settings, iana_zone, load_settings

DEFAULT_MISFIRE_GRACE = 6 * 3600


def _valid_cron(value: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    if len(value.split()) != 5:
        raise ValueError(f"{value!r} is not a 5-field cron expression (minute hour day month weekday)")
    try:
        CronTrigger.from_crontab(value, timezone=ZoneInfo("UTC"))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid cron expression ({exc})") from exc
    return value


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class EmailNotify(_Model):
    """SMTP delivery; ``password_env`` names the variable holding the login's password.

    A login goes only over TLS (``tls = "starttls"`` on 587, or ``"smtps"`` on 465): a relay that
    offers neither would get the password in clear, so ``tls = "none"`` with a ``username`` is refused
    unless ``allow_login_without_tls`` says the operator knows (a relay on the same host, say).
    """

    to: list[str] = Field(min_length=1)
    from_: str = Field(alias="from")
    host: str
    port: int | None = Field(default=None, gt=0, lt=65536, description="Default: 587 for starttls, 465 smtps, 25.")
    tls: Literal["starttls", "smtps", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = None
    allow_login_without_tls: bool = False
    ca_file: Path | None = Field(default=None, description="CA bundle for a relay with an in-house certificate.")
    timeout_seconds: float = Field(default=30.0, gt=0, le=300)

    @model_validator(mode="before")
    @classmethod
    def _file_keys(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(str(k).lower() == "password" for k in data):
            raise ValueError("holds a password: put it in an environment variable and name it in password_env")
        if isinstance(data, dict) and "starttls" in data:  # the first file format: starttls = true/false
            data = dict(data)
            legacy = data.pop("starttls")
            data.setdefault("tls", "starttls" if legacy else "none")
        return data

    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if "@" not in v]
        if bad:
            raise ValueError(f"{bad[0]!r} is not an e-mail address")
        return value

    @model_validator(mode="after")
    def _login_over_tls(self) -> EmailNotify:
        if self.username and self.tls == "none" and not self.allow_login_without_tls:
            raise ValueError(
                'a login without TLS sends the password in clear: set tls = "starttls" or "smtps" '
                "(or allow_login_without_tls = true for a relay on this machine)"
            )
        return self

    @property
    def smtp_port(self) -> int:
        return self.port or {"starttls": 587, "smtps": 465, "none": 25}[self.tls]


def _https_unless_allowed(url: str, allow_http: bool, what: str) -> str:
    if url.startswith("https://") or (allow_http and url.startswith("http://")):
        return url
    if url.startswith("http://"):
        raise ValueError(
            f"{what} over plain http:// can be read and changed on the way: use https:// (or allow_http = true)"
        )
    raise ValueError("must start with https://")


class WebhookNotify(_Model):
    """A chat webhook: Slack and Teams take their own JSON shapes; generic gets counts and paths.

    Only ``https://`` unless ``allow_http``; a redirect is never taken for delivery. With
    ``follow_redirects`` a 307/308 (which keep the POST and its body) is followed, to https only
    unless ``allow_http``; a 301/302/303 would turn the POST into a GET and is always refused.
    """

    allow_http: bool = False  # before url: url's check reads it
    url: str
    kind: Literal["slack", "teams", "generic"] = "generic"
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    follow_redirects: bool = False

    @field_validator("url")
    @classmethod
    def _secure_url(cls, value: str, info: ValidationInfo) -> str:
        return _https_unless_allowed(value, bool(info.data.get("allow_http")), "a webhook")


class Ping(_Model):
    """A dead man's switch (healthchecks.io, Cronitor, Uptime Kuma, …): ``<url>/start`` when a sweep
    starts, ``<url>`` when it ends well, ``<url>/fail`` when it fails or the agent is in trouble."""

    allow_http: bool = False  # before url: url's check reads it
    url: str
    timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    @field_validator("url")
    @classmethod
    def _secure_url(cls, value: str, info: ValidationInfo) -> str:
        return _https_unless_allowed(value, bool(info.data.get("allow_http")), "a ping")


class Notify(_Model):
    """Who hears what: trouble every time; new fixes and escalations; standing work on ``digest``."""

    when: Literal["needs-people", "always", "never"] = "needs-people"
    email: EmailNotify | None = None
    webhook: WebhookNotify | None = None
    age_thresholds: list[int] = Field(
        default_factory=lambda: [3, 7], description="Nights open at which an item is told about again."
    )
    digest: str | None = Field(default=None, description="Cron (schedule's zone) for the standing-work digest.")
    report_url: str | None = Field(
        default=None, description="Where people open a report, e.g. https://intranet/caredove/{sweep_id}/report.html"
    )
    attach_report: bool = Field(default=False, description="Attach report.html (it holds partner text).")

    @field_validator("age_thresholds")
    @classmethod
    def _positive_nights(cls, value: list[int]) -> list[int]:
        if any(n < 1 for n in value):
            raise ValueError("nights must be 1 or more")
        return sorted(set(value))

    @field_validator("digest")
    @classmethod
    def _digest_cron(cls, value: str | None) -> str | None:
        return None if value is None else _valid_cron(value)

    @field_validator("report_url")
    @classmethod
    def _report_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("https://", "http://", "file://")):
            raise ValueError("must start with https://, http:// or file://")
        try:
            value.format(sweep_id="x")
        except (KeyError, IndexError, ValueError):
            raise ValueError("may hold only the placeholder {sweep_id}") from None
        return value

    @property
    def channels(self) -> list[str]:
        return [name for name, value in (("email", self.email), ("webhook", self.webhook)) if value is not None]


class PolicyOverrides(_Model):
    """The procedure's knobs a schedule may set for its sweeps; unset means the profile's value."""

    max_resends: int | None = None
    settle_seconds: float | None = None
    treat_2xx_as_success: bool | None = None

    @field_validator("max_resends", "settle_seconds", "treat_2xx_as_success")
    @classmethod
    def _within_policy(cls, value: Any, info: ValidationInfo) -> Any:
        """The same limits as the settings file, checked by the Policy model itself."""
        if value is None:
            return value
        assert info.field_name is not None
        try:
            Policy.model_validate({info.field_name: value})
        except ValidationError as exc:
            raise ValueError(exc.errors()[0]["msg"]) from None
        return value

    def given(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class Schedule(_Model):
    """One schedule file."""

    name: str = Field(min_length=1)
    cron: str
    timezone: str
    config: Path | None = Field(default=None, description="Settings profile, relative to the schedule file.")
    policy: PolicyOverrides = Field(default_factory=PolicyOverrides)
    dry_run: bool | None = None
    misfire_grace_seconds: int = Field(default=DEFAULT_MISFIRE_GRACE, gt=0)
    lock_wait_seconds: float = Field(
        default=1800.0, description="How long to wait for a manual sweep of the same inbox; negative: no limit."
    )
    notify: Notify = Field(default_factory=Notify)
    ping: Ping | None = None
    metrics_file: Path | None = Field(
        default=None, description="Prometheus textfile (node_exporter's collector folder), relative to this file."
    )
    source: Path = Field(default=Path(), exclude=True)

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return _valid_cron(value)

    @field_validator("metrics_file")
    @classmethod
    def _prom(cls, value: Path | None) -> Path | None:
        if value is not None and value.suffix != ".prom":
            raise ValueError("must end in .prom (node_exporter's textfile collector reads only those)")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return iana_zone(value)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def metrics_path(self) -> Path | None:
        if self.metrics_file is None:
            return None
        return self.metrics_file if self.metrics_file.is_absolute() else self.source.parent / self.metrics_file

    @property
    def profile(self) -> Path | None:
        """The settings profile's path, resolved against the schedule file's folder."""
        if self.config is None:
            return None
        return self.config if self.config.is_absolute() else self.source.parent / self.config


def _describe(path: Path, exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        key = ".".join(str(p) for p in error["loc"]) or "(file)"
        msg = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            msg = "is required"
        elif error["type"] == "extra_forbidden":
            msg = "is not a known key"
        parts.append(f"key `{key}` {msg}")
    return f"schedule file {path}: " + "; ".join(parts)


def load_schedule(path: Path) -> Schedule:
    """One schedule file, or a SettingsError naming the file and the key that is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"schedule file {path} cannot be read ({exc.strerror})", fix="check the path") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"schedule file {path} is not valid TOML: {exc}", fix="fix the TOML") from None
    data.setdefault("name", path.stem)
    try:
        schedule = Schedule.model_validate({**data, "source": path})
    except ValidationError as exc:
        raise SettingsError(_describe(path, exc), fix="correct the schedule file and run again") from None
    profile = schedule.profile
    if profile is not None and not profile.is_file():
        raise SettingsError(
            f"schedule file {path}: key `config` names {profile}, which does not exist",
            fix="give a settings TOML path relative to the schedule file",
        )
    return schedule


def load_schedules(folder: Path) -> list[Schedule]:
    """Every ``*.toml`` in ``folder``, sorted by file name; names must be unique."""
    if not folder.is_dir():
        raise SettingsError(f"schedules folder {folder} not found", fix="create it or set schedules_dir")
    schedules = [load_schedule(p) for p in sorted(folder.glob("*.toml"))]
    seen: dict[str, Path] = {}
    for schedule in schedules:
        if schedule.name in seen:
            raise SettingsError(
                f"schedule file {schedule.source}: key `name` {schedule.name!r} is also used by {seen[schedule.name]}",
                fix="give each schedule its own name",
            )
        seen[schedule.name] = schedule.source
    return schedules


def settings_for(schedule: Schedule, default_config: Path | None = None) -> Settings:
    """The settings one of this schedule's sweeps runs with: its profile, then its overrides on top.

    A schedule without ``config`` sweeps the inbox of the profile ``schedule run`` was started with.
    """
    flags: dict[str, Any] = {f"policy.{k}": v for k, v in schedule.policy.given().items()}
    if schedule.dry_run is not None:
        flags["dry_run"] = schedule.dry_run
    return load_settings(schedule.profile or default_config, **flags)
