"""The Referral Inbox: the page, and the rows endpoint its script fetches (``rows=fetch``, paging buttons,
Load more). Both read the same listing, so a page rendered in the HTML and one fetched later agree."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.auth import signed_out, store_of
from sandbox.config import Config
from sandbox.model import Referral
from sandbox.render import ENV, ERROR_TITLE, labels, page, when
from sandbox.salt import salted
from sandbox.state import Store

BASE_COLUMNS = 7  # Reference # · Registrant · Service · Submitted · Status · Workflow · row menu


@dataclass(frozen=True)
class Query:
    """What the address asks for: the errors-only filter, a search, a page number."""

    errors_only: bool
    text: str
    page: int

    @classmethod
    def of(cls, request: Request) -> Query:
        try:
            number = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            number = 1
        errors_only = request.query_params.get("errors") == "1"
        return cls(errors_only, request.query_params.get("q", "").strip().lower(), number)

    def params(self, page: int | None = None) -> str:
        pairs = [("errors", "1" if self.errors_only else ""), ("q", self.text), ("page", str(page or ""))]
        kept = {k: v for k, v in pairs if v}
        return f"?{urlencode(kept)}" if kept else ""


def _row(referral: Referral, config: Config) -> dict[str, Any]:
    latest = referral.latest()
    return {
        "reference": referral.reference,
        "registrant": referral.registrant,
        "service": referral.service,
        "destination": " and ".join(referral.destinations()),
        "submitted": when(referral.submitted, config),
        "status": referral.status,
        "has_error": referral.has_error,
        "sent_ok": latest is not None and latest.status == "success",
    }


def listing(store: Store, query: Query) -> dict[str, Any]:
    """One page of the inbox as it is now (takes the lock): rows, counts and the "Showing" line."""
    with store.lock:
        store.resolve_due()
        config = store.config
        shown = [store.referrals[r] for r in store.order]
        error_count = sum(r.has_error for r in shown)
        if query.errors_only:
            shown = [r for r in shown if r.has_error]
        if query.text:
            shown = [r for r in shown if query.text in r.reference or query.text in r.registrant.lower()]
        size = max(1, len(shown)) if config.paging == "single" else config.page_size
        pages = max(1, math.ceil(len(shown) / size))
        number = min(query.page, pages)
        start = (number - 1) * size
        rows = [_row(r, config) for r in shown[start : start + size]]
    first, last, total = (start + 1 if rows else 0), start + len(rows), len(shown)
    return {
        "rows": rows, "error_count": error_count, "page_number": number, "pages": pages, "total": total,
        "first": first, "last": last,
        "showing": f"Showing {first}–{last} of {total}" if total else "Showing 0 of 0",
        "columns": BASE_COLUMNS + config.checkbox_column,
    }  # fmt: skip


def _failing(store: Store) -> bool:
    """``inbox_fail_times``: the first N inbox loads fail (the page, or with ``rows=fetch`` its rows)."""
    with store.lock:
        store.inbox_loads += 1
        return store.inbox_loads <= store.faults.inbox_fail_times


async def inbox(request: Request) -> Response:
    if (answer := signed_out(request)) is not None:
        return answer
    store = store_of(request)
    if store.config.rows == "html" and _failing(store):
        return page(request, "error.html", status_code=500, code=500)
    query = Query.of(request)
    listed = listing(store, query)
    loading = store.config.rows == "fetch"
    base = "/referrals/inbox" + query.params()
    rows_url = "/referrals/inbox/rows" + Query(query.errors_only, query.text, 1).params()
    if loading:
        listed["showing"] = ""
    return page(request, "inbox.html", errors_only=query.errors_only, query=query.text, base=base,
                rows_url=rows_url, loading=loading, **listed)  # fmt: skip


async def rows(request: Request) -> Response:
    """The rows endpoint: ``{"html", "page", "pages", "total", "first", "last", "showing"}``, after
    ``load_delay_ms`` (a slow API is why real pages show a loading state)."""
    if (answer := signed_out(request)) is not None:
        return answer
    store = store_of(request)
    config = store.config
    if config.load_delay_ms:
        await asyncio.sleep(config.load_delay_ms / 1000)
    if config.rows == "fetch" and _failing(store):
        return JSONResponse({"error": "Something went wrong"}, status_code=500)
    listed = listing(store, Query.of(request))
    html = ENV.get_template("_rows.html").render(
        config=config, labels=labels(config), error_title=ERROR_TITLE, rows=listed["rows"],
        columns=listed["columns"],
    )  # fmt: skip
    html = salted(html, store.salt)
    keys = ("page_number", "pages", "total", "first", "last", "showing", "error_count")
    return JSONResponse({"html": html, **{k: listed[k] for k in keys}})


ROUTES = [
    Route("/referrals/inbox", inbox),
    Route("/referrals/inbox/rows", rows),
]
