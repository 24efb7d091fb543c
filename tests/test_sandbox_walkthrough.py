"""A person's walk through Caredove's article on the sandbox, in a real Chromium, plus every fault.

These tests prove the sandbox behaves as docs/sandbox-contract.md says; the agent's own tests then
rely on it. They wait with web-first assertions (``expect``), never with sleeps.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from sandbox.config import DEFAULT_PASSWORD as SANDBOX_PASSWORD
from sandbox.config import DEFAULT_USERNAME as SANDBOX_USER
from sandbox.control import SandboxControl, SandboxControlError

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[1] / "test-results" / "screenshots"
ERROR_CONTROL = re.compile(r"^(API error|API)$")
CLEAR = {"older": "Close and clear error", "newer": "Clear Errors"}
FILTER = {"older": "View Referrals with integration errors", "newer": "View referrals with integration errors"}


def sign_in(page: Page, base_url: str, password: str = SANDBOX_PASSWORD) -> None:
    page.goto(base_url + "/")
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()
    page.get_by_role("textbox", name="Email").fill(SANDBOX_USER)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def quick_sign_in(page: Page, base_url: str) -> None:
    """Sign in with one request (the session cookie lands in the page's context); no page load."""
    form = {"email": SANDBOX_USER, "password": SANDBOX_PASSWORD}
    answer = page.request.post(f"{base_url}/login", form=form, max_redirects=0)
    assert answer.status == 303


def open_inbox(page: Page, base_url: str, query: str = "", *, by_menu: bool = False) -> None:
    if by_menu:  # the person's way: Sign In, Home, Referrals → Inbox
        sign_in(page, base_url)
        expect(page.get_by_role("heading", name="Home")).to_be_visible()
        nav = page.get_by_role("navigation", name="Main")
        nav.get_by_role("button", name="Referrals").click()
        nav.get_by_role("link", name="Inbox").click()
    else:
        quick_sign_in(page, base_url)
        page.goto(f"{base_url}/referrals/inbox{query}")
    expect(page.get_by_role("heading", name="Referral Inbox")).to_be_visible()


def row(page: Page, reference: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=reference, exact=True))


def open_window(page: Page, reference: str) -> Locator:
    row(page, reference).get_by_role("button", name=ERROR_CONTROL).click()
    window = page.get_by_role("dialog", name="Integration Triggers")
    expect(window).to_be_visible()
    expect(window).to_contain_text(f"Referral {reference}")
    return window


def banner(page: Page) -> Locator:
    return page.get_by_role("status").filter(has_text="integration errors")


def latest_status(window: Locator) -> Locator:
    """The status icon of the newest attempt (rows are newest first by default)."""
    return window.get_by_role("row").nth(1).get_by_role("img")


# --- the article, step by step ---------------------------------------------------------------------


@pytest.mark.parametrize("ui", ["older", "newer"])
def test_walk_through_the_article(page: Page, sandbox: SandboxControl, ui: str) -> None:
    sandbox.reset(scenario="rules", ui=ui, time_scale=0.01)
    ref = sandbox.reference_for("R2")
    open_inbox(page, sandbox.base_url, by_menu=True)
    expect(banner(page)).to_have_text(re.compile(r"8 referrals have integration errors\."))
    page.get_by_role("link", name=FILTER[ui], exact=True).click()
    expect(page.get_by_role("link", name="View all referrals")).to_be_visible()
    expect(page.get_by_role("button", name=ERROR_CONTROL)).to_have_count(8)
    expect(page.get_by_text("Showing 1–8 of 8")).to_be_visible()
    page.screenshot(path=SHOTS / f"inbox-{ui}.png", full_page=True)

    window = open_window(page, ref)
    page.screenshot(path=SHOTS / f"window-{ui}.png")
    headers = window.get_by_role("columnheader")
    expect(headers).to_have_text(["Date", "Trigger", "Destination", "Status", "Response", "Actions"])
    expect(latest_status(window)).to_have_accessible_name("Failed")

    with page.context.expect_page() as new_tab:
        window.get_by_role("link", name="view").first.click()
    tab = new_tab.value
    expect(tab.get_by_role("heading", name="Response")).to_be_visible()
    expect(tab.locator("pre")).to_contain_text('"http_code": 502')
    tab.close()

    window.get_by_role("button", name="Resend").click()
    expect(latest_status(window)).to_have_accessible_name("Pending")
    expect(window.get_by_role("button", name="Resend")).to_have_count(1)  # only the failed row
    expect(latest_status(window)).to_have_accessible_name("Success", timeout=5_000)

    clear = window.get_by_role("button", name=CLEAR[ui], exact=True)
    table_box, clear_box = window.get_by_role("table").bounding_box(), clear.bounding_box()
    assert table_box and clear_box
    above = clear_box["y"] < table_box["y"]
    assert above == (ui == "newer"), "older: clear button at the bottom; newer: at the top"
    clear.click()
    expect(window).to_be_hidden()
    expect(row(page, ref)).to_have_count(0)  # the filtered view no longer lists it
    expect(banner(page)).to_have_text(re.compile(r"7 referrals have integration errors\."))

    events = sandbox.record()
    assert [e["kind"] for e in events] == ["sign_in", "resend", "clear"]
    assert events[1]["before"]["latest_status"] == "failed" and events[1]["before"]["latest_http_code"] == 502
    assert events[2]["before"] == {
        "has_error": True, "latest_status": "success", "latest_http_code": 201, "pending": False, "attempts": 2,
        "destinations": {"EMHware": {"status": "success", "http_code": 201}},
    }  # fmt: skip


