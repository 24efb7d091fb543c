"""The sandbox's switches, as given to ``POST /__sandbox/reset`` (faults, scripts and referrals aside)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal, get_args

Scenario = Literal["demo", "rules", "large"]
Ui = Literal["older", "newer"]
WindowOrder = Literal["newest_first", "oldest_first"]
DateStyle = Literal["iso", "long"]
ResponseStyleName = Literal["json", "key_value", "print_r"]
ErrorMix = Literal["mixed", "resend", "read_only"]
SignInFlow = Literal["one_step", "two_step", "microsoft"]
SecondFactor = Literal["none", "totp", "email", "sms"]
AfterSignIn = Literal["none", "password_expiry", "terms"]

DEFAULT_USERNAME = "staff@clinic.example"
DEFAULT_PASSWORD = "sandbox-password"  # noqa: S105 - the sandbox's own demo credential

CHOICES: dict[str, tuple[str, ...]] = {
    "scenario": get_args(Scenario),
    "ui": get_args(Ui),
    "window_order": get_args(WindowOrder),
    "date_style": get_args(DateStyle),
    "response_style": get_args(ResponseStyleName),
    "error_mix": get_args(ErrorMix),
    "sign_in_flow": get_args(SignInFlow),
    "second_factor": get_args(SecondFactor),
    "after_sign_in": get_args(AfterSignIn),
}


class ConfigError(ValueError):
    """A switch the sandbox does not know, or a value it cannot take."""


def _check_totp_secret(secret: str) -> None:
    """An authenticator secret is base32 (RFC 4648), as the QR codes of every authenticator app carry it."""
    import base64
    import binascii

    cleaned = secret.replace(" ", "").upper()
    try:
        if not cleaned or len(base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))) < 10:
            raise ValueError
    except (binascii.Error, ValueError):
        raise ConfigError("second_factor totp needs totp_secret: a base32 secret of 16 or more characters") from None


@dataclass(frozen=True)
class Config:
    scenario: Scenario = "demo"
    size: int = 500
    errors: int = 50
    seed: int = 1
    error_mix: ErrorMix = "mixed"
    ui: Ui = "older"
    window_order: WindowOrder = "newest_first"
    page_size: int = 25
    date_style: DateStyle = "iso"
    response_style: ResponseStyleName = "json"
    time_scale: float = 1.0
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    session_idle_seconds: float = 1800.0
    refresh_ms: int = 250
    timezone: str = "America/Toronto"
    # --- sign-in (sandbox.signin) ------------------------------------------------------------------
    sign_in_flow: SignInFlow = "one_step"
    second_factor: SecondFactor = "none"
    totp_secret: str = ""
    after_sign_in: AfterSignIn = "none"

    def __post_init__(self) -> None:
        if self.second_factor == "totp":
            _check_totp_secret(self.totp_secret)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Config:
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name not in known:
                raise ConfigError(f"unknown switch {name!r}")
            if name in CHOICES and value not in CHOICES[name]:
                raise ConfigError(f"{name} must be one of {', '.join(CHOICES[name])}, not {value!r}")
            default = known[name].default
            if isinstance(default, bool | int | float) and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise ConfigError(f"{name} must be a number, not {value!r}")
            values[name] = float(value) if isinstance(default, float) else value
        config = cls(**values)
        if config.page_size < 1 or config.size < 0 or config.errors < 0 or config.time_scale < 0:
            raise ConfigError("page_size must be >= 1; size, errors and time_scale >= 0")
        if config.errors > config.size and config.scenario == "large":
            raise ConfigError("errors cannot exceed size")
        return config
