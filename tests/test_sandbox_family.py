"""Each switch of the family of sites, in a real Chromium: the page looks and behaves as switched.

Loading states are proven deterministically: the rows request is held by ``page.route`` until the
test has seen the loading state, then released. No sleeps, no timing assumptions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from sandbox.config import DEFAULT_PASSWORD, DEFAULT_USERNAME
from sandbox.control import SandboxControl
from sandbox.variants import describe, draw

pytestmark = pytest.mark.browser

ROWS = "**/referrals/inbox/rows**"


def signed_in(page: Page, sandbox: SandboxControl) -> None:
    """One request that leaves the session cookie in the page's context."""
    form = {"email": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD}
    assert page.request.post(f"{sandbox.base_url}/login", form=form, max_redirects=0).status == 303


class Held:
    """Requests matching a pattern wait until ``release()``: a loading state stays up for the test."""

    def __init__(self, page: Page, pattern: str) -> None:
        self.routes: list[Route] = []
        self.page, self.pattern = page, pattern
        page.route(pattern, self._hold)

    def _hold(self, route: Route) -> None:
        self.routes.append(route)

    def release(self) -> None:
        for route in self.routes:
            route.continue_()
        self.routes.clear()
        self.page.unroute(self.pattern, self._hold)


def errors_view(page: Page, sandbox: SandboxControl, **switches: Any) -> dict[str, Any]:
    answer = sandbox.reset(scenario="rules", time_scale=0.01, **switches)
    signed_in(page, sandbox)
    page.goto(f"{sandbox.base_url}/referrals/inbox?errors=1")
    return answer


def error_buttons(page: Page) -> Any:
    return page.get_by_role("button", name=re.compile(r"^(API error|API)$"))


# --- 1. how rows arrive ----------------------------------------------------------------------------

LOADING: dict[str, Callable[[Page], Any]] = {
    "aria_busy": lambda page: page.locator("[aria-label=Referrals][aria-busy=true]"),
    "progressbar": lambda page: page.get_by_role("progressbar", name="Loading referrals"),
    "loading_row": lambda page: page.get_by_role("row", name="Loading…"),
}


@pytest.mark.parametrize("loading", list(LOADING))
def test_rows_fetched_after_load_show_a_loading_state_until_they_arrive(
    page: Page, sandbox: SandboxControl, loading: str
) -> None:
    held = Held(page, ROWS)
    errors_view(page, sandbox, rows="fetch", loading=loading, load_delay_ms=50)
    expect(page.get_by_role("table", name="Referrals")).to_be_visible()
    expect(LOADING[loading](page)).to_have_count(1)
    expect(error_buttons(page)).to_have_count(0)  # the header is there, the rows are not
    held.release()
    expect(error_buttons(page)).to_have_count(8)
    expect(LOADING[loading](page)).to_have_count(0)
    expect(page.get_by_text("Showing 1–8 of 8")).to_be_visible()


def test_rows_in_the_html_are_there_without_a_fetch(page: Page, sandbox: SandboxControl) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url) if "/inbox/rows" in request.url else None)
    errors_view(page, sandbox, rows="html")
    expect(error_buttons(page)).to_have_count(8)
    assert fetched == []


def test_a_failing_rows_fetch_says_so_in_an_alert(page: Page, sandbox: SandboxControl) -> None:
    sandbox.reset(scenario="rules", rows="fetch", faults={"inbox_fail_times": 1})
    signed_in(page, sandbox)
    answer = page.goto(f"{sandbox.base_url}/referrals/inbox?errors=1")
    assert answer is not None and answer.status == 200  # the page loads; its rows do not
    expect(page.get_by_role("alert")).to_have_text(re.compile("could not be loaded"))
    page.reload()
    expect(error_buttons(page)).to_have_count(8)


# --- 2. table markup -------------------------------------------------------------------------------

HEADERS = ["Reference #", "Registrant", "Service", "Submitted", "Status", "Workflow", "Actions"]