def test_error_control_looks_like_the_article_says(page: Page, sandbox: SandboxControl) -> None:
    sandbox.reset(scenario="rules", ui="newer")
    open_inbox(page, sandbox.base_url)
    control = row(page, sandbox.reference_for("R5")).get_by_role("button", name="API", exact=True)
    expect(control).to_have_attribute(
        "title", "An API message has FAILED (This error message must be manually cleared)."
    )
    # A resolved-but-not-cleared referral shows both the success icon and the error control.
    resolved = row(page, sandbox.reference_for("R1"))
    expect(resolved.get_by_role("img", name="API message sent successfully")).to_be_visible()
    expect(resolved.get_by_role("button", name="API")).to_be_visible()


def test_a_resend_that_fails_again_shows_failed(page: Page, sandbox: SandboxControl) -> None:
    ref = sandbox.reference_for("R4")
    open_inbox(page, sandbox.base_url)
    window = open_window(page, ref)
    window.get_by_role("button", name="Resend").click()
    expect(latest_status(window)).to_have_accessible_name("Pending")
    expect(latest_status(window)).to_have_accessible_name("Failed", timeout=5_000)
    expect(window.get_by_role("button", name="Resend")).to_have_count(2)
    attempts = sandbox.referral(ref)["attempts"]
    assert [(a["status"], a["http_code"], a["trigger"]) for a in attempts] == [
        ("failed", 504, "Booked"),
        ("failed", 504, "Booked"),
    ]


def test_resend_and_clear_are_applied_even_when_the_procedure_forbids_them(page: Page, sandbox: SandboxControl) -> None:
    """So the record proves what an agent did: a Resend on a 400 and a clear of a failure both count."""
    ref = sandbox.reference_for("R5")
    open_inbox(page, sandbox.base_url)
    window = open_window(page, ref)
    window.get_by_role("button", name="Resend").click()
    expect(latest_status(window)).to_have_accessible_name(re.compile("Pending|Failed"))
    window.get_by_role("button", name="Close and clear error").click()
    expect(window).to_be_hidden()
    resend, clear = sandbox.record()[1:]
    assert (resend["kind"], resend["outcome"], resend["before"]["latest_http_code"]) == ("resend", "applied", 400)
    assert (clear["kind"], clear["outcome"], clear["reference"]) == ("clear", "applied", ref)
    assert clear["before"]["latest_status"] in ("pending", "failed")


def test_wrong_password_is_refused_and_recorded(page: Page, sandbox: SandboxControl) -> None:
    sign_in(page, sandbox.base_url, password="not-it")
    expect(page.get_by_role("alert")).to_have_text("Invalid email or password.")
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()
    assert [(e["kind"], e["outcome"]) for e in sandbox.record()] == [("sign_in_failed", "rejected")]


def test_reset_changes_credentials(page: Page, sandbox: SandboxControl) -> None:
    sandbox.reset(scenario="rules", username="night@clinic.example", password="other-secret")
    sign_in(page, sandbox.base_url)
    expect(page.get_by_role("alert")).to_be_visible()


