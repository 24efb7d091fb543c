"""The procedure's knobs, separate from where they come from so the rules can take them as data."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Policy(BaseModel):
    """What procedure.md leaves to a setting."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_resends: int = Field(
        default=2,
        ge=1,
        le=5,
        description="Resends in one failure before escalating (the article: once, then one more try).",
    )
    treat_2xx_as_success: bool = Field(
        default=False,
        description="The newer article: a 200-series code on a failed attempt is a success, so clear it.",
    )
    settle_seconds: float = Field(
        default=180.0,
        gt=0,
        description="How long to wait for a resend's result ('wait a few minutes').",
    )
    poll_seconds: float = Field(
        default=20.0,
        gt=0,
        description="How often pending referrals are looked at again while waiting.",
    )


def out_of_actions(clicks: int, max_actions: int | None) -> bool:
    """The ``--max-actions`` limit: no more state-changing clicks once ``clicks`` reached it (None: no limit).

    A click counts once its intent is written, whether or not it took effect; a click the site refused
    (401/403, so it did not happen) is given back by the sweep."""
    return max_actions is not None and clicks >= max_actions
