"""Screen behaviour on small pages served through a route: what no single sandbox look shows at
once — late rows with no loading sign, a pager that comes back after the rows, a Next that does
nothing, a session that ends while the agent waits, an announcement over the page, menus that open
on hover or focus, "too many requests", standing alerts, and masks over planted names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route

from agent.errors import PageUnavailable, ReferralGone, SessionExpired
from agent.pages import InboxPage
from agent.pages.base import Screen
from agent.pages.masks import MASK_ATTRIBUTE
from agent.settings import Settings
from tests.masking import covers, masked_boxes

pytestmark = pytest.mark.browser

SITE = "http://inbox.test"
HEADERS = ["Reference #", "Registrant", "Service", "Status", "Workflow"]


def refs(n: int, start: int = 0) -> list[str]:
    return [f"35027{k:05d}" for k in range(start, start + n)]


def row_html(ref: str, flagged: bool) -> str:
    control = '<button aria-label="API error">!</button>' if flagged else ""
    return (
        f"<tr><td>{ref}</td><td>Planted Person {ref[-3:]}</td><td>Audiology</td><td>Booked</td>"
        f"<td><span role='img' aria-label='Workflow: Booked'>o</span>{control}</td></tr>"
    )


def table_page(body_rows: list[str], *, script: str = "", extra: str = "", showing: str = "") -> str:
    head = "".join(f"<th>{h}</th>" for h in HEADERS)
    return (
        "<!doctype html><html><head><meta charset='utf-8'></head><body>"
        "<nav aria-label='Main'><a href='/'>Home</a></nav><main>"
        f"<h1>Referral Inbox</h1><table><thead><tr>{head}</tr></thead><tbody>{''.join(body_rows)}</tbody></table>"
        f"<p id='showing'>{showing}</p>{extra}</main><script>{script}</script></body></html>"
    )


def serve(page: Page, pages: dict[str, str | Callable[[Route], None]]) -> None:
    """Answer requests to the fake site from ``pages`` (a path → HTML, or a route handler)."""

    def handle(route: Route) -> None:
        path = route.request.url.removeprefix(SITE) or "/"
        answer = pages.get(path.split("?")[0])
        if answer is None:
            route.fulfill(status=404, body="not here")
        elif callable(answer):
            answer(route)
        else:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=answer)

    page.route(f"{SITE}/**", handle)


def site_settings(tmp_path: Path) -> Settings:
    return Settings(base_url=SITE, inbox_url=f"{SITE}/inbox", timeout_seconds=2.0, navigation_timeout_seconds=5.0)


# --- settled tables -------------------------------------------------------------------------------


def test_rows_that_arrive_late_without_a_loading_sign_are_waited_for(page: Page, tmp_path: Path) -> None:
    late = "".join(row_html(r, True) for r in refs(3))
    script = f"setTimeout(() => {{ document.querySelector('tbody').innerHTML = `{late}`; }}, 300);"
    serve(page, {"/inbox": table_page([], script=script)})
    inbox = InboxPage(page, site_settings(tmp_path))
    inbox.open()
    assert [r.reference for r in inbox.listed().rows] == refs(3)


def test_a_loading_row_and_aria_busy_hold_the_read_until_the_rows_are_in(page: Page, tmp_path: Path) -> None:
    rows = "".join(row_html(r, k % 2 == 0) for k, r in enumerate(refs(4)))
    script = (
        "const t = document.querySelector('table'); t.setAttribute('aria-busy', 'true');"
        f"setTimeout(() => {{ document.querySelector('tbody').innerHTML = `{rows}`; }}, 150);"
        "setTimeout(() => t.removeAttribute('aria-busy'), 400);"
    )
    loading = "<tr><td colspan='5'>Loading…</td></tr>"
    serve(page, {"/inbox": table_page([loading], script=script, showing="Showing 1–4 of 4")})
    inbox = InboxPage(page, site_settings(tmp_path))
    inbox.open()
    listed = inbox.listed()
    assert [r.reference for r in listed.rows] == [refs(4)[0], refs(4)[2]]
    assert (listed.listed_total, listed.rows_on_page) == (4, 4)


PAGER_SCRIPT = """
const all = %(refs)s; const size = 2; let at = 0;
const next = document.getElementById('next');
function render() {
  const flag = '<button aria-label="API error">!</button>';
  document.querySelector('tbody').innerHTML = all.slice(at, at + size).map((r) =>
    `<tr><td>${r}</td><td>Planted</td><td>S</td><td>Booked</td><td>${flag}</td></tr>`).join('');
  const last = Math.min(at + size, all.length);
  if (%(showing)s) document.getElementById('showing').textContent = `Showing ${at + 1}–${last} of ${all.length}`;
  // the pager comes back a while after the rows, and only when there is more
  setTimeout(() => { next.disabled = at + size >= all.length; }, %(lag)d);
}
next.addEventListener('click', () => {
  if (%(stuck)s) return;
  next.disabled = true; at += size; setTimeout(render, 80);
});
next.disabled = true; render();
"""


def pager_page(n: int, *, lag: int = 0, stuck: bool = False, showing: bool = True) -> str:
    flags = {"stuck": "true" if stuck else "false", "showing": "true" if showing else "false"}
    script = PAGER_SCRIPT % {"refs": refs(n), "lag": lag, **flags}
    return table_page([], script=script, extra="<button id='next' type='button'>Next</button>")


@pytest.mark.parametrize("showing", [True, False], ids=["with-showing-line", "without-showing-line"])
def test_a_pager_disabled_while_rows_load_is_not_the_last_page(page: Page, tmp_path: Path, showing: bool) -> None:
    serve(page, {"/inbox": pager_page(5, lag=300, showing=showing)})
    inbox = InboxPage(page, site_settings(tmp_path))
    inbox.open()
    pages = list(inbox.error_pages())
    assert [r.reference for p in pages for r in p.rows] == refs(5)
    assert len(pages) == 3
    assert {p.listed_total for p in pages} == ({5} if showing else {None})


def test_loose_markup_an_icon_pager_and_a_count_outside_main_content_are_read(page: Page, tmp_path: Path) -> None:
    html = (
        pager_page(5)
        .replace("<th>", "<td>")  # a header row of plain cells inside <thead>
        .replace("<p id='showing'></p>", "")
        .replace("</main>", "</main><footer><p id='showing'></p></footer>")
        .replace("`Showing ${at + 1}", "`${at + 1}")  # "1–2 of 5", as some grids print it
        .replace(
            "<button id='next' type='button'>Next</button>", "<button id='next' aria-label='Go to next page'>›</button>"
        )
    )
    serve(page, {"/inbox": html})
    inbox = InboxPage(page, site_settings(tmp_path))
    inbox.open()
    pages = list(inbox.error_pages())
    assert [r.reference for p in pages for r in p.rows] == refs(5)
    assert {p.listed_total for p in pages} == {5}


def test_a_next_that_leaves_the_rows_unchanged_is_an_error_not_the_end(page: Page, tmp_path: Path) -> None:
    serve(page, {"/inbox": pager_page(5, stuck=True)})
    inbox = InboxPage(page, site_settings(tmp_path))
    inbox.open()
    walk = inbox.error_pages()
    assert [r.reference for r in next(walk).rows] == refs(2)
    with pytest.raises(PageUnavailable, match="did not change after Next"):
        next(walk)


def test_a_session_ended_by_the_pages_own_script_while_waiting_is_session_expired(page: Page, tmp_path: Path) -> None:
    script = "setTimeout(() => { location.href = '/login'; }, 200);"
    login = "<!doctype html><h1>Sign In</h1><label>Email <input></label><label>Password <input type=password></label>"
    serve(page, {"/inbox": table_page([], script=script), "/login": login})
    inbox = InboxPage(page, site_settings(tmp_path))
    with pytest.raises(SessionExpired):
        inbox.open()


def test_a_row_without_the_red_control_is_gone(page: Page, tmp_path: Path) -> None:
    serve(page, {"/inbox": table_page([row_html(refs(1)[0], False), row_html(refs(2)[1], True)])})
    inbox = InboxPage(page, site_settings(tmp_path))
    inbox.open()
    with pytest.raises(ReferralGone):
        inbox.find(refs(1)[0])
    inbox.find(refs(2)[1])  # still flagged: found without complaint


# --- getting there --------------------------------------------------------------------------------

MENUS = {
    "click": "<button aria-expanded='false' onclick=\"this.setAttribute('aria-expanded','true');"
    "document.getElementById('m').hidden=false\">Referrals</button><div id='m' hidden><a href='/inbox'>Inbox</a></div>",
    "hover": "<div onmouseenter=\"document.getElementById('m').hidden=false\"><a href='#'>Referrals</a>"
    "<div id='m' hidden><a href='/inbox'>Inbox</a></div></div>",
    "focus": "<a href='#' onfocus=\"document.getElementById('m').hidden=false\">Referrals</a>"
    "<div id='m' hidden><a href='/inbox'>Inbox</a></div>",
    "sidebar": "<aside><a href='/inbox'>Referral Inbox</a></aside><a href='/referrals'>Referrals</a>",
}


@pytest.mark.parametrize("menu", list(MENUS))
def test_the_inbox_is_reached_from_a_dashboard_whatever_the_menu_does(page: Page, tmp_path: Path, menu: str) -> None:
    dashboard = f"<!doctype html><nav aria-label='Main'>{MENUS[menu]}</nav><main><h1>Dashboard</h1></main>"
    serve(page, {"/": dashboard, "/inbox": table_page([row_html(refs(1)[0], True)])})
    page.goto(f"{SITE}/")
    inbox = InboxPage(page, site_settings(tmp_path).model_copy(update={"inbox_url": None}))
    inbox.open()
    assert page.url == f"{SITE}/inbox"
    assert [r.reference for r in inbox.rows()] == refs(1)


def test_an_announcement_is_dismissed_with_its_own_button_and_nothing_else_is_clicked(
    page: Page, tmp_path: Path
) -> None:
    overlay = (
        "<div role='dialog' aria-modal='true' aria-labelledby='t' id='ann'><h2 id='t'>What's new</h2>"
        "<button onclick=\"window.clicked='learn'\">Learn more</button>"
        "<button onclick=\"window.clicked='got'; document.getElementById('ann').remove()\">Got it</button></div>"
    )
    serve(page, {"/inbox": table_page([row_html(refs(1)[0], True)], extra=overlay)})
    inbox = InboxPage(page, site_settings(tmp_path))
    inbox.open()
    assert page.evaluate("window.clicked") == "got"
    assert page.get_by_role("dialog").count() == 0


# --- page loads -----------------------------------------------------------------------------------


def test_too_many_requests_is_waited_out_as_the_site_asks_and_loaded_again(page: Page, tmp_path: Path) -> None:
    answers = iter([(429, {"Retry-After": "0.05"}), (503, {}), (200, {})])

    def busy_then_fine(route: Route) -> None:
        status, headers = next(answers)
        body = table_page([row_html(refs(1)[0], True)]) if status == 200 else "slow down"
        route.fulfill(status=status, headers=headers, content_type="text/html", body=body)

    serve(page, {"/inbox": busy_then_fine})
    inbox = InboxPage(page, site_settings(tmp_path))
    waits: list[float] = []
    inbox.pause = waits.append
    inbox.open()
    assert waits == [0.05, 1.0]  # the site's Retry-After, then the doubling back-off
    assert [r.reference for r in inbox.rows()] == refs(1)


def test_a_page_that_keeps_failing_is_page_unavailable(page: Page, tmp_path: Path) -> None:
    serve(page, {"/inbox": lambda route: route.fulfill(status=503, body="down")})
    inbox = InboxPage(page, site_settings(tmp_path))
    inbox.pause = lambda _seconds: None
    with pytest.raises(PageUnavailable, match="HTTP 503"):
        inbox.open()


# --- alerts and masks -----------------------------------------------------------------------------


def test_a_standing_alert_is_not_a_clicks_answer_but_a_new_one_is(page: Page, tmp_path: Path) -> None:
    extra = (
        "<div role='alert'>Scheduled maintenance tonight</div><div id='out'></div>"
        "<button onclick=\"document.getElementById('out').innerHTML="
        "'<p role=alert>The message could not be resent.</p>'\">Resend</button>"
    )
    serve(page, {"/inbox": table_page([], extra=extra)})
    page.goto(f"{SITE}/inbox")
    screen = Screen(page, site_settings(tmp_path))
    watch = screen.watch_alerts()
    assert watch.new() == []
    page.get_by_role("button", name="Resend").click()
    assert watch.new() == ["The message could not be resent."]


PLANTED = """<!doctype html><html><body>
<nav aria-label='Main'><a href='/'>Home</a></nav>
<main>
<h1>Referral for Jane Plantedname (DOB 1980-01-01)</h1>
<div role='status'>3 referrals have integration errors.</div>
<div id='host'></div>
<dialog open aria-labelledby='dt'><h2 id='dt'>Referral of Jane Plantedname</h2>
  <p role='alert'>Could not send for Jane Plantedname</p><button>Close</button></dialog>