MARKUP = [("html", "table", "cell"), ("aria_table", "table", "cell"), ("aria_grid", "grid", "gridcell")]


@pytest.mark.parametrize(("table", "table_role", "cell_role"), MARKUP)
def test_table_markup(page: Page, sandbox: SandboxControl, table: str, table_role: str, cell_role: str) -> None:
    answer = errors_view(page, sandbox, table=table)
    grid = page.get_by_role(table_role, name="Referrals")  # type: ignore[arg-type]
    expect(grid.get_by_role("columnheader")).to_have_text(HEADERS)
    expect(grid.get_by_role("row")).to_have_count(1 + 8)
    first = answer["errored"][0]
    expect(grid.get_by_role(cell_role, name=first, exact=True)).to_have_count(1)  # type: ignore[arg-type]
    assert (page.locator("td").count() > 0) == (table == "html")
    window_table = page.get_by_role(table_role, name="Integration attempts")  # type: ignore[arg-type]
    error_buttons(page).first.click()
    expect(window_table.get_by_role("columnheader")).to_have_text(
        ["Date", "Trigger", "Destination", "Status", "Response", "Actions"]
    )


def test_sort_buttons_filter_row_checkboxes_and_hidden_detail_rows(page: Page, sandbox: SandboxControl) -> None:
    answer = errors_view(page, sandbox, sort_buttons=True, filter_row=True, checkbox_column=True, detail_rows=True)
    grid = page.get_by_role("table", name="Referrals")
    expect(grid.get_by_role("columnheader").nth(1).get_by_role("button", name="Reference #")).to_be_visible()
    expect(grid.get_by_role("columnheader").first.get_by_role("checkbox", name="Select all referrals")).to_be_visible()
    expect(grid.get_by_role("textbox", name="Filter by Reference #")).to_be_visible()
    # header row + filter row + 8 referrals: the detail rows between them are hidden from the role tree
    expect(grid.get_by_role("row")).to_have_count(2 + 8)
    expect(page.locator("tr.detail")).to_have_count(8)
    for detail in page.locator("tr.detail").all():
        expect(detail).to_be_hidden()
    first = answer["errored"][0]
    row = grid.get_by_role("row").filter(has=page.get_by_role("cell", name=first, exact=True))
    expect(row.get_by_role("cell").first.get_by_role("checkbox", name=f"Select referral {first}")).to_be_visible()


# --- 3. a banner with role=alert; toasts after actions --------------------------------------------


def test_a_standing_banner_can_be_an_alert(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, banner_role="alert")
    expect(page.get_by_role("alert")).to_have_text(re.compile(r"^8 referrals have integration errors\."))
    expect(page.get_by_role("status")).to_have_count(0)


@pytest.mark.parametrize("role", ["status", "alert"])
def test_toasts_after_resend_and_clear(page: Page, sandbox: SandboxControl, role: str) -> None:
    errors_view(page, sandbox, toasts=role)
    reference = sandbox.reference_for("R2")
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=reference, exact=True))
    row.get_by_role("button", name="API error").click()
    window = page.get_by_role("dialog", name="Integration Triggers")
    window.get_by_role("button", name="Resend").click()
    expect(page.get_by_role(role).filter(has_text="The message was resent to EMHware.")).to_be_visible()  # type: ignore[arg-type]
    window.get_by_role("button", name="Close and clear error").click()
    expect(page.get_by_role(role).filter(has_text="The error was cleared.")).to_be_visible()  # type: ignore[arg-type]
    assert [e["kind"] for e in sandbox.record()] == ["sign_in", "resend", "clear"]


# --- 4. paging -------------------------------------------------------------------------------------


def large(page: Page, sandbox: SandboxControl, **switches: Any) -> list[str]:
    answer = sandbox.reset(scenario="large", size=60, errors=25, seed=4, page_size=10, **switches)
    signed_in(page, sandbox)
    page.goto(f"{sandbox.base_url}/referrals/inbox?errors=1")
    return list(answer["errored"])


