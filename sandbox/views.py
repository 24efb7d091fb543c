"""The pages a person sees: Sign In, Home, the Referral Inbox, a referral, its Edit form, a response."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from sandbox import signin
from sandbox.auth import signed_out, store_of
from sandbox.model import Referral
from sandbox.render import page, when
from sandbox.responses import garbage, render, transfer_record
from sandbox.state import NotFound

FORM_FIELDS = (
    ("given_name", "Given name"), ("family_name", "Family name"), ("birth_date", "Date of birth"),
    ("gender", "Gender"), ("hcn", "Health card number"), ("hcn_version", "Version code"),
    ("address", "Address"), ("contact_name", "Primary contact"),
    ("contact_postal_code", "Primary contact postal code"), ("contact_phone", "Primary contact phone"),
)  # fmt: skip


async def home(request: Request) -> Response:
    if (answer := signed_out(request)) is not None:
        return answer
    store = store_of(request)
    with store.lock:
        total = len(store.order)
    return page(request, "home.html", total=total)


async def placeholder(request: Request) -> Response:
    if (answer := signed_out(request)) is not None:
        return answer
    title = {"outbox": "Referral Outbox", "settings": "Settings", "permissions": "Permissions",
             "reports": "Reports"}[request.url.path.rsplit("/", 1)[-1]]  # fmt: skip
    return page(request, "placeholder.html", title=title)


def _row(referral: Referral, store_config: Any) -> dict[str, Any]:
    latest = referral.latest()
    return {
        "reference": referral.reference,
        "registrant": referral.registrant,
        "service": referral.service,
        "submitted": when(referral.submitted, store_config),
        "status": referral.status,
        "has_error": referral.has_error,
        "sent_ok": latest is not None and latest.status == "success",
    }


async def inbox(request: Request) -> Response:
    if (answer := signed_out(request)) is not None:
        return answer
    store = store_of(request)
    errors_only = request.query_params.get("errors") == "1"
    query = request.query_params.get("q", "").strip().lower()
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    with store.lock:
        store.inbox_loads += 1
        if store.inbox_loads <= store.faults.inbox_fail_times:
            failing = True
        else:
            failing = False
            store.resolve_due()
            config = store.config
            shown = [store.referrals[r] for r in store.order]
            error_count = sum(r.has_error for r in shown)
            if errors_only:
                shown = [r for r in shown if r.has_error]
            if query:
                shown = [r for r in shown if query in r.reference or query in r.registrant.lower()]
            pages = max(1, math.ceil(len(shown) / config.page_size))
            number = min(number, pages)
            start = (number - 1) * config.page_size
            rows = [_row(r, config) for r in shown[start : start + config.page_size]]
    if failing:
        return page(request, "error.html", status_code=500, code=500)
    params = {k: v for k, v in (("errors", "1" if errors_only else ""), ("q", query)) if v}
    base = "/referrals/inbox" + (f"?{urlencode(params)}" if params else "")
    return page(
        request, "inbox.html", rows=rows, error_count=error_count, errors_only=errors_only, query=query,
        page_number=number, pages=pages, total=len(shown), first=start + 1 if rows else 0,
        last=start + len(rows), base=base,
    )  # fmt: skip


def _referral_or_404(request: Request) -> Referral | Response:
    store = store_of(request)
    try:
        with store.lock:
            return store.get(request.path_params["ref"])
    except NotFound:
        return page(request, "error.html", status_code=404, code=404)


async def referral(request: Request) -> Response:
    if (answer := signed_out(request)) is not None:
        return answer
    found = _referral_or_404(request)
    if isinstance(found, Response):
        return found
    return page(request, "referral.html", r=found, form=FORM_FIELDS, submitted=when(found.submitted, store_of(
        request).config), saved=request.query_params.get("saved") == "1")  # fmt: skip


async def edit(request: Request) -> Response:
    if (answer := signed_out(request)) is not None:
        return answer
    found = _referral_or_404(request)
    if isinstance(found, Response):
        return found
    if request.method == "POST":
        form = await request.form()
        values = {name: str(form.get(name, "")) for name, _ in FORM_FIELDS if name in form}
        store_of(request).save(found.reference, values)
        return RedirectResponse(f"/referrals/{found.reference}?saved=1", status_code=303)
    return page(request, "edit.html", r=found, form=FORM_FIELDS)


async def response_tab(request: Request) -> Response:
    if (answer := signed_out(request)) is not None:
        return answer
    store = store_of(request)
    reference = request.path_params["ref"]
    try:
        with store.lock:
            found = store.get(reference)
            attempt = store.attempt(found, int(request.path_params["attempt"]))
            faults, style = store.faults, store.config.response_style
    except (NotFound, ValueError):
        return page(request, "error.html", status_code=404, code=404)
    if reference in faults.response_fail_for:
        return page(request, "error.html", status_code=500, code=500)
    if reference in faults.response_garbage_for:
        block = garbage(f"{reference}/{attempt.id}")
    elif attempt.status == "pending":
        block = "No response yet: the message is still being sent."
    else:
        block = render(transfer_record(attempt.destination, attempt.http_code, attempt.text, attempt.id), style)
    return page(request, "response.html", reference=reference, block=block)


ROUTES = [
    *signin.ROUTES,
    Route("/", home),
    Route("/referrals/inbox", inbox),
    Route("/referrals/outbox", placeholder),
    Route("/settings", placeholder),
    Route("/permissions", placeholder),
    Route("/reports", placeholder),
    Route("/referrals/{ref:str}", referral),
    Route("/referrals/{ref:str}/edit", edit, methods=["GET", "POST"]),
    Route("/referrals/{ref:str}/attempts/{attempt:str}/response", response_tab),
]
