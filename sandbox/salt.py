"""``salt``: every class name and id in what the sandbox serves gets a suffix that changes at each
reset, as built front-ends do (CSS modules, hashed class names). The page's own script finds things by
``data-*`` attributes and roles, so it keeps working; so must anything driving the page."""

from __future__ import annotations

import re

ATTRIBUTE = re.compile(r'\b(class|id|for|aria-controls|aria-labelledby|aria-describedby)="([^"]*)"')
STYLE = re.compile(r"(<style>)(.*?)(</style>)", re.DOTALL)
SCRIPT = re.compile(r"(<script>.*?</script>)", re.DOTALL)
CSS_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def salted(html: str, salt: str) -> str:
    """``html`` with every class name and id suffixed ``-{salt}`` (scripts left alone)."""
    if not salt:
        return html
    parts = SCRIPT.split(html)
    for i in range(0, len(parts), 2):  # the odd parts are <script> blocks
        parts[i] = _salt_part(parts[i], salt)
    return "".join(parts)


def _salt_part(html: str, salt: str) -> str:
    html = STYLE.sub(lambda m: m[1] + CSS_CLASS.sub(lambda c: f".{c[1]}-{salt}", m[2]) + m[3], html)
    return ATTRIBUTE.sub(lambda m: f'{m[1]}="{" ".join(f"{t}-{salt}" for t in m[2].split())}"', html)