def references(page: Page) -> list[str]:
    return page.locator("[data-reference] .ref").all_inner_texts()


@pytest.mark.parametrize("off", ["aria", "disabled"])
def test_pager_buttons_reload_rows_in_place_and_are_disabled_while_loading(
    page: Page, sandbox: SandboxControl, off: str
) -> None:
    errored = large(page, sandbox, paging="buttons", rows="fetch", pager_disabled=off)
    pager = page.get_by_role("navigation", name="Pagination")
    expect(pager.get_by_text("Showing 1–10 of 25")).to_be_visible()
    address = page.url
    seen = references(page)
    nxt = pager.get_by_role("button", name="Next")
    for expected in ("Showing 11–20 of 25", "Showing 21–25 of 25"):
        held = Held(page, ROWS)
        nxt.click()
        expect(nxt).to_be_disabled() if off == "disabled" else expect(nxt).to_have_attribute("aria-disabled", "true")
        held.release()
        expect(pager.get_by_text(expected)).to_be_visible()
        seen += references(page)
    assert page.url == address and seen == errored
    if off == "disabled":
        expect(nxt).to_be_disabled()
    else:
        expect(nxt).to_have_attribute("aria-disabled", "true")
    expect(pager.get_by_role("button", name="Previous")).to_be_enabled()


def test_load_more_appends_until_everything_is_shown(page: Page, sandbox: SandboxControl) -> None:
    errored = large(page, sandbox, paging="load_more")
    more = page.get_by_role("button", name="Load more")
    expect(page.get_by_text("Showing 1–10 of 25")).to_be_visible()
    for shown in (20, 25):
        more.click()
        expect(page.get_by_text(f"Showing 1–{shown} of 25")).to_be_visible()
        expect(error_buttons(page)).to_have_count(shown)
    expect(more).to_have_count(0)
    assert references(page) == errored


def test_everything_on_one_page(page: Page, sandbox: SandboxControl) -> None:
    errored = large(page, sandbox, paging="single")
    expect(error_buttons(page)).to_have_count(25)
    expect(page.get_by_text("Showing 1–25 of 25")).to_be_visible()
    expect(page.get_by_role("link", name="Next")).to_have_count(0)
    expect(page.get_by_role("button", name="Next")).to_have_count(0)
    assert references(page) == errored


def test_no_showing_line(page: Page, sandbox: SandboxControl) -> None:
    large(page, sandbox, showing_line=False)
    expect(error_buttons(page)).to_have_count(10)
    expect(page.get_by_text(re.compile(r"Showing \d"))).to_have_count(0)
    expect(page.get_by_role("link", name="Next")).to_be_visible()


# --- 5. the Integration Triggers window ------------------------------------------------------------

TRIGGERS = "**/referrals/*/triggers"


def open_window(page: Page, reference: str) -> Any:
    row = page.get_by_role("row").filter(has=page.get_by_text(reference, exact=True))
    row.get_by_role("button", name=re.compile(r"^(API error|API)$")).click()
    return page.get_by_role("dialog", name="Integration Triggers")


def test_window_content_can_arrive_after_it_opens(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, window_load="after_open")
    held = Held(page, TRIGGERS)
    window = open_window(page, sandbox.reference_for("R2"))
    expect(window).to_be_visible()
    expect(window.get_by_role("progressbar", name="Loading integration triggers")).to_be_visible()
    expect(window).to_have_attribute("aria-busy", "true")
    expect(window.get_by_role("button", name="Resend")).to_have_count(0)
    held.release()
    expect(window.get_by_role("button", name="Resend")).to_have_count(1)
    expect(window.get_by_role("progressbar")).to_have_count(0)
    expect(window).not_to_have_attribute("aria-busy", "true")


def test_window_ready_mode_opens_only_with_its_content(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox)
    held = Held(page, TRIGGERS)
    row = page.get_by_role("row").filter(has=page.get_by_text(sandbox.reference_for("R2"), exact=True))
    row.get_by_role("button", name="API error").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    held.release()
    expect(page.get_by_role("dialog", name="Integration Triggers").get_by_role("button", name="Resend")).to_be_visible()


