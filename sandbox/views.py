"""The pages a person sees: Sign In, Home, a referral, its Edit form (the inbox: inbox.py; responses: response.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from sandbox import signin
from sandbox.auth import signed_out, store_of
from sandbox.guards import CSRF_FIELD, refused
from sandbox.model import Referral
from sandbox.render import page, when
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
        errors = sum(store.referrals[r].has_error for r in store.order)
    if store.config.landing == "dashboard":  # `landing`: a dashboard of tiles instead of Home
        return page(request, "dashboard.html", total=total, errors=errors)
    return page(request, "home.html", total=total)


async def placeholder(request: Request) -> Response:
    if (answer := signed_out(request)) is not None:
        return answer
    title = {"outbox": "Referral Outbox", "settings": "Settings", "permissions": "Permissions",
             "reports": "Reports"}[request.url.path.rsplit("/", 1)[-1]]  # fmt: skip
    return page(request, "placeholder.html", title=title)


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
    form = await request.form() if request.method == "POST" else None
    if form is not None:
        token = str(form.get(CSRF_FIELD, "")) or None
        if (answer := refused(request, "save", request.path_params["ref"], form_token=token)) is not None:
            return answer
    elif (answer := signed_out(request)) is not None:
        return answer
    found = _referral_or_404(request)
    if isinstance(found, Response):
        return found
    if form is not None:
        values = {name: str(form.get(name, "")) for name, _ in FORM_FIELDS if name in form}
        store_of(request).save(found.reference, values)
        return RedirectResponse(f"/referrals/{found.reference}?saved=1", status_code=303)
    return page(request, "edit.html", r=found, form=FORM_FIELDS)


ROUTES = [
    *signin.ROUTES,
    Route("/", home),
    Route("/referrals/outbox", placeholder),
    Route("/settings", placeholder),
    Route("/permissions", placeholder),
    Route("/reports", placeholder),
    Route("/referrals/{ref:str}", referral),
    Route("/referrals/{ref:str}/edit", edit, methods=["GET", "POST"]),
]