</main>
<script>
const root = document.getElementById('host').attachShadow({mode: 'open'});
root.innerHTML = `<div role='grid' aria-label='Referrals'>
  <div role='row'><div role='columnheader'>Reference #</div><div role='columnheader'>Patient</div>
    <div role='columnheader'>Status</div></div>
  <div role='row'><div role='gridcell'>3502768696</div><div role='gridcell' id='name'>Jane Plantedname</div>
    <div role='gridcell'>Booked</div></div></div>`;
</script></body></html>"""


def test_masks_cover_planted_names_in_a_heading_a_shadow_grid_and_a_dialog(page: Page, tmp_path: Path) -> None:
    serve(page, {"/p": PLANTED})
    page.goto(f"{SITE}/p")
    screen = Screen(page, site_settings(tmp_path), artifacts=tmp_path / "shots")
    masked = masked_boxes(page, screen)
    planted = page.get_by_text("Plantedname")
    assert planted.count() == 4  # heading, dialog title, alert, grid cell (in the shadow root)
    for element in planted.all():
        assert covers(masked, element), element.inner_text()
    assert not covers(masked, page.get_by_text("3502768696"))  # the reference stays readable
    assert not covers(masked, page.get_by_role("button", name="Close"))
    first, second = screen.screenshot("missing"), screen.screenshot("missing")
    assert first and second and first != second
    assert Path(first).is_file() and Path(second).is_file()
    assert page.locator(f"[{MASK_ATTRIBUTE}]").count() == 0  # tags removed after each screenshot


def test_a_confirmation_over_the_page_is_never_answered_by_the_dismisser(page: Page, tmp_path: Path) -> None:
    confirm = (
        "<div role='dialog' aria-modal='true' aria-labelledby='q'><h2 id='q'>Clear the errors of this referral?</h2>"
        "<button onclick=\"window.clicked='close'\">Close</button>"
        "<button onclick=\"window.clicked='ok'\">OK</button></div>"
    )
    serve(page, {"/inbox": table_page([row_html(refs(1)[0], True)], extra=confirm)})
    page.goto(f"{SITE}/inbox")
    screen = Screen(page, site_settings(tmp_path))
    assert screen.dismiss_overlays() == 0
    assert page.evaluate("window.clicked") is None


def test_a_site_that_refuses_the_connection_is_one_clear_page_unavailable(page: Page, tmp_path: Path) -> None:
    page.route(f"{SITE}/**", lambda route: route.abort("connectionrefused"))
    inbox = InboxPage(page, site_settings(tmp_path))
    with pytest.raises(PageUnavailable, match="could not be reached") as caught:
        inbox.open()
    assert "\n" not in str(caught.value)


def test_a_dialog_whose_table_arrives_after_it_opens_is_read_once_settled(page: Page, tmp_path: Path) -> None:
    script = """
    const d = document.getElementById('w');
    setTimeout(() => { d.querySelector('[role=progressbar]').remove();
      d.insertAdjacentHTML('beforeend', `<div role='table'><div role='row'><div role='columnheader'>Date</div>
        <div role='columnheader'>Status</div></div><div role='row'><div role='cell'>2025-01-10 08:48</div>
        <div role='cell'>Failed</div></div></div>`); }, 250);
    """
    extra = "<div role='dialog' id='w' aria-label='Integration Triggers'><div role='progressbar'></div></div>"
    serve(page, {"/inbox": table_page([], script=script, extra=extra)})
    page.goto(f"{SITE}/inbox")
    screen = Screen(page, site_settings(tmp_path))
    settled = screen.settle("the window", root=page.get_by_role("dialog"), header=r"^\s*date\s*$")
    assert settled.table is not None
    assert [[c["text"] for c in row["cells"]] for row in settled.table["rows"]] == [["2025-01-10 08:48", "Failed"]]


def test_a_session_expired_notice_over_the_page_is_session_expired(page: Page, tmp_path: Path) -> None:
    rows = "".join(row_html(r, True) for r in refs(2))
    script = (
        "setTimeout(() => document.body.insertAdjacentHTML('beforeend', \"<div role='dialog' aria-modal='true'>"
        '<p>Your session has expired.</p><button>Sign in</button></div>"), 50);'
    )
    serve(page, {"/inbox": table_page([rows], script=script)})
    page.goto(f"{SITE}/inbox")
    inbox = InboxPage(page, site_settings(tmp_path))
    page.get_by_role("dialog").wait_for()
    assert inbox.showing_sign_in()
    with pytest.raises(SessionExpired):
        inbox.listed()


def test_a_pager_of_page_numbers_only_is_followed_to_the_last_page(page: Page, tmp_path: Path) -> None:
    def numbered(route: Route) -> None:
        at = int(route.request.url.split("page=")[1]) if "page=" in route.request.url else 1
        links = "".join(
            f"<a href='/inbox?page={n}' aria-label='Page {n}'{' aria-current=page' if n == at else ''}>{n}</a>"
            for n in (1, 2, 3)
        )
        rows = [row_html(ref, True) for ref in refs(2, start=2 * (at - 1))] if at < 3 else [row_html(refs(5)[4], True)]
        html = table_page(rows, extra=f"<nav aria-label='Pagination'>{links}</nav>")
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    serve(page, {"/inbox": numbered})
    inbox = InboxPage(page, site_settings(tmp_path))
    inbox.open()
    assert [r.reference for p in inbox.error_pages() for r in p.rows] == refs(5)


def test_a_filter_and_a_search_applied_in_place_after_a_pause_are_waited_for(page: Page, tmp_path: Path) -> None:
    everyone = [row_html(ref, k % 2 == 0) for k, ref in enumerate(refs(6))]
    script = f"""
    const all = {everyone!r};
    const show = (rows) => setTimeout(() => {{ document.querySelector('tbody').innerHTML = rows.join(''); }}, 300);
    document.getElementById('filter').onclick = () => show(all.filter((r) => r.includes('API error')));
    document.getElementById('q').onkeydown = (e) => {{
      if (e.key === 'Enter') show(all.filter((r) => r.includes(e.target.value)));
    }};
    """
    extra = (
        "<div role='status'>3 referrals have integration errors. "
        "<button id='filter'>View Referrals with integration errors</button></div>"
        "<input id='q' type='search' aria-label='Search referrals'>"
    )
    serve(page, {"/inbox": table_page(everyone[:2], script=script, extra=extra)})  # a first page of two
    inbox = InboxPage(page, site_settings(tmp_path))
    inbox.open()
    inbox.show_errors()
    assert [r.reference for r in inbox.listed().rows] == refs(6)[0::2]
    inbox.open()
    inbox.find(refs(6)[4])  # not on the first page: found once the live search results come in
    assert inbox.listed().rows_on_page == 1


def test_an_announcement_that_comes_up_over_a_row_is_dismissed_and_the_window_opens(page: Page, tmp_path: Path) -> None:
    ref = refs(1)[0]
    script = """
    document.querySelector('tbody').addEventListener('mouseover', () => {
      if (window.shown) return; window.shown = true;
      document.body.insertAdjacentHTML('beforeend', `<div role='dialog' aria-modal='true' id='ann'
        style='position:fixed;inset:0;background:#fff'><h2>Tonight's maintenance</h2>
        <button onclick="document.getElementById('ann').remove()">Got it</button></div>`);
    });
    document.querySelector('button[aria-label="API error"]').onclick = () => document.body.insertAdjacentHTML(
      'beforeend', "<div role='dialog' aria-label='Integration Triggers'><table><tr><th>Date</th></tr></table></div>");
    """
    serve(page, {"/inbox": table_page([row_html(ref, True)], script=script)})
    inbox = InboxPage(page, site_settings(tmp_path))
    inbox.open()
    inbox.open_window(ref, listed=True)
    assert page.get_by_role("dialog", name="Integration Triggers").is_visible()
    assert page.locator("#ann").count() == 0
