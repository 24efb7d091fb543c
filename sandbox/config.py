"""The sandbox's switches, as given to ``POST /__sandbox/reset`` (faults, scripts and referrals aside).

Every [ours] choice of docs/inbox.md is one switch here; ``variant=SEED`` draws a consistent
combination of the look-and-behaviour switches (``sandbox.variants.expand``, before validation) and
explicit switches given alongside override the draw. Without ``variant`` every switch keeps its
default: today's look.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal, get_args

Scenario = Literal["demo", "rules", "large"]
Ui = Literal["older", "newer"]
WindowOrder = Literal["newest_first", "oldest_first", "by_destination"]
DateStyle = Literal["iso", "long", "us", "eu", "eu_seconds", "iso_t"]
ResponseStyleName = Literal["json", "key_value", "print_r"]
ErrorMix = Literal["mixed", "resend", "read_only"]
SignInFlow = Literal["one_step", "two_step", "microsoft"]
SecondFactor = Literal["none", "totp", "email", "sms"]
AfterSignIn = Literal["none", "password_expiry", "terms"]
Rows = Literal["html", "fetch"]
Loading = Literal["aria_busy", "progressbar", "loading_row"]
TableMarkup = Literal["html", "aria_table", "aria_grid"]
BannerRole = Literal["status", "alert"]
Toasts = Literal["none", "status", "alert"]
Paging = Literal["links", "buttons", "load_more", "single"]
PagerDisabled = Literal["aria", "disabled"]
WindowLoad = Literal["ready", "after_open"]
StatusStyle = Literal["text_icon", "icon", "title"]
ResponseLink = Literal["new_tab", "window_open", "same_tab"]
ResponseBlock = Literal["pre", "textarea", "plain"]
ClearConfirm = Literal["none", "native", "dialog"]
Landing = Literal["home", "inbox", "dashboard"]
Nav = Literal["menu_click", "menu_hover", "sidebar"]
Expiry = Literal["redirect", "script", "modal"]

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
    "rows": get_args(Rows),
    "loading": get_args(Loading),
    "table": get_args(TableMarkup),
    "banner_role": get_args(BannerRole),
    "toasts": get_args(Toasts),
    "paging": get_args(Paging),
    "pager_disabled": get_args(PagerDisabled),
    "window_load": get_args(WindowLoad),
    "status_style": get_args(StatusStyle),
    "response_link": get_args(ResponseLink),
    "response_block": get_args(ResponseBlock),
    "clear_confirm": get_args(ClearConfirm),
    "landing": get_args(Landing),
    "nav": get_args(Nav),
    "expiry": get_args(Expiry),
}
PLANT_KEYS = ("name", "dob", "hcn", "postal_code", "phone", "address")


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
    # --- the family of sites (sandbox.variants draws these) ---------------------------------------
    variant: int | None = None
    rows: Rows = "html"
    loading: Loading = "aria_busy"
    load_delay_ms: int = 0
    table: TableMarkup = "html"
    sort_buttons: bool = False
    filter_row: bool = False
    checkbox_column: bool = False
    detail_rows: bool = False
    banner_role: BannerRole = "status"
    toasts: Toasts = "none"
    paging: Paging = "links"
    pager_disabled: PagerDisabled = "aria"
    showing_line: bool = True
    window_load: WindowLoad = "ready"
    window_shadow: bool = False
    two_destinations: bool = False
    time_element: bool = True
    status_style: StatusStyle = "text_icon"
    response_link: ResponseLink = "new_tab"
    response_block: ResponseBlock = "pre"
    clear_confirm: ClearConfirm = "none"
    landing: Landing = "home"
    nav: Nav = "menu_click"
    announcement: bool = False
    expiry: Expiry = "redirect"
    rate_limit_ms: int = 0
    csrf: bool = False
    salt: bool = False
    relabel: bool = False
    plant: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.second_factor == "totp":
            _check_totp_secret(self.totp_secret)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Config:
        """Validate ``data`` (a variant already expanded: ``sandbox.variants.expand``)."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ConfigError(f"unknown switch {unknown[0]!r}")
        values = {name: _checked(name, value, known[name].default) for name, value in data.items()}
        config = cls(**values)
        if config.page_size < 1 or config.size < 0 or config.errors < 0 or config.time_scale < 0:
            raise ConfigError("page_size must be >= 1; size, errors and time_scale >= 0")
        if config.load_delay_ms < 0 or config.rate_limit_ms < 0:
            raise ConfigError("load_delay_ms and rate_limit_ms must be >= 0")
        if config.errors > config.size and config.scenario == "large":
            raise ConfigError("errors cannot exceed size")
        return config

    def switches(self) -> dict[str, Any]:
        """Every switch and its value, the password left out (for ``GET /__sandbox/state``)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "password"}


def _checked(name: str, value: Any, default: Any) -> Any:
    if name in CHOICES:
        if value not in CHOICES[name]:
            raise ConfigError(f"{name} must be one of {', '.join(CHOICES[name])}, not {value!r}")
        return value
    if name == "variant":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigError(f"variant must be a whole number (a seed), not {value!r}")
        return value
    if name == "plant":
        return _plant(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{name} must be true or false, not {value!r}")
        return value
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{name} must be a number, not {value!r}")
        if isinstance(default, int) and not isinstance(value, int):
            raise ConfigError(f"{name} must be a whole number, not {value!r}")
        return float(value) if isinstance(default, float) else value
    return value


def _plant(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"plant takes {{{', '.join(PLANT_KEYS)}: text}}")
    bad = sorted(set(value) - set(PLANT_KEYS))
    if bad:
        raise ConfigError(f"plant key {bad[0]!r} (known: {', '.join(PLANT_KEYS)})")
    return {str(k): str(v) for k, v in value.items()}