# --- the inbox -----------------------------------------------------------------------------------


def test_errors_span_several_pages(page: Page, sandbox: SandboxControl) -> None:
    answer = sandbox.reset(scenario="large", size=120, errors=60, seed=3)
    open_inbox(page, sandbox.base_url, "?errors=1")
    expect(page.get_by_text("Showing 1–25 of 60")).to_be_visible()
    expect(page.get_by_role("button", name=ERROR_CONTROL)).to_have_count(25)
    seen: list[str] = []
    for expected in ("Showing 26–50 of 60", "Showing 51–60 of 60"):
        seen += page.locator("tbody td.ref").all_inner_texts()
        page.get_by_role("link", name="Next").click()
        expect(page.get_by_text(expected)).to_be_visible()
    seen += page.locator("tbody td.ref").all_inner_texts()
    next_off = page.get_by_role("navigation", name="Pagination").get_by_text("Next")
    expect(next_off).to_have_attribute("aria-disabled", "true")
    expect(page.get_by_role("link", name="Next")).to_have_count(0)
    assert seen == answer["errored"]
    page.get_by_role("link", name="Previous").click()
    expect(page.get_by_text("Showing 26–50 of 60")).to_be_visible()


def test_all_referrals_paginate_and_search(page: Page, sandbox: SandboxControl) -> None:
    answer = sandbox.reset(scenario="demo")
    open_inbox(page, sandbox.base_url)
    expect(page.get_by_text("Showing 1–25 of 40")).to_be_visible()
    expect(banner(page)).to_have_text(re.compile(r"^15 referrals have integration errors\."))
    target = answer["errored"][-1]
    page.get_by_role("searchbox", name="Search referrals").fill(target)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Showing 1–1 of 1")).to_be_visible()
    expect(row(page, target)).to_have_count(1)


def test_window_rows_oldest_first_and_long_dates(page: Page, sandbox: SandboxControl) -> None:
    ref = "3502768696"
    attempts: list[dict[str, Any]] = [
        {"example": "nginx-502", "minutes_ago": 300},
        {"example": "nginx-502", "minutes_ago": 200},
        {"example": "nginx-504", "minutes_ago": 100},
    ]
    sandbox.reset(scenario="rules", window_order="oldest_first", date_style="long",
                  referrals={ref: {"attempts": attempts}})  # fmt: skip
    open_inbox(page, sandbox.base_url, "?errors=1")
    window = open_window(page, ref)
    stamps = [t.get_attribute("datetime") or "" for t in window.locator("time").all()]
    assert len(stamps) == 3 and stamps == sorted(stamps)
    assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$", s) for s in stamps)
    expect(window.locator("time").first).to_have_text(re.compile(r"^[A-Z][a-z]+ \d{1,2}, \d{4} at \d{1,2}:\d\d"))
    expect(window.get_by_role("row").last.get_by_role("img")).to_have_accessible_name("Failed")


def test_response_styles(page: Page, sandbox: SandboxControl) -> None:
    for style, expected in (("key_value", "http_code: 504"), ("print_r", "[http_code] => 504")):
        sandbox.reset(scenario="rules", response_style=style)
        ref = sandbox.reference_for("R4")
        quick_sign_in(page, sandbox.base_url)
        attempt = sandbox.referral(ref)["attempts"][-1]["id"]
        page.goto(f"{sandbox.base_url}/referrals/{ref}/attempts/{attempt}/response")
        expect(page.locator("pre")).to_contain_text(expected)


# --- editing and re-saving (the person's part of a 400 fix) ---------------------------------------


def test_edit_and_save_sends_an_edited_attempt(page: Page, sandbox: SandboxControl) -> None:
    ref = sandbox.reference_for("R5")
    open_inbox(page, sandbox.base_url)
    row(page, ref).get_by_label(f"Actions for referral {ref}").click()
    row(page, ref).get_by_role("link", name="Edit referral").click()
    expect(page.get_by_role("heading", name=f"Edit referral {ref}")).to_be_visible()
    page.get_by_role("button", name="Save").click()  # not fixed yet: fails with the same error
    expect(page.get_by_role("status")).to_contain_text("Referral saved")
    assert sandbox.referral(ref)["attempts"][-1]["status"] == "failed"

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Primary contact postal code").fill("K7L 0Z9")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Referral saved")
    last = sandbox.referral(ref)["attempts"][-1]
    assert (last["trigger"], last["status"]) == ("Edited", "success")
    assert [e["kind"] for e in sandbox.record()] == ["sign_in", "save", "save"]

    page.goto(f"{sandbox.base_url}/referrals/inbox?errors=1")
    window = open_window(page, ref)  # the error stays until someone clears it
    expect(latest_status(window)).to_have_accessible_name("Success")