def test_window_inside_an_open_shadow_root(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, window_shadow=True)
    window = open_window(page, sandbox.reference_for("R2"))
    expect(window.get_by_role("button", name="Resend")).to_be_visible()  # role locators pierce it
    assert page.evaluate("document.querySelectorAll('dialog').length") == 0  # querySelectorAll does not
    assert page.evaluate("document.querySelector('caredove-triggers').shadowRoot.querySelectorAll('dialog').length")
    window.get_by_role("button", name="Resend").click()
    expect(window.get_by_role("row").nth(1).get_by_role("img")).to_have_accessible_name("Pending")
    window.get_by_role("button", name="Close and clear error").click()
    expect(window).to_be_hidden()
    assert [e["kind"] for e in sandbox.record()] == ["sign_in", "resend", "clear"]


def test_two_destinations_interleave_and_each_is_judged_on_its_own(page: Page, sandbox: SandboxControl) -> None:
    answer = errors_view(page, sandbox, two_destinations=True)
    assert {"R1_2d", "R2_2d", "R5_2d"} <= set(answer["rules"])
    ref = sandbox.reference_for("R2_2d")
    window = open_window(page, ref)
    rows = window.get_by_role("row")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("CDIS")  # newest of all: CDIS succeeded
    expect(rows.nth(2)).to_contain_text("EMHware")  # EMHware's own latest failed
    rows.nth(2).get_by_role("button", name="Resend").click()
    expect(rows).to_have_count(4)
    resend = sandbox.record("resend")[0]
    assert resend["before"]["latest_status"] == "failed" and resend["before"]["latest_http_code"] == 502
    assert resend["before"]["destinations"] == {
        "EMHware": {"status": "failed", "http_code": 502},
        "CDIS": {"status": "success", "http_code": 201},
    }
    assert sandbox.referral(ref)["attempts"][-1]["destination"] == "EMHware"


def test_window_rows_grouped_by_destination(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, two_destinations=True, window_order="by_destination")
    window = open_window(page, sandbox.reference_for("R1_2d"))
    cells = window.get_by_role("row").filter(has=page.get_by_role("cell")).locator("td:nth-child(3)")
    expect(cells).to_have_text(["CDIS", "CDIS", "Ocean eReferral"])
    stamps = window.locator("time").evaluate_all("els => els.map(e => e.dateTime)")
    assert stamps[0] > stamps[1]  # newest first within CDIS


# --- 6. dates --------------------------------------------------------------------------------------

DATES = {
    "iso": r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$",
    "long": r"^[A-Z][a-z]+ \d{1,2}, \d{4} at \d{1,2}:\d\d:\d\d [AP]M$",
    "us": r"^[A-Z][a-z]+ \d{1,2}, \d{4} \d{1,2}:\d\d [AP]M$",
    "eu": r"^\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d$",
    "eu_seconds": r"^\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d$",
    "iso_t": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$",
}


@pytest.mark.parametrize("style", list(DATES))
def test_date_styles(page: Page, sandbox: SandboxControl, style: str) -> None:
    errors_view(page, sandbox, date_style=style)
    window = open_window(page, sandbox.reference_for("R1"))
    expect(window.locator("time")).to_have_count(2)
    for stamp in window.locator("time").all():
        expect(stamp).to_have_text(re.compile(DATES[style]))
        expect(stamp).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$"))


def test_dates_without_a_time_element_still_read_later_for_a_new_attempt(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, time_element=False, date_style="eu_seconds")
    window = open_window(page, sandbox.reference_for("R2"))
    expect(window.locator("time")).to_have_count(0)
    window.get_by_role("button", name="Resend").click()
    expect(window.get_by_role("row")).to_have_count(3)
    attempts = sandbox.referral(sandbox.reference_for("R2"))["attempts"]
    assert attempts[1]["at"][:19] > attempts[0]["at"][:19]  # a different second, so a different text
    texts = window.get_by_role("row").evaluate_all("rows => rows.slice(1).map(r => r.children[0].textContent)")
    assert len(set(texts)) == 2


