"""``SandboxControl``: the tests' client of the ``/__sandbox`` routes (stdlib only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, cast


class SandboxControlError(RuntimeError):
    """The sandbox refused a control request (bad switch, unknown fault, ...)."""


class SandboxControl:
    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"the sandbox address must be http(s), not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.last_reset: dict[str, Any] = {}

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        url = f"{self.base_url}/__sandbox/{path}"
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - http(s) only
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                return json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            raise SandboxControlError(f"{method} /__sandbox/{path}: {exc.code} {detail}") from None

    def reset(self, **options: Any) -> dict[str, Any]:
        """Everything back to a scenario in one request; returns ``{"errored", "total"[, "rules"]}``."""
        self.last_reset = cast(dict[str, Any], self._call("POST", "reset", options))
        return self.last_reset

    @property
    def errored(self) -> list[str]:
        return list(self.last_reset.get("errored", []))

    def record(self, kind: str | None = None) -> list[dict[str, Any]]:
        events = cast(list[dict[str, Any]], self._call("GET", "record"))
        return [e for e in events if kind is None or e["kind"] == kind]

    def state(self) -> dict[str, Any]:
        return cast(dict[str, Any], self._call("GET", "state"))

    def referral(self, reference: str) -> dict[str, Any]:
        """One errored-or-touched referral from ``state()``, with its attempts oldest first."""
        for item in self.state()["referrals"]:
            if item["reference"] == reference:
                return cast(dict[str, Any], item)
        raise KeyError(reference)

    def variant(self) -> str:
        """One line naming the site being served (``variant 7: rows=fetch …``), for a failing test."""
        drawn = self.state().get("variant")
        return str(drawn["describe"]) if drawn else "no variant (today's look)"

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        return cast(dict[str, Any], self._call("POST", "faults", faults))

    def others(self, *, clear: list[str] | None = None, fail: dict[str, str] | None = None) -> dict[str, Any]:
        """Another person works the inbox mid-sweep (not recorded): clears these, makes those fail."""
        return cast(dict[str, Any], self._call("POST", "others", {"clear": clear or [], "fail": fail or {}}))

    def expire_sessions(self) -> int:
        return int(self._call("POST", "expire-sessions", {})["expired"])

    def reference_for(self, rule_id: str) -> str:
        """The referral the ``rules`` scenario made for a procedure rule (``"R1"`` … ``"R8"``)."""
        rules = self.last_reset.get("rules") or self.state().get("rules", {})
        try:
            return str(rules[rule_id])
        except KeyError:
            raise KeyError(f"no referral for rule {rule_id!r}: reset to the 'rules' scenario first") from None