# --- faults --------------------------------------------------------------------------------------


def test_latency(page: Page, sandbox: SandboxControl) -> None:
    quick_sign_in(page, sandbox.base_url)
    sandbox.set_faults(latency_ms=400)
    answer = page.goto(sandbox.base_url + "/referrals/inbox")
    assert answer is not None and answer.header_value("x-sandbox-delayed-ms") == "400"


def test_inbox_fails_the_first_n_loads(page: Page, sandbox: SandboxControl) -> None:
    sandbox.set_faults(inbox_fail_times=2)
    quick_sign_in(page, sandbox.base_url)
    for _ in range(2):
        answer = page.goto(sandbox.base_url + "/referrals/inbox")
        assert answer is not None and answer.status == 500
        expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Referral Inbox")).to_be_visible()


def test_session_expires_after_n_requests(page: Page, sandbox: SandboxControl) -> None:
    sandbox.set_faults(expire_session_after_requests=2)
    open_inbox(page, sandbox.base_url, by_menu=True)  # Home, then the inbox: 2 requests
    row(page, sandbox.reference_for("R2")).get_by_role("button", name=ERROR_CONTROL).click()  # fetch: 401
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("session has expired")
    sign_in(page, sandbox.base_url)  # a new session gets its own 2 requests
    expect(page.get_by_role("heading", name="Home")).to_be_visible()


def test_expired_sessions_go_back_to_sign_in(page: Page, sandbox: SandboxControl) -> None:
    open_inbox(page, sandbox.base_url)
    assert sandbox.expire_sessions() == 1
    page.reload()
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()
    assert page.url.endswith("/login?expired=1")


def test_idle_session_expires(page: Page, sandbox: SandboxControl) -> None:
    sandbox.reset(scenario="rules", session_idle_seconds=0.0)
    sign_in(page, sandbox.base_url)  # the redirect to Home already comes after the idle limit
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()


def test_window_that_does_not_open(page: Page, sandbox: SandboxControl) -> None:
    ref = sandbox.reference_for("R2")
    sandbox.set_faults(window_fail_for=[ref])
    open_inbox(page, sandbox.base_url)
    with page.expect_response(re.compile(rf"/referrals/{ref}/triggers$")) as answer:
        row(page, ref).get_by_role("button", name=ERROR_CONTROL).click()
    assert answer.value.status == 500
    expect(page.get_by_role("dialog")).to_have_count(0)
    open_window(page, sandbox.reference_for("R4"))  # the others still open


@pytest.mark.parametrize("fault", ["response_fail_for", "response_garbage_for"])
def test_response_tab_faults(page: Page, sandbox: SandboxControl, fault: str) -> None:
    ref = sandbox.reference_for("R2")
    sandbox.set_faults(**{fault: [ref]})
    open_inbox(page, sandbox.base_url)
    window = open_window(page, ref)
    with page.context.expect_page() as new_tab:
        window.get_by_role("link", name="view").click()
    tab = new_tab.value
    if fault == "response_fail_for":
        expect(tab.get_by_role("heading", name="Something went wrong")).to_be_visible()
    else:
        expect(tab.get_by_role("heading", name="Response")).to_be_visible()
        text = tab.locator("pre").inner_text()
        assert "http_code" not in text and "{" not in text and ":" not in text


def test_resend_error_fail_is_not_applied(page: Page, sandbox: SandboxControl) -> None:
    ref = sandbox.reference_for("R2")
    sandbox.set_faults(resend_error_for={ref: "fail"})
    open_inbox(page, sandbox.base_url)
    window = open_window(page, ref)
    window.get_by_role("button", name="Resend").click()
    expect(window.get_by_role("alert")).to_contain_text("could not be resent")
    assert len(sandbox.referral(ref)["attempts"]) == 1
    assert [(e["kind"], e["outcome"]) for e in sandbox.record()][1:] == [("resend", "failed")]


