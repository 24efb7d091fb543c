"""One settings object, built once at the entry point and passed down.

Precedence, highest first: command-line flags, environment (``CAREDOVE_*``, nested with ``__``),
the password file, the TOML config file (``--config``, ``CAREDOVE_CONFIG`` or ./caredove-agent.toml),
defaults. The password comes from the environment or a file only — never a flag, never the TOML file
(which tends to get committed) — and is a ``SecretStr`` so it never prints.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from agent.errors import SettingsError
from agent.places import FileMode, default_ledger, readable_by_others, resolve_paths
from agent.policy import Policy
from agent.reports.links import check_pattern

log = logging.getLogger(__name__)

DEFAULT_CONFIG = Path("caredove-agent.toml")
ENV_PREFIX = "CAREDOVE_"


def iana_zone(value: str) -> str:
    """A time zone name the machine knows, or a ValueError saying what a good one looks like."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r} (use an IANA name like America/Toronto)") from exc
    return value


class Labels(BaseModel):
    """What the screens say where Caredove's help centre does not fix it.

    Each value is a case-insensitive regular expression matched against an accessible name or
    visible text, so an operator can adapt the agent to a relabelled screen without code.
    Defaults accept both versions of the help article.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    email: str = r"^\s*(e-?mail|username|user name)( address)?\s*$"
    password: str = r"^\s*password\s*$"  # noqa: S105 - a label, not a secret
    sign_in: str = r"^\s*(sign|log) ?in\s*$"
    sign_in_error: str = r"invalid|incorrect|not recognised|not recognized|failed|not correct|wrong|try again"
    next_step: str = r"^\s*(next|continue)\s*$"
    code_field: str = r"code|verification|one-time|passcode|otp|token"
    verify_code: str = r"^\s*(verify|submit|continue|confirm|next|sign ?in|log ?in)\s*$"
    totp_prompt: str = r"authenticator|authentication app|verification app"
    sent_code_prompt: str = r"\bsent\b|text message|\bsms\b|by e-?mail|check your (e-?mail|phone|inbox)"
    microsoft_sign_in: str = r"(sign|log) ?in with microsoft|microsoft account|work or school account"
    password_expiry: str = r"password (will )?expires?|password has expired|change (your )?password"  # noqa: S105
    terms: str = r"terms of (use|service)|accept the terms|user agreement"
    menu_referrals: str = r"^\s*referrals\s*$"
    menu_inbox: str = r"^\s*(referral )?inbox\s*$"
    banner_count: str = r"(\d[\d,]*)\s+referrals?\s+(?:has|have)\s+(?:an\s+)?integration errors?"
    errors_filter: str = r"view referrals with integration errors"
    show_all: str = r"(view|show) all referrals"
    registrant_column: str = r"registrant|patient|client|person|name"
    reference_column: str = r"^\s*reference\s*(#|no\.?|number)?\s*$"
    service_column: str = r"^\s*service\s*$"
    submitted_column: str = r"^\s*(submitted|received|date)\s*$"
    status_column: str = r"^\s*status\s*$"
    workflow_column: str = r"^\s*workflow\s*$"
    error_control: str = r"api error|api message has failed"
    next_page: str = r"^\s*(go to )?next\b|^\s*[›»→]\s*$"
    load_more: str = r"^\s*(load|show|view) more\b"
    showing: str = r"(?:showing\s+)?(\d[\d,]*)\s*(?:-|–|—|to)\s*(\d[\d,]*)\s+of\s+(\d[\d,]*)"
    loading: str | None = r"^\s*(loading|fetching|please wait|retrieving)\b"
    dismiss: str = r"^\s*(close|dismiss|got it|no,? thanks|not now|skip|maybe later|×|x)\s*[.!]?\s*$"
    session_expired: str = r"session (has |is )?(expired|ended|timed out)|(have|has) been (signed|logged) out"
    search: str | None = r"^\s*search"
    window_title: str = r"integration triggers"
    date_column: str = r"^\s*date\s*$"
    trigger_column: str = r"^\s*trigger\s*$"
    destination_column: str = r"^\s*destination\s*$"
    attempt_status_column: str = r"^\s*status\s*$"
    response_column: str = r"^\s*response\s*$"
    success: str = r"success|green check|succeeded|sent|[✓✔☑]"
    failed: str = r"fail|red x|error|unsuccess|not sent|undeliver|rejected|[✕✖✗✘❌⨯]"
    pending: str = r"pending|in progress|sending|queued"
    view: str = r"^\s*view\s*$"
    resend: str = r"^\s*resend\s*$"
    clear: str = r"^\s*(close and clear error|clear errors?)\s*$"
    close: str = r"^\s*(close|×|x)\s*$"
    # What a confirmation raised by the agent's own click says (a native confirm() or an in-page
    # dialog): only one that matches is confirmed, anything else is cancelled and reported.
    confirm_clear: str = (
        r"\b(clear|dismiss|resolv|remov)\w*\b[^.?!]{0,80}\berrors?\b"
        r"|\berrors?\b[^.?!]{0,80}\b(clear|dismiss|resolv|remov)"
    )
    confirm_resend: str = r"\b(re-?send|resubmit|send\b[^.?!]{0,40}\bagain)"
    confirm_button: str = (
        r"^\s*(yes\b.*|ok(ay)?|confirm|continue|proceed|resend|clear( errors?)?|close and clear error)\s*$"
    )
    cancel_button: str = r"^\s*(cancel|no|not now|close|dismiss|×|x)\s*$"
    # A notice (role=alert/status) that appeared after a click: its failure, or a plain confirmation.
    action_failed: str = (
        r"could ?n[o']t|cannot|can't|unable|failed|did ?n[o']t|try again|went wrong|denied|forbidden|expired"
    )
    action_done: str = r"\b(success\w*|resent|sent|cleared|removed|done|saved|queued)\b"

    @model_validator(mode="after")
    def _patterns_compile(self) -> Labels:
        import re

        for name, value in self:
            if value is None:
                continue
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"labels.{name} is not a valid regular expression: {exc}") from exc
        return self


class Settings(BaseSettings):
    """Everything an operator can set. See README, "Settings"."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    base_url: str | None = Field(default=None, description="The Caredove site, e.g. https://app.caredove.com")
    inbox_url: str | None = Field(default=None, description="Referral Inbox address; else the top menu is used.")
    username: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = Field(default=None, description="A file holding the password (mode 0600).")
    totp_secret: SecretStr | None = Field(default=None, description="Authenticator-app (TOTP) secret, base32.")
    referral_url: str | None = Field(
        default=None,
        description="Where a referral lives on the site, for the report's links: {base_url} and {reference}, "
        "e.g. {base_url}/referrals/{reference}. Unset: the address the agent used, else no link.",
    )
    totp_secret_file: Path | None = Field(default=None, description="A file holding the TOTP secret (mode 0600).")
    state: Path = Field(
        default=Path("state/ledger.sqlite"),
        description="The ledger (SQLite). Unset: one per inbox in $STATE_DIRECTORY or ~/.local/state/caredove-agent.",
    )
    report_dir: Path = Path("reports")
    schedules_dir: Path = Path("schedules")
    headless: bool = True
    browser_path: Path | None = Field(default=None, description="A Chromium/Chrome executable to use.")
    slow_mo: float = Field(default=0.0, ge=0, le=10_000, description="Milliseconds added to every browser action.")
    trace: Path | None = Field(default=None, description="Write a Playwright trace here (holds patient data).")
    timeout_seconds: float = Field(default=15.0, gt=0, le=600, description="Longest wait for one control.")
    navigation_timeout_seconds: float = Field(default=45.0, gt=0, le=600)
    site_timezone: str = Field(default="America/Toronto", description="For dates the site shows without one.")
    dry_run: bool = False
    only: list[str] = Field(default_factory=list, description="Sweep only these reference numbers.")
    max_actions: int | None = Field(default=None, ge=0)
    screenshots: bool = True
    file_mode: FileMode = Field(
        default="private", description="private: files only the agent's user reads; group: its group reads too."
    )
    overdue_hours: float = Field(default=26.0, gt=0, description="`status` says overdue after this long.")
    policy: Policy = Field(default_factory=Policy)
    labels: Labels = Field(default_factory=Labels)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, file_secret_settings, TomlConfigSettingsSource(settings_cls))

    @field_validator("base_url", "inbox_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("site_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return iana_zone(value)

    @field_validator("referral_url")
    @classmethod
    def _referral_pattern(cls, value: str | None) -> str | None:
        if value is None:
            return None

        return check_pattern(value)

    @field_validator("only")
    @classmethod
    def _references(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not v.strip().isdigit()]
        if bad:
            raise ValueError(f"reference numbers are digits only, got {bad[0]!r}")
        return [v.strip() for v in value]

    @model_validator(mode="after")
    def _one_ledger_per_inbox(self) -> Settings:
        """No ``state`` given: the inbox's own ledger in the per-user state folder (agent/places.py)."""
        if "state" not in self.model_fields_set:
            self.state = default_ledger(self.base_url)
        return self

    @model_validator(mode="after")
    def _password_from_file(self) -> Settings:
        for name, secret_file in (("password_file", self.password_file), ("totp_secret_file", self.totp_secret_file)):
            if secret_file is not None and readable_by_others(secret_file):
                log.warning("%s %s can be read by its group or everyone: chmod 600 it", name, secret_file)
        if self.password is None and self.password_file is not None:
            self.password = _secret_from("password_file", self.password_file)
        return self

    @model_validator(mode="after")
    def _totp_secret(self) -> Settings:
        """Read like the password (env or file, never a flag or the TOML file), then checked as base32."""
        if self.totp_secret is None and self.totp_secret_file is not None:
            self.totp_secret = _secret_from("totp_secret_file", self.totp_secret_file)
        if self.totp_secret is not None:
            cleaned = "".join(self.totp_secret.get_secret_value().split()).upper()
            try:
                base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
            except (binascii.Error, ValueError):
                raise ValueError("the TOTP secret is not base32 (letters A-Z and digits 2-7)") from None
            self.totp_secret = SecretStr(cleaned)
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.site_timezone)

    def require_site(self) -> tuple[str, str, SecretStr]:
        """Base URL and credentials, or a SettingsError naming what is missing."""
        missing = [
            env
            for env, value in (
                ("CAREDOVE_BASE_URL", self.base_url),
                ("CAREDOVE_USERNAME", self.username),
                ("CAREDOVE_PASSWORD (or CAREDOVE_PASSWORD_FILE)", self.password),
            )
            if not value
        ]
        if missing:
            raise SettingsError(
                f"missing setting{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                fix="set it in the environment (the password only there or in a file), or the TOML config",
            )
        assert self.base_url and self.username and self.password
        return self.base_url, self.username, self.password


