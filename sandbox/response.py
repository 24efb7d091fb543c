"""The response tab: an attempt's transfer record, shown as ``response_block`` says (``<pre>``, a
read-only ``<textarea>``, or a ``text/plain`` document), with a Back link when it opened in the same tab."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from sandbox.auth import signed_out, store_of
from sandbox.config import ResponseStyleName
from sandbox.model import Attempt
from sandbox.render import page
from sandbox.responses import garbage, render, transfer_record
from sandbox.state import NotFound

PENDING = "No response yet: the message is still being sent."


def planted_text(text: str, plant: dict[str, str]) -> str:
    """``plant``: a plain-text partner reply repeats the patient's details, as real replies do.
    Structured (JSON, HTML) and empty replies are left as they are, so that they still read the same."""
    details = [f"{label} {plant[key]}" for key, label in (("name", "patient"), ("dob", "DOB"), ("hcn", "HCN"),
               ("postal_code", "postal code"), ("phone", "phone"), ("address", "address")) if key in plant]  # fmt: skip
    if not details or not text.strip() or text.lstrip().startswith(("{", "[", "<")):
        return text
    return f"{text} ({', '.join(details)})"


def _back(request: Request) -> str:
    """Where the same-tab page's Back link goes: the page that opened it, else the inbox."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path:
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/referrals/inbox"


def _block(attempt: Attempt, text: str, style: ResponseStyleName) -> str:
    if attempt.status == "pending":
        return PENDING
    return render(transfer_record(attempt.destination, attempt.http_code, text, attempt.id), style)


async def response_tab(request: Request) -> Response:
    if (answer := signed_out(request)) is not None:
        return answer
    store = store_of(request)
    reference = request.path_params["ref"]
    try:
        with store.lock:
            found = store.get(reference)
            attempt = store.attempt(found, int(request.path_params["attempt"]))
            faults, config = store.faults, store.config
    except (NotFound, ValueError):
        return page(request, "error.html", status_code=404, code=404)
    if reference in faults.response_missing_for:
        return page(request, "error.html", status_code=404, code=404)
    if reference in faults.response_fail_for:
        return page(request, "error.html", status_code=500, code=500)
    if reference in faults.response_garbage_for:
        block = garbage(f"{reference}/{attempt.id}")
    else:
        block = _block(attempt, planted_text(attempt.text, config.plant), config.response_style)
    if config.response_block == "plain":
        return PlainTextResponse(block)
    back = _back(request) if config.response_link == "same_tab" else None
    return page(request, "response.html", reference=reference, block=block, back=back)


ROUTES = [Route("/referrals/{ref:str}/attempts/{attempt:str}/response", response_tab)]
