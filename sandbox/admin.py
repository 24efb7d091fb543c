"""The test-only control routes under ``/__sandbox`` (JSON in, JSON out)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.auth import store_of
from sandbox.config import ConfigError
from sandbox.faults import FaultError
from sandbox.state import NotFound


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    data = json.loads(raw) if raw.strip() else {}
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def _bad(exc: Exception) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=400)


async def reset(request: Request) -> Response:
    try:
        return JSONResponse(store_of(request).reset(await _body(request)))
    except (ConfigError, FaultError, NotFound, ValueError, TypeError, KeyError) as exc:
        return _bad(exc)


async def record(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        return JSONResponse(list(store.record))


async def state(request: Request) -> Response:
    return JSONResponse(store_of(request).state())


async def faults(request: Request) -> Response:
    store = store_of(request)
    try:
        changes = await _body(request)
        with store.lock:
            store.faults.merge(changes)
            return JSONResponse(store.faults.as_json())
    except (FaultError, ValueError) as exc:
        return _bad(exc)


async def expire_sessions(request: Request) -> Response:
    return JSONResponse({"expired": store_of(request).expire_sessions()})


async def others(request: Request) -> Response:
    """``{"clear": [refs], "fail": {ref: example}}``: another person works the inbox mid-sweep."""
    try:
        body = await _body(request)
        unknown = sorted(set(body) - {"clear", "fail"})
        if unknown:
            raise ValueError(f"unknown change {unknown[0]!r} (known: clear, fail)")
        clear, fail = body.get("clear", []), body.get("fail", {})
        if not isinstance(clear, list) or not isinstance(fail, dict):
            raise ValueError("clear takes a list of references, fail {reference: example}")
        return JSONResponse(
            store_of(request).others([str(r) for r in clear], {str(k): str(v) for k, v in fail.items()})
        )
    except (NotFound, ValueError, KeyError) as exc:
        return _bad(exc)


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True})


ROUTES = [
    Route("/__sandbox/reset", reset, methods=["POST"]),
    Route("/__sandbox/record", record),
    Route("/__sandbox/state", state),
    Route("/__sandbox/faults", faults, methods=["POST"]),
    Route("/__sandbox/expire-sessions", expire_sessions, methods=["POST"]),
    Route("/__sandbox/others", others, methods=["POST"]),
    Route("/__sandbox/health", health),
]
