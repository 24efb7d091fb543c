"""Sign In as real accounts have it (switches ``sign_in_flow``, ``second_factor``, ``totp_secret``,
``after_sign_in``): one step or two (e-mail → Next → password), an authenticator code (RFC 6238,
checked with pyotp), a code sent by e-mail or SMS, a Microsoft-only page, and a notice after the
password (it expires soon / new terms to accept) that must be answered before anything else.

The record gets ``sign_in`` when a session is issued and ``sign_in_failed`` for every refused step;
answering a notice is recorded as ``notice`` (nothing else but these writes happens here).
"""

from __future__ import annotations

import secrets

import pyotp
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from sandbox.accounts import PENDING_COOKIE, accounts_of, notice_due
from sandbox.auth import COOKIE, store_of
from sandbox.config import Config
from sandbox.render import page

EXPIRES_IN_DAYS = 3


def _landing(config: Config) -> str:
    return "/referrals/inbox" if getattr(config, "landing", "home") == "inbox" else "/"


def _refused(request: Request) -> None:
    store = store_of(request)
    with store.lock:
        store.log("sign_in_failed", "rejected")


def _password_ok(config: Config, email: str, password: str) -> bool:
    return secrets.compare_digest(email.strip().lower(), config.username.lower()) and secrets.compare_digest(
        password, config.password
    )


def _masked_destination(config: Config) -> str:
    """Where the code was "sent", shown the way sites do: mostly hidden."""
    if config.second_factor == "sms":
        return "(•••) •••-0142"
    name, _, domain = config.username.partition("@")
    return f"{name[:1]}•••@{domain}"


async def login(request: Request) -> Response:
    config = store_of(request).config
    flow = config.sign_in_flow
    if request.method == "GET":
        expired = request.query_params.get("expired") == "1"
        template = "login_microsoft.html" if flow == "microsoft" else "login.html"
        step = "email" if flow == "two_step" else "both"
        return page(request, template, expired=expired, error=False, email="", step=step, unavailable=False)
    if flow == "microsoft":
        return RedirectResponse("/login", status_code=303)
    form = await request.form()
    email = str(form.get("email", ""))
    if flow == "two_step":
        token = accounts_of(request).start(email, "password")
        response = RedirectResponse("/login/password", status_code=303)
        response.set_cookie(PENDING_COOKIE, token, httponly=True, samesite="lax")
        return response
    if not _password_ok(config, email, str(form.get("password", ""))):
        _refused(request)
        return page(request, "login.html", status_code=401, expired=False, error=True, email=email, step="both")
    return _past_password(request, email)


async def password_step(request: Request) -> Response:
    """The second page of a two-step sign-in: the e-mail shown, the password asked."""
    config = store_of(request).config
    accounts = accounts_of(request)
    pending = accounts.take(request.cookies.get(PENDING_COOKIE), "password")
    if pending is None:
        return RedirectResponse("/login", status_code=303)
    if request.method == "GET":
        return page(request, "login.html", expired=False, error=False, email=pending.email, step="password")
    form = await request.form()
    if not _password_ok(config, pending.email, str(form.get("password", ""))):
        _refused(request)
        return page(request, "login.html", status_code=401, expired=False, error=True, email=pending.email,
                    step="password")  # fmt: skip
    accounts.finish(request.cookies.get(PENDING_COOKIE))
    return _past_password(request, pending.email)


def _past_password(request: Request, email: str) -> Response:
    config = store_of(request).config
    if config.second_factor == "none":
        return _signed_in(request)
    code = None if config.second_factor == "totp" else f"{secrets.randbelow(10**6):06d}"
    token = accounts_of(request).start(email, "code", code)
    response = RedirectResponse("/login/verify", status_code=303)
    response.set_cookie(PENDING_COOKIE, token, httponly=True, samesite="lax")
    return response


async def verify(request: Request) -> Response:
    """The second factor: an authenticator code, or a code "sent" by e-mail or SMS."""
    config = store_of(request).config
    accounts = accounts_of(request)
    pending = accounts.take(request.cookies.get(PENDING_COOKIE), "code")
    if pending is None:
        return RedirectResponse("/login", status_code=303)
    factor, sent_to = config.second_factor, _masked_destination(config)
    if request.method == "GET":
        return page(request, "login_code.html", error=False, factor=factor, sent_to=sent_to)
    code = "".join(str((await request.form()).get("code", "")).split())
    if config.second_factor == "totp":
        ok = pyotp.TOTP(config.totp_secret).verify(code, valid_window=1) and accounts.use_code(code)
    else:
        ok = pending.code is not None and secrets.compare_digest(code, pending.code)
    if not ok:
        _refused(request)
        return page(request, "login_code.html", status_code=401, error=True, factor=factor, sent_to=sent_to)
    accounts.finish(request.cookies.get(PENDING_COOKIE))
    return _signed_in(request)


def _signed_in(request: Request) -> Response:
    """Issue the session (recorded as ``sign_in``); a notice, when switched on, comes first."""
    store = store_of(request)
    config = store.config
    token = store.sign_in(config.username, config.password)
    assert token is not None
    target = _landing(config)
    if config.after_sign_in != "none":
        accounts_of(request).notice_for.add(token)
        target = "/welcome"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax")
    response.delete_cookie(PENDING_COOKIE)
    return response


async def welcome(request: Request) -> Response:
    """The notice between sign-in and the app: answering it (any button) is a write, recorded."""
    store = store_of(request)
    token = request.cookies.get(COOKIE)
    if not store.check_session(token) or not notice_due(request, token):
        return RedirectResponse("/", status_code=303)
    if request.method == "GET":
        return page(request, "welcome.html", kind=store.config.after_sign_in, days=EXPIRES_IN_DAYS)
    form = await request.form()
    with store.lock:
        store.log("notice", "applied", answer=str(form.get("answer", "")))
    accounts_of(request).notice_for.discard(token or "")
    return RedirectResponse(_landing(store.config), status_code=303)


async def microsoft(request: Request) -> Response:
    return page(request, "login_microsoft.html", expired=False, error=False, unavailable=True)


async def logout(request: Request) -> Response:
    store_of(request).sign_out(request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


ROUTES = [
    Route("/login", login, methods=["GET", "POST"]),
    Route("/login/password", password_step, methods=["GET", "POST"]),
    Route("/login/verify", verify, methods=["GET", "POST"]),
    Route("/login/microsoft", microsoft),
    Route("/welcome", welcome, methods=["GET", "POST"]),
    Route("/logout", logout),
]