def _secret_from(setting: str, path: Path) -> SecretStr:
    """A secret read from the file a ``*_file`` setting names; the error names the setting, never the value."""
    try:
        return SecretStr(path.read_text(encoding="utf-8").strip())
    except OSError as exc:
        raise ValueError(f"{setting} {path} cannot be read ({exc.strerror})") from exc


# Flags that map to a nested setting.
FLAG_NAMES = {
    "policy.max_resends": "--max-resends",
    "policy.settle_seconds": "--settle",
    "state": "--state",
    "report_dir": "--report-dir",
    "base_url": "--base-url",
    "headless": "--headless/--headed",
    "slow_mo": "--slow-mo",
    "trace": "--trace",
    "max_actions": "--max-actions",
    "only": "--only",
}


def _setting_name(loc: tuple[int | str, ...]) -> str:
    dotted = ".".join(str(part) for part in loc)
    env = ENV_PREFIX + "__".join(str(part) for part in loc).upper()
    flag = FLAG_NAMES.get(dotted)
    return f"{dotted} ({env}{' / ' + flag if flag else ''})"


def describe_validation_error(exc: ValidationError) -> str:
    """One line per bad setting, naming it the way an operator would set it."""
    lines = []
    for error in exc.errors():
        msg = error["msg"].removeprefix("Value error, ")
        lines.append(f"setting {_setting_name(error['loc'])}: {msg}")
    return "; ".join(lines)