# --- 7. attempt status -----------------------------------------------------------------------------


def test_status_as_text_and_icon(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox)
    window = open_window(page, sandbox.reference_for("R1"))
    expect(window.get_by_role("img", name="Success")).to_be_visible()
    expect(window.get_by_role("row").nth(1)).to_contain_text("Success")  # the word, visible


def test_status_as_an_icon_with_an_accessible_name_only(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, status_style="icon")
    window = open_window(page, sandbox.reference_for("R1"))
    expect(window.get_by_role("img", name="Success")).to_be_visible()
    expect(window.get_by_role("img", name="Failed")).to_be_visible()
    expect(window.get_by_role("row").nth(1)).not_to_contain_text("Success")


def test_status_as_an_icon_with_only_a_title(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, status_style="title")
    window = open_window(page, sandbox.reference_for("R1"))
    expect(window.get_by_role("img")).to_have_count(0)
    expect(window.get_by_title("Success", exact=True)).to_be_visible()
    expect(window.get_by_title("Failed", exact=True)).to_be_visible()
    expect(window.get_by_role("row").nth(1)).not_to_contain_text("Success")


# --- 8. the response -------------------------------------------------------------------------------


def test_response_opened_by_a_button_calling_window_open(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, response_link="window_open")
    window = open_window(page, sandbox.reference_for("R2"))
    expect(window.get_by_role("link", name="view")).to_have_count(0)
    with page.context.expect_page() as popup:
        window.get_by_role("button", name="view").click()
    expect(popup.value.locator("pre")).to_contain_text('"http_code": 502')


def test_response_in_the_same_tab_with_a_back_link(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, response_link="same_tab")
    window = open_window(page, sandbox.reference_for("R2"))
    link = window.get_by_role("link", name="view")
    expect(link).not_to_have_attribute("target", "_blank")
    link.click()
    expect(page.get_by_role("heading", name="Response")).to_be_visible()
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("heading", name="Referral Inbox")).to_be_visible()
    assert page.url.endswith("/referrals/inbox?errors=1")


def test_response_in_a_read_only_textarea(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, response_block="textarea", response_style="print_r")
    with page.context.expect_page() as tab:
        open_window(page, sandbox.reference_for("R2")).get_by_role("link", name="view").click()
    box = tab.value.get_by_role("textbox", name="Response")
    expect(box).to_have_value(re.compile(r"\[http_code\] => 502"))
    expect(box).not_to_be_editable()
    expect(tab.value.locator("pre")).to_have_count(0)


def test_response_as_a_plain_text_document(page: Page, sandbox: SandboxControl) -> None:
    sandbox.reset(scenario="rules", response_block="plain", response_style="key_value")
    signed_in(page, sandbox)
    ref = sandbox.reference_for("R4")
    attempt = sandbox.referral(ref)["attempts"][-1]["id"]
    answer = page.goto(f"{sandbox.base_url}/referrals/{ref}/attempts/{attempt}/response")
    assert answer is not None and answer.headers["content-type"].startswith("text/plain")
    expect(page.locator("body")).to_contain_text("http_code: 504")


def test_some_response_logs_answer_404(page: Page, sandbox: SandboxControl) -> None:
    ref = sandbox.reference_for("R2")
    sandbox.set_faults(response_missing_for=[ref])
    signed_in(page, sandbox)
    attempt = sandbox.referral(ref)["attempts"][-1]["id"]
    answer = page.goto(f"{sandbox.base_url}/referrals/{ref}/attempts/{attempt}/response")
    assert answer is not None and answer.status == 404


# --- planted PHI for other tests -------------------------------------------------------------------

PLANT = {"name": "Zzyzx Quillfeather", "dob": "1931-02-29", "hcn": "9876543217", "postal_code": "X0X 9Z9",
         "phone": "613-555-0199", "address": "1 Nowhere Lane"}  # fmt: skip


