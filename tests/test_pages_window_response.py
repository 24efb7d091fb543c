"""The response behind `view`, however the site opens it, read only on the agent's own site.

Every link style and block style of the sandbox is read and compared with the sandbox's own record
of the attempt; a link (or a popup) pointing anywhere else is refused, and nothing is fetched from a
refused address. Crafted links are made by a small route that rewrites the window's real fragment."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, Request, Route

from agent.errors import AddressRefused, PageUnavailable
from agent.models import AttemptStatus
from agent.pages import InboxPage, SignInPage, TriggersWindowPage
from agent.rules.decide import latest_attempt
from agent.rules.reader import read_response
from agent.settings import Settings
from sandbox.control import SandboxControl, SandboxControlError

pytestmark = pytest.mark.browser


def reset(sandbox: SandboxControl, **switches: Any) -> dict[str, Any]:
    try:
        return sandbox.reset(scenario="rules", time_scale=0.01, **switches)
    except SandboxControlError as exc:
        if "unknown switch" in str(exc) or "must be one of" in str(exc):
            pytest.skip(f"the sandbox has no such switch yet: {exc}")
        raise


def signed_in(page: Page, settings: Settings) -> InboxPage:
    base_url, username, password = settings.require_site()
    SignInPage(page, settings).sign_in(base_url, username, password)
    inbox = InboxPage(page, settings)
    inbox.open()
    return inbox


def failed_latest(window: TriggersWindowPage) -> Any:
    latest = latest_attempt(window.read().attempts)
    assert latest is not None and latest.status is AttemptStatus.FAILED
    return latest


@pytest.mark.parametrize(
    ("link", "block"),
    [("new_tab", "pre"), ("window_open", "textarea"), ("same_tab", "plain"), ("window_open", "plain")],
)
def test_the_response_is_read_however_the_site_opens_and_prints_it(
    page: Page, sandbox: SandboxControl, settings: Settings, link: str, block: str
) -> None:
    refs = reset(sandbox, response_link=link, response_block=block)["rules"]
    inbox = signed_in(page, settings)
    for rule in ("R2", "R5"):
        window = inbox.open_window(refs[rule])
        view = window.read_response_view(failed_latest(window))
        truth = sandbox.referral(refs[rule])["attempts"][-1]
        assert read_response(view.text).http_code == truth["http_code"], rule
        assert view.window_open and window.dialog.is_visible()
        window.close()
    assert len(page.context.pages) <= 2, "a popup was left open"


def test_a_same_tab_page_is_read_and_left_with_back(page: Page, sandbox: SandboxControl, settings: Settings) -> None:
    ref = reset(sandbox, response_link="same_tab")["rules"]["R5"]
    inbox = signed_in(page, settings)
    window = inbox.open_window(ref)
    window.read()
    here = page.url
    link = window.dialog.get_by_role("link", name=re.compile(r"^\s*view\s*$", re.I)).first
    view = inbox.responses.read_by_click(page, link, site=here)
    assert view.navigated and not view.window_open
    codes = {a["http_code"] for a in sandbox.referral(ref)["attempts"]}
    assert read_response(view.text).http_code in codes
    assert page.url.split("#")[0] == here.split("#")[0]
    inbox.open_window(ref).read()  # the inbox works again


def test_a_missing_log_is_page_unavailable(page: Page, sandbox: SandboxControl, settings: Settings) -> None:
    ref = reset(sandbox)["rules"]["R5"]
    try:
        sandbox.set_faults(response_missing_for=[ref])
    except SandboxControlError:
        pytest.skip("the sandbox has no response_missing_for fault yet")
    window = signed_in(page, settings).open_window(ref)
    with pytest.raises(PageUnavailable, match="404"):
        window.read_response(failed_latest(window))


def rewrite_window(page: Page, pattern: str, replacement: str) -> None:
    """Serve the window's real fragment with its response addresses rewritten (a crafted link)."""

    def handle(route: Route) -> None:
        response = route.fetch()
        body = re.sub(pattern, replacement, response.text())
        route.fulfill(response=response, body=body)

    page.route(re.compile(r"/referrals/\d+/triggers"), handle)


@pytest.mark.parametrize(
    "address",
    ["file:///etc/passwd", "javascript:fetch('/x')", "http://localhost:{port}/referrals/{ref}/attempts/1/response"],
)
def test_a_view_link_off_the_site_is_refused_before_it_is_opened(
    page: Page, sandbox: SandboxControl, settings: Settings, address: str
) -> None:
    ref = reset(sandbox)["rules"]["R5"]
    port = sandbox.base_url.rsplit(":", 1)[1]
    crafted = address.format(port=port, ref=ref)
    rewrite_window(page, r'href="/referrals/\d+/attempts/\d+/response"', f'href="{crafted}"')
    asked: list[str] = []

    def note(request: Request) -> None:
        if "localhost" in request.url or request.url.startswith("file:"):
            asked.append(request.url)

    page.context.on("request", note)
    window = signed_in(page, settings).open_window(ref)
    with pytest.raises(AddressRefused) as refused:
        window.read_response(failed_latest(window))
    assert asked == []
    assert "passwd" not in refused.value.message and "/referrals/" not in refused.value.message


def test_a_popup_that_lands_on_another_site_is_closed_unread(
    page: Page, sandbox: SandboxControl, settings: Settings
) -> None:
    ref = reset(sandbox, response_link="window_open")["rules"]["R5"]
    port = sandbox.base_url.rsplit(":", 1)[1]
    rewrite_window(page, r'data-open-response="/', f'data-open-response="http://localhost:{port}/')
    window = signed_in(page, settings).open_window(ref)
    with pytest.raises(AddressRefused, match="another site"):
        window.read_response(failed_latest(window))
    assert [p for p in page.context.pages if "localhost" in p.url] == []


def test_a_script_driven_same_tab_view_is_read_then_the_window_opened_again(
    page: Page, sandbox: SandboxControl, settings: Settings
) -> None:
    ref = reset(sandbox)["rules"]["R5"]
    rewrite_window(
        page,
        r'<a href="(/referrals/\d+/attempts/\d+/response)"[^>]*>',
        r"""<a href="#" onclick="location.assign('\1'); return false;">""",
    )
    inbox = signed_in(page, settings)
    window = inbox.open_window(ref)
    latest = failed_latest(window)
    here = page.url
    view = window.read_response_view(latest)
    assert view.navigated and view.window_open and window.dialog.is_visible()
    assert read_response(view.text).http_code == sandbox.referral(ref)["attempts"][-1]["http_code"]
    assert page.url.split("#")[0] == here.split("#")[0]
    assert sandbox.record() == [e for e in sandbox.record() if e["kind"] == "sign_in"], "reading changed nothing"
