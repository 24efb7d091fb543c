"""What a masked screenshot would hide, as boxes: for tests that plant personal data and prove the
masks cover it (no OCR needed: the page says where each element is)."""

from __future__ import annotations

import uuid

from playwright.sync_api import FloatRect, Locator, Page

from agent.pages.base import Screen
from agent.pages.masks import MASK_ATTRIBUTE


def masked_boxes(page: Page, screen: Screen) -> list[FloatRect]:
    """Tag the page as a screenshot would and return the boxes that would be masked (tags stay on)."""
    token = uuid.uuid4().hex
    assert screen.mark_personal(token) > 0
    boxes = (m.bounding_box() for m in page.locator(f"[{MASK_ATTRIBUTE}='{token}']").all())
    return [box for box in boxes if box]


def covers(masked: list[FloatRect], element: Locator) -> bool:
    """Whether one masked box holds the whole of the element's box (half a pixel of rounding allowed)."""
    box = element.bounding_box()
    assert box is not None, "the element is not on screen"
    return any(
        m["x"] <= box["x"] + 0.5
        and m["y"] <= box["y"] + 0.5
        and m["x"] + m["width"] >= box["x"] + box["width"] - 0.5
        and m["y"] + m["height"] >= box["y"] + box["height"] - 0.5
        for m in masked
    )