def test_planted_details_show_where_a_person_would_see_them(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, plant=PLANT)
    expect(page.get_by_role("cell", name=PLANT["name"], exact=True)).to_have_count(8)
    window = open_window(page, sandbox.reference_for("R5"))
    expect(window).to_contain_text(f"Referral for {PLANT['name']} (DOB {PLANT['dob']})")
    expect(window.get_by_role("alert")).to_contain_text(PLANT["hcn"])
    with page.context.expect_page() as tab:
        window.get_by_role("link", name="view").click()
    expect(tab.value.locator("pre")).to_contain_text(f"HCN {PLANT['hcn']}")
    expect(tab.value.locator("pre")).to_contain_text("Postal Code")  # the message still names the field
    page.goto(f"{sandbox.base_url}/referrals/{sandbox.reference_for('R5')}")
    expect(page.get_by_text(f"Referral for {PLANT['name']} (DOB {PLANT['dob']})")).to_be_visible()


# --- 9. a clear that asks to confirm ---------------------------------------------------------------


def kinds(sandbox: SandboxControl) -> list[tuple[str, str]]:
    return [(e["kind"], e["outcome"]) for e in sandbox.record()][1:]


def test_native_confirm_dismissed_clears_nothing_accepted_clears(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, clear_confirm="native")
    window = open_window(page, sandbox.reference_for("R1"))
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    window.get_by_role("button", name="Close and clear error").click()
    expect(window).to_be_visible()
    assert asked == ["Are you sure you want to clear this error?"] and kinds(sandbox) == []
    page.once("dialog", lambda dialog: dialog.accept())
    window.get_by_role("button", name="Close and clear error").click()
    expect(window).to_be_hidden()
    assert kinds(sandbox) == [("clear", "applied")]


def test_in_page_are_you_sure_dialog(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, clear_confirm="dialog")
    window = open_window(page, sandbox.reference_for("R1"))
    clear = window.get_by_role("button", name="Close and clear error")
    clear.click()
    ask = page.get_by_role("alertdialog", name="Are you sure?")
    ask.get_by_role("button", name="Cancel").click()
    expect(ask).to_have_count(0)
    assert kinds(sandbox) == []
    clear.click()
    ask.get_by_role("button", name="Yes, clear it").click()
    expect(window).to_be_hidden()
    assert kinds(sandbox) == [("clear", "applied")]


def test_an_unconfirmed_clear_request_is_refused_and_recorded(page: Page, sandbox: SandboxControl) -> None:
    sandbox.reset(scenario="rules", clear_confirm="dialog")
    signed_in(page, sandbox)
    ref = sandbox.reference_for("R1")
    assert page.request.post(f"{sandbox.base_url}/referrals/{ref}/clear").status == 409
    assert sandbox.record()[-1]["reason"] == "unconfirmed" and kinds(sandbox) == [("clear", "rejected")]
    assert sandbox.referral(ref)["has_error"] is True


# --- 10. getting there -----------------------------------------------------------------------------


def sign_in_by_form(page: Page, sandbox: SandboxControl) -> None:
    page.goto(f"{sandbox.base_url}/login")
    page.get_by_role("textbox", name="Email").fill(DEFAULT_USERNAME)
    page.get_by_role("textbox", name="Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_landing_on_a_dashboard(page: Page, sandbox: SandboxControl) -> None:
    sandbox.reset(scenario="rules", landing="dashboard")
    sign_in_by_form(page, sandbox)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("8 with integration errors")).to_be_visible()


def test_landing_on_the_inbox(page: Page, sandbox: SandboxControl) -> None:
    sandbox.reset(scenario="rules", landing="inbox")
    sign_in_by_form(page, sandbox)
    expect(page.get_by_role("heading", name="Referral Inbox")).to_be_visible()