def test_resend_error_commit_then_fail_is_applied(page: Page, sandbox: SandboxControl) -> None:
    ref = sandbox.reference_for("R2")
    sandbox.set_faults(resend_error_for={ref: "commit_then_fail"})
    open_inbox(page, sandbox.base_url)
    window = open_window(page, ref)
    window.get_by_role("button", name="Resend").click()
    expect(window.get_by_role("alert")).to_contain_text("could not be resent")
    expect(window.get_by_role("row")).to_have_count(2)  # the window was not re-rendered
    assert len(sandbox.referral(ref)["attempts"]) == 2
    assert [(e["kind"], e["outcome"]) for e in sandbox.record()][1:] == [("resend", "applied")]


def test_resend_error_commit_then_hang_records_before_hanging(page: Page, sandbox: SandboxControl) -> None:
    ref = sandbox.reference_for("R2")
    sandbox.set_faults(resend_error_for={ref: "commit_then_hang"})
    quick_sign_in(page, sandbox.base_url)
    attempt = sandbox.referral(ref)["attempts"][0]["id"]
    with pytest.raises(Exception, match="Timeout"):
        page.request.post(f"{sandbox.base_url}/referrals/{ref}/attempts/{attempt}/resend", timeout=1_000)
    assert sandbox.record()[-1]["kind"] == "resend" and sandbox.record()[-1]["outcome"] == "applied"
    assert len(sandbox.referral(ref)["attempts"]) == 2


def test_clear_error(page: Page, sandbox: SandboxControl) -> None:
    ref = sandbox.reference_for("R1")
    sandbox.set_faults(clear_error_for=[ref])
    open_inbox(page, sandbox.base_url)
    window = open_window(page, ref)
    window.get_by_role("button", name="Close and clear error").click()
    expect(window.get_by_role("alert")).to_contain_text("could not be cleared")
    expect(window).to_be_visible()
    assert sandbox.referral(ref)["has_error"] is True
    assert [(e["kind"], e["outcome"]) for e in sandbox.record()][1:] == [("clear", "failed")]


def test_clicks_after_the_session_ended_are_recorded_as_rejected(page: Page, sandbox: SandboxControl) -> None:
    ref = sandbox.reference_for("R2")
    open_inbox(page, sandbox.base_url)
    window = open_window(page, ref)
    sandbox.expire_sessions()
    window.get_by_role("button", name="Resend").click()
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()
    assert [(e["kind"], e["outcome"]) for e in sandbox.record()][1:] == [("resend", "rejected")]
    assert len(sandbox.referral(ref)["attempts"]) == 1


# --- the control API -------------------------------------------------------------------------------


def test_reset_in_one_request(page: Page, sandbox: SandboxControl) -> None:
    open_inbox(page, sandbox.base_url)  # a session and a record that the reset must wipe
    ref = "4000000001"
    answer = sandbox.reset(
        scenario="demo", ui="newer", page_size=10, time_scale=0.01,
        faults={"latency_ms": 10}, referrals={ref: {"attempts": [{"example": "nginx-502"}]}},
        scripts={ref: [{"status": "success", "http_code": 201, "text": "ok", "delay": 0}]},
    )  # fmt: skip
    assert answer["total"] == 41 and ref in answer["errored"] and len(answer["errored"]) == 16
    assert sandbox.record() == []
    state = sandbox.state()
    assert state["config"]["ui"] == "newer" and state["faults"]["latency_ms"] == 10
    assert "password" not in state["config"]
    page.reload()
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()  # sessions were reset too
    open_inbox(page, sandbox.base_url, "?errors=1")
    expect(page.get_by_text("Showing 1–10 of 16")).to_be_visible()
    page.get_by_role("searchbox", name="Search referrals").fill(ref)
    page.get_by_role("button", name="Search").click()
    window = open_window(page, ref)
    window.get_by_role("button", name="Resend").click()
    expect(latest_status(window)).to_have_accessible_name("Success")


def test_bad_switches_are_refused(sandbox: SandboxControl) -> None:
    with pytest.raises(SandboxControlError, match="ui must be one of"):
        sandbox.reset(ui="newest")
    with pytest.raises(SandboxControlError, match="unknown fault"):
        sandbox.set_faults(slow=True)