def config_path(config_file: Path | None) -> Path | None:
    if config_file is not None:
        if not config_file.is_file():
            raise SettingsError(f"config file {config_file} not found", fix="check the --config path")
        return config_file
    env = os.environ.get(f"{ENV_PREFIX}CONFIG")
    if env:
        return config_path(Path(env))
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def load_settings(config_file: Path | None = None, **flags: Any) -> Settings:
    """Build the one Settings object; ``flags`` are command-line values (``None`` means not given)."""
    path = config_path(config_file)
    cls: type[Settings] = Settings
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"config file {path} cannot be read: {exc}", fix="fix the TOML") from exc
        secret = _secret_key(data)
        if secret is not None and secret.rsplit(".", 1)[-1].lower().replace("-", "_") == "totp_secret":
            raise SettingsError(
                f"config file {path} holds the TOTP secret ({secret})",
                fix="remove it; set CAREDOVE_TOTP_SECRET or totp_secret_file instead",
            )
        if secret is not None:
            raise SettingsError(
                f"config file {path} holds a password ({secret})",
                fix="remove it; set CAREDOVE_PASSWORD or password_file instead",
            )
        cls = _from_file(resolve_paths(data, path.parent.absolute()))
    given = _nest({k: v for k, v in flags.items() if v is not None})
    try:
        return cls(**given)
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc), fix="correct the setting and run again") from None


_SECRET_KEYS = frozenset({"password", "passwd", "pwd", "totp_secret"})


def _secret_key(data: dict[str, Any], prefix: str = "") -> str | None:
    """The dotted name of the first password-like key in a TOML table, at any depth and in any case."""
    for key, value in data.items():
        name = f"{prefix}{key}"
        normal = str(key).lower().replace("-", "_")
        if normal in _SECRET_KEYS or normal.endswith("_password"):
            return name
        if isinstance(value, dict) and (inner := _secret_key(value, f"{name}.")) is not None:
            return inner
    return None


def _from_file(data: dict[str, Any]) -> type[Settings]:
    """Settings that read ``data`` (the TOML file, relative paths already resolved against its
    folder) below the environment and the flags, as the file itself would be read."""

    def sources(
        cls: type[BaseSettings],
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, file_secret_settings, InitSettingsSource(settings_cls, init_kwargs=data))

    return type("Settings", (Settings,), {"settings_customise_sources": classmethod(sources)})


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"policy.max_resends": 1}`` → ``{"policy": {"max_resends": 1}}``."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        *parents, leaf = key.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return out