def test_menu_that_opens_on_hover_or_focus(page: Page, sandbox: SandboxControl) -> None:
    sandbox.reset(scenario="rules", nav="menu_hover")
    sign_in_by_form(page, sandbox)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Inbox")).to_be_hidden()
    nav.get_by_role("button", name="Referrals").hover()
    expect(nav.get_by_role("link", name="Inbox")).to_be_visible()
    page.get_by_role("heading", name="Home").hover()
    expect(nav.get_by_role("link", name="Inbox")).to_be_hidden()
    nav.get_by_role("button", name="Referrals").focus()
    nav.get_by_role("link", name="Inbox").click()
    expect(page.get_by_role("heading", name="Referral Inbox")).to_be_visible()


def test_sidebar_link_instead_of_a_menu(page: Page, sandbox: SandboxControl) -> None:
    sandbox.reset(scenario="rules", nav="sidebar")
    sign_in_by_form(page, sandbox)
    expect(page.get_by_role("navigation", name="Main").get_by_role("button", name="Referrals")).to_have_count(0)
    page.get_by_role("navigation", name="Sidebar").get_by_role("link", name="Inbox").click()
    expect(page.get_by_role("heading", name="Referral Inbox")).to_be_visible()


def test_one_time_announcement_covers_the_page_until_dismissed(page: Page, sandbox: SandboxControl) -> None:
    sandbox.reset(scenario="rules", announcement=True)
    sign_in_by_form(page, sandbox)
    notice = page.get_by_role("dialog", name="What's new in Caredove")
    expect(notice).to_be_visible()
    with pytest.raises(Exception, match="Timeout"):  # the page underneath does not take the click
        page.get_by_role("link", name="Settings").click(timeout=300)
    notice.get_by_role("button", name="Got it").click()
    expect(notice).to_be_hidden()
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)  # once per session
    assert [e["kind"] for e in sandbox.record()] == ["sign_in", "announcement"]


# --- 11. session expiry and 429 --------------------------------------------------------------------


def test_expiry_noticed_by_the_page_script_navigates_at_any_moment(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, expiry="script")
    expect(error_buttons(page)).to_have_count(8)
    sandbox.expire_sessions()
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()  # no click, no reload: the script
    assert page.url.endswith("/login?expired=1")


def test_expiry_as_an_in_page_modal_that_covers_the_page(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, expiry="modal")
    window = open_window(page, sandbox.reference_for("R2"))
    expect(window.get_by_role("button", name="Resend")).to_be_visible()
    sandbox.expire_sessions()
    modal = page.get_by_role("dialog", name="Session expired")
    expect(modal).to_be_visible()  # noticed by the page's own session check, no click needed
    with pytest.raises(Exception, match="Timeout"):
        window.get_by_role("button", name="Resend").click(timeout=300)
    assert kinds(sandbox) == []
    modal.get_by_role("link", name="Sign in again").click()
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()


def test_a_write_after_the_session_ended_is_recorded_with_its_reason(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox)
    ref = sandbox.reference_for("R5")
    sandbox.expire_sessions()
    answer = page.request.post(f"{sandbox.base_url}/referrals/{ref}/edit", form={"family_name": "X"}, max_redirects=0)
    assert answer.status == 303
    assert kinds(sandbox) == [("save", "rejected")] and sandbox.record()[-1]["reason"] == "session"


def test_page_loads_too_fast_get_429_with_retry_after(page: Page, sandbox: SandboxControl) -> None:
    sandbox.reset(scenario="rules", rate_limit_ms=5_000)
    signed_in(page, sandbox)
    answers = [page.goto(f"{sandbox.base_url}/referrals/inbox") for _ in range(4)]
    statuses = [a.status if a is not None else None for a in answers]
    assert statuses == [200, 200, 200, 429]  # a short burst passes, a run of quick loads does not
    assert 0 < float(answers[-1].headers["retry-after"]) <= 5.0  # type: ignore[union-attr]
    fetched = page.request.get(f"{sandbox.base_url}/referrals/inbox/rows", headers={"X-Requested-With": "fetch"})
    assert fetched.status == 200  # the page's own fetches are not page loads


