"""A family of Caredove-like inboxes: ``draw(seed)`` picks one consistent combination of switches.

Each axis is drawn from its own random stream (``Random(f"{seed}:{axis}")``), so adding an axis
later does not change what an existing seed draws on the others. A few combinations a real site
would not ship are then made consistent (``_consistent``). ``describe(seed)`` is the one line a
failing test prints so the site can be rebuilt exactly: ``reset(variant=seed)``.
"""

from __future__ import annotations

import random
from typing import Any

from sandbox.config import Config, ConfigError

# axis -> the values a draw picks from (repeats weight a value). Only switches that change how the
# site looks or behaves are drawn; the data (scenario, size, ...), the help article's version
# (``ui``), faults, ``relabel`` and ``plant`` are never drawn.
AXES: dict[str, tuple[Any, ...]] = {
    "rows": ("html", "fetch", "fetch"),
    "loading": ("aria_busy", "progressbar", "loading_row"),
    "load_delay_ms": (40, 120, 250),
    "table": ("html", "aria_table", "aria_grid"),
    "sort_buttons": (False, True),
    "filter_row": (False, True),
    "checkbox_column": (False, True),
    "detail_rows": (False, True),
    "banner_role": ("status", "alert"),
    "toasts": ("none", "status", "alert"),
    "paging": ("links", "buttons", "load_more", "single"),
    "pager_disabled": ("aria", "disabled"),
    "showing_line": (True, True, False),
    "page_size": (10, 20, 25, 50),
    "window_load": ("ready", "after_open"),
    "window_shadow": (False, False, True),
    "window_order": ("newest_first", "oldest_first", "by_destination"),
    "two_destinations": (False, True),
    "date_style": ("iso", "long", "us", "eu", "eu_seconds", "iso_t"),
    "time_element": (True, True, False),
    "status_style": ("text_icon", "icon", "title"),
    "response_link": ("new_tab", "window_open", "same_tab"),
    "response_block": ("pre", "textarea", "plain"),
    "response_style": ("json", "key_value", "print_r"),
    "clear_confirm": ("none", "native", "dialog"),
    "landing": ("home", "inbox", "dashboard"),
    "nav": ("menu_click", "menu_hover", "sidebar"),
    "announcement": (False, False, True),
    "expiry": ("redirect", "script", "modal"),
    "rate_limit_ms": (0, 0, 0, 150),
    "csrf": (False, True),
    "salt": (False, True),
}
MINUTE_STYLES = ("us", "eu")  # dates without seconds


def expand(switches: dict[str, Any]) -> dict[str, Any]:
    """Reset's switches with ``variant`` drawn out: the draw first, the switches given on top."""
    seed = switches.get("variant")
    if seed is None:
        return dict(switches)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"variant must be a whole number (a seed), not {seed!r}")
    return draw(seed) | switches


def draw(seed: int) -> dict[str, Any]:
    """One consistent combination of the drawn switches for ``seed`` (the same seed, the same site)."""
    picked = {axis: random.Random(f"{seed}:{axis}").choice(values) for axis, values in AXES.items()}
    return _consistent(picked)


def _consistent(picked: dict[str, Any]) -> dict[str, Any]:
    """Rules every real site follows: dates without seconds come with a machine-readable ``<time>``."""
    if picked.get("date_style") in MINUTE_STYLES:
        picked["time_element"] = True
    return picked


def describe(seed: int) -> str:
    """``variant 7: rows=fetch table=aria_grid ...`` — only the switches that differ from today's look."""
    defaults = Config()
    changed = [f"{k}={v}" for k, v in draw(seed).items() if getattr(defaults, k) != v]
    return f"variant {seed}: " + (" ".join(changed) if changed else "today's look")


def variant_of(config: Config) -> dict[str, Any] | None:
    """What ``GET /__sandbox/state`` says of the variant: its seed, what it drew, the switches given
    alongside that overrode the draw, and the one line (with the overrides) a failing test prints."""
    if config.variant is None:
        return None
    drawn = draw(config.variant)
    overridden = {k: getattr(config, k) for k, v in drawn.items() if getattr(config, k) != v}
    line = describe(config.variant)
    if overridden:
        line += " (given: " + " ".join(f"{k}={v}" for k, v in overridden.items()) + ")"
    return {"seed": config.variant, "drawn": drawn, "overridden": overridden, "describe": line}