# --- 12. CSRF, salted markup, relabelling ----------------------------------------------------------


def test_csrf_guarded_writes(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, csrf=True)
    ref = sandbox.reference_for("R2")
    attempt = sandbox.referral(ref)["attempts"][-1]["id"]
    bare = page.request.post(f"{sandbox.base_url}/referrals/{ref}/attempts/{attempt}/resend")
    assert bare.status == 403
    assert kinds(sandbox) == [("resend", "rejected")] and sandbox.record()[-1]["reason"] == "csrf"
    open_window(page, ref).get_by_role("button", name="Resend").click()  # the page sends its token
    expect(page.get_by_role("dialog").get_by_role("row")).to_have_count(3)
    assert kinds(sandbox) == [("resend", "rejected"), ("resend", "applied")]
    page.goto(f"{sandbox.base_url}/referrals/{ref}/edit")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Referral saved")
    assert kinds(sandbox)[-1] == ("save", "applied")


def test_class_names_and_ids_are_salted_per_reset(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, salt=True)
    first = page.get_by_role("table", name="Referrals").get_attribute("class")
    assert first and first.startswith("grid-") and page.locator(".grid").count() == 0
    window = open_window(page, sandbox.reference_for("R2"))
    window.get_by_role("button", name="Resend").click()  # the page's own script still works
    expect(window.get_by_role("row")).to_have_count(3)
    page.goto("about:blank")  # the old page would notice the reset's ended session and go to Sign In
    errors_view(page, sandbox, salt=True)
    assert page.get_by_role("table", name="Referrals").get_attribute("class") != first


def test_relabelled_site(page: Page, sandbox: SandboxControl) -> None:
    errors_view(page, sandbox, relabel=True)
    headers = page.get_by_role("table", name="Referrals").get_by_role("columnheader")
    expect(headers.first).to_have_text("Ref. no.")
    window = open_window(page, sandbox.reference_for("R2"))
    expect(window.get_by_role("button", name="Resubmit")).to_be_visible()
    expect(window.get_by_role("button", name="Dismiss error")).to_be_visible()
    expect(window.get_by_role("link", name="open")).to_be_visible()


# --- drawn sites hold together ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(8))
def test_a_drawn_site_can_be_worked_without_script_errors(page: Page, sandbox: SandboxControl, seed: int) -> None:
    """Whatever a seed draws, the inbox lists the errors, a window opens, a Resend and a clear go through
    and the page's script never throws: the combination is consistent."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())
    answer = sandbox.reset(scenario="rules", variant=seed, rate_limit_ms=0, time_scale=0.01)
    drawn = draw(seed)
    signed_in(page, sandbox)
    page.goto(f"{sandbox.base_url}/referrals/inbox?errors=1")
    notice = page.get_by_role("dialog", name="What's new in Caredove")
    if drawn["announcement"]:
        notice.get_by_role("button", name="Got it").click()
    errored = len(answer["errored"])
    shown = errored if drawn["paging"] == "single" else min(errored, drawn["page_size"])
    expect(error_buttons(page), describe(seed)).to_have_count(shown)
    window = open_window(page, sandbox.reference_for("R2"))
    window.get_by_role("button", name="Resend").click()
    expect(window.get_by_role("row"), describe(seed)).to_have_count(3)
    window.get_by_role("button", name="Close", exact=True).click()
    expect(window).to_be_hidden()
    window = open_window(page, sandbox.reference_for("R1"))
    window.get_by_role("button", name="Close and clear error").click()  # a native confirm() is accepted above
    if drawn["clear_confirm"] == "dialog":
        page.get_by_role("alertdialog", name="Are you sure?").get_by_role("button", name="Yes, clear it").click()
    expect(window).to_be_hidden()
    writes = [(e["kind"], e["outcome"]) for e in sandbox.record() if e["kind"] in ("resend", "clear")]
    assert writes == [("resend", "applied"), ("clear", "applied")], describe(seed)
    assert errors == [], describe(seed)
