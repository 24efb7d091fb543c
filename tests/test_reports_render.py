"""The sweep report's content, rendered without a browser: sections, counts, escaping, outage rule,
the Markdown and CSV forms, and that nothing secret or personal is added."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from jinja2 import StrictUndefined

from agent.models import Outcome, SweepResult
from agent.reports import OUTAGE_THRESHOLD, actions_csv, text_summary, write_reports
from agent.reports.render import copy_script, environment, render_report
from agent.reports.text import CSV_COLUMNS
from agent.reports.text import md as md_text
from agent.reports.view import build_view
from tests.report_samples import (
    BOLD,
    LINK,
    PLANTED_HCN,
    PLANTED_PASSWORD,
    SCRIPT,
    T0,
    canary_sweep,
    demo_sweep,
    ocean_outage,
    referral,
    store,
)


def html_of(result: SweepResult, previous: SweepResult | None = None, link: str | None = LINK) -> str:
    return render_report(build_view(result, previous, referral_url=link))


def without_messages(html: str) -> str:
    """The page without its paste-ready messages (they leave the page, so they say the zone each time)."""
    return re.sub(r'<pre class="paste".*?</pre>', "", html, flags=re.S)


def count_in(html: str, outcome: str) -> int:
    found = re.search(rf'data-count="{outcome}">(\d+)<', html)
    assert found, outcome
    return int(found.group(1))


def test_environment_escapes_and_is_strict() -> None:
    env = environment()
    assert env.autoescape is True
    assert env.undefined is StrictUndefined


def test_summary_counts_match_the_referrals() -> None:
    result = demo_sweep()
    html = html_of(result)
    for outcome, n in SweepResult.count(result.referrals).items():
        assert count_in(html, outcome) == n


def test_every_section_is_there_with_its_count() -> None:
    html = html_of(demo_sweep())
    assert '<h2 id="fixes-h">Fixes for staff (3)</h2>' in html
    assert '<h2 id="escalations-h">Escalations for Caredove support (6)</h2>' in html
    assert '<h2 id="failed-h">Could not process (1)</h2>' in html
    assert '<h2 id="pending-h">Pending (1)</h2>' in html
    # 2 resends for each of 3 outage referrals, 1 for EMHware, 1 pending, 2 clears.
    assert '<h2 id="actions-h">What the agent did (10)</h2>' in html
    assert '<h2 id="cleared-h">Cleared (2)</h2>' in html


def test_every_summary_card_links_to_its_section() -> None:
    html = html_of(demo_sweep())
    targets = re.findall(r'<li class="o-\w+" data-outcome="\w+"><a href="#(\w+)"', html)
    assert targets == ["fixes", "escalations", "failed", "pending", "cleared"]
    for target in targets:
        assert f'<section id="{target}"' in html


def test_every_reference_links_to_its_referral_in_a_new_tab_and_has_one_anchor() -> None:
    result = demo_sweep()
    html = html_of(result)
    for r in result.referrals:
        href = LINK.format(reference=r.reference)
        assert f'<a class="ref" href="{href}" target="_blank" rel="noopener noreferrer"' in html, r.reference
        assert html.count(f'id="ref-{r.reference}"') == 1, r.reference
    assert '<span class="ref" data-ref=' not in html  # no reference left unlinked


def test_the_address_the_agent_used_wins_over_the_pattern() -> None:
    used = "https://caredove.example/referrals/inbox?ref=3502768696"
    refs = [referral("3502768696", Outcome.FIX, rule="R5", reason="x", field="Postal code", url=used)]
    html = html_of(demo_sweep(referrals=refs))
    assert f'href="{used.replace("&", "&amp;")}"' in html
    assert '/referrals/3502768696"' not in html


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "https://user:pw@caredove.example/r/1", "file:///etc/passwd", "//evil.example/x"]
)
def test_an_unsafe_stored_address_is_not_linked(url: str) -> None:
    refs = [referral("3502768696", Outcome.FIX, rule="R5", reason="x", field="Postal code", url=url)]
    html = html_of(demo_sweep(referrals=refs), link=None)
    assert url not in html
    assert '<span class="ref" data-ref="3502768696">3502768696</span>' in html


def test_without_an_address_or_a_pattern_references_are_plain_and_the_page_says_how_to_link() -> None:
    html = html_of(demo_sweep(), link=None)
    assert '<a class="ref"' not in html
    assert "set <code>referral_url</code> to link reference numbers" in html
    assert "referral_url" not in html_of(demo_sweep())


def test_change_since_previous_sweep() -> None:
    previous = demo_sweep(sweep_id="before", started_at=T0 - timedelta(days=1), outage=0)
    html = html_of(demo_sweep(), previous)
    assert "+3 since previous (3)" in html  # escalated: 3 before, 6 now
    assert "±0 since previous (3)" in html  # fixes unchanged
    assert "no previous sweep" not in html
    assert "no previous sweep" in html_of(demo_sweep())


def test_fixes_are_one_table_ordered_by_field_with_nights_open() -> None:
    view = build_view(demo_sweep(), None)
    rows = [(f.field, f.ref.reference, f.first_of_field) for f in view.fixes]
    assert rows == [
        ("Primary Contact's Postal Code", "3502768696", True),  # the field most referrals need, longest open first
        ("Primary Contact's Postal Code", "3502768697", False),
        ("Birth date", "3502768698", True),
    ]
    assert view.fixes[0].path == "Patient.contact[0].address.postCode"
    assert view.fixes[0].nights_open == 3
    assert view.fix_fields == 2
    html = html_of(demo_sweep())
    fixes = html[html.index('<section id="fixes"') : html.index('<section id="escalations"')]
    assert fixes.count("<table") == 1  # one table, not one per field
    assert '<th scope="col">Field</th>' in html


def test_response_markup_renders_as_text() -> None:
    html = html_of(demo_sweep())
    assert SCRIPT not in html
    assert BOLD not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    script, _ = copy_script()
    assert re.findall(r"<script>(.*?)</script>", html, re.S) == [str(script)]  # only the Copy buttons' own


def test_copy_script_is_allowed_by_its_hash_and_nothing_else() -> None:
    html = html_of(demo_sweep())
    script, source = copy_script()
    digest = base64.b64encode(hashlib.sha256(str(script).encode()).digest()).decode()
    assert source == f"'sha256-{digest}'"
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp is not None
    policy = unescape(csp.group(1))
    assert policy.endswith(f"; script-src {source}")  # 'unsafe-inline' is for styles only
    # Usable without script: every Copy button starts hidden, every message is selectable as a whole.
    assert html.count('data-copy="') == html.count("hidden>Copy message</button>") > 0


def test_escalation_is_one_line_with_what_support_needs_in_its_message() -> None:
    view = build_view(demo_sweep(), None)
    crms = next(e for e in view.escalations if e.ref.reference == "3502768699")
    assert crms.destination == "CRMS"
    assert crms.http_status == "400"
    for fact in ("3502768699", "CRMS", "HTTP status (http_code): 400", "Edited Status - Ready", "400-series error"):
        assert fact in crms.message
    assert "Attempt dates: Mon 13 May 2024, 23:00 EDT, Tue 14 May 2024, 01:00 EDT" in crms.message
    emh = next(e for e in view.escalations if e.ref.reference == "3502768700")
    assert "Resend at Tue 14 May 2024, 02:02 EDT (confirmed)" in emh.message
    ocean = next(e for e in view.escalations if e.ref.reference == "3502768701")
    assert ocean.ocean
    assert "Ocean Site ID" in ocean.message
    assert "Ocean Site ID" not in crms.message
    html = html_of(demo_sweep())
    assert html.count('<pre class="paste"') == len(view.escalations) + len(view.outages)
    assert html.count('<details class="paste">') == len(view.escalations) + len(view.outages)
    line = re.search(r'<li id="ref-3502768699" class="o-escalated">\s*<p class="line">(.*?)</p>', html, re.S)
    assert line is not None
    assert "CRMS · HTTP status 400 · " in line.group(1)
    assert 'title="Procedure rule R6"' in line.group(1)  # the rule id as a tooltip, not in the words
    assert "Talk to a person" in html
    assert "8:30–17:30 Eastern" in html


def test_outage_notice_once_from_threshold() -> None:
    assert OUTAGE_THRESHOLD == 3
    html = html_of(demo_sweep(outage=OUTAGE_THRESHOLD))
    assert html.count('<article class="outage"') == 1
    assert "Service Failure: Ocean eReferral (3 referrals)" in html
    assert html.index('id="outage"') < html.index('id="summary"')  # the outage notice comes first
    view = build_view(demo_sweep(outage=OUTAGE_THRESHOLD), None)
    (outage,) = view.outages
    assert tuple(r.reference for r in outage.refs) == ("3502769000", "3502769001", "3502769002")
    assert "Service Failure" in outage.message
    assert "Ocean Site ID" in outage.message
    # The outage's referrals are not repeated as single escalations.
    assert not {e.ref.reference for e in view.escalations} & {r.reference for r in outage.refs}
    assert html.count('id="ref-3502769000"') == 1


@pytest.mark.parametrize("n", [0, OUTAGE_THRESHOLD - 1])
def test_no_outage_notice_below_threshold(n: int) -> None:
    html = html_of(demo_sweep(outage=n))
    assert 'class="outage"' not in html
    assert "Service Failure" not in html
    view = build_view(demo_sweep(outage=n), None)
    assert sum(e.destination == "Ocean eReferral" for e in view.escalations) == n + 1


def test_outage_counts_only_5xx_from_one_destination() -> None:
    mixed = [*ocean_outage(2), *ocean_outage(1, code=400)]
    other = [
        referral("3502769100", Outcome.ESCALATED, rule="R4", reason="5xx", http_code=502, destination="CRMS"),
    ]
    view = build_view(demo_sweep(referrals=[*mixed, *other]), None)
    assert view.outages == ()
    assert len(view.escalations) == 4


def test_dry_run_banner_and_planned_actions() -> None:
    dry = html_of(demo_sweep(dry_run=True))
    assert "Dry run: nothing was clicked" in dry
    assert "planned, not clicked (dry run)" in dry
    assert dry.startswith("<!doctype html>")
    live = html_of(demo_sweep())
    assert "Dry run: nothing was clicked" not in live
    assert "planned, not clicked" not in live


def test_a_dry_runs_pending_items_do_not_claim_a_resend_is_under_way() -> None:
    dry = html_of(demo_sweep(dry_run=True))
    assert "still under way" not in dry
    assert "no resend is under way" in dry
    assert "Dry run: Resend planned, not clicked" in dry
    live = html_of(demo_sweep())
    assert "A resend the agent clicked has no result yet" in live


def test_sweep_problems_are_prominent() -> None:
    html = html_of(demo_sweep())
    assert "Needs attention: 1 problem with this sweep" in html
    assert html.index("Needs attention") < html.index('id="summary"')
    assert "Needs attention" not in html_of(demo_sweep(problems=[]))


def test_could_not_process_shows_reason_and_screenshot() -> None:
    html = html_of(demo_sweep())
    assert "the Integration Triggers window did not open" in html
    assert '<img src="screenshots/3502768711.png" alt="The screen when referral 3502768711' in html


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "javascript:alert(1)", "file:///x.png"])
def test_screenshot_outside_the_sweep_folder_is_not_linked(path: str) -> None:
    refs = [referral("3502768711", Outcome.ERROR, rule="page", reason="x", screenshot=path)]
    html = html_of(demo_sweep(referrals=refs))
    assert "<img" not in html
    assert "No screenshot was saved." in html


def test_one_date_style_with_the_zone_said_once() -> None:
    refs = [
        referral(
            "3502768712",
            Outcome.CLEARED,
            rule="R1",
            reason="The latest attempt (2024-05-14 01:27 UTC-04:00) succeeded, but the error is still shown",
            actions=[],
        )
    ]
    html = html_of(demo_sweep(referrals=[*demo_sweep().referrals, *refs]))
    page = without_messages(html)
    assert "Tue 14 May 2024, 02:00:00–02:07:05 (took 7 min 5 s)" in page  # the day said once
    assert "all times EDT (America/Toronto)" in page
    assert page.count("EDT") == 1
    assert "UTC" not in page
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page)  # no ISO dates from the rules' reasons
    assert "Tue 14 May 2024, 02:04:00" in page  # a click's time with seconds: order matters
    assert "http_code" not in page


def test_cleared_referrals_have_their_own_section() -> None:
    html = html_of(demo_sweep())
    cleared = html[html.index('<section id="cleared"') : html.index('<section id="actions"')]
    assert "3502768712" in cleared
    assert "3502768713" in cleared
    assert "The latest attempt had succeeded: cleared the error" in cleared


def test_empty_sweep_says_so() -> None:
    html = html_of(demo_sweep(referrals=[], problems=[]))
    assert "No referral needs a fix by staff." in html
    assert "Nothing to take to Caredove support." in html
    assert "The agent clicked nothing in this sweep." in html


def test_markdown_summary() -> None:
    previous = demo_sweep(sweep_id="before", started_at=T0 - timedelta(days=1), outage=0)
    md = text_summary(demo_sweep(), previous)
    assert md.startswith("# Caredove sweep of Tue 14 May 2024, 02:00")
    assert "| Escalate to Caredove | 6 | +3 |" in md
    assert "| Fix for staff | 3 | ±0 |" in md
    assert "## Service Failure: Ocean eReferral" in md
    assert "- 3502768696, Primary Contact's Postal Code: Add the primary contact's postal code, then save" in md
    assert "- 3502768699, CRMS, HTTP status 400: 400-series error without a clear message" in md
    assert "Since the last sweep of this inbox (Mon 13 May 2024, 02:00): 3 new, 8 still open, 0 gone." in md
    assert "- 3502768711: the Integration Triggers window did not open" in md
    assert "## Cleared (2)" in md
    assert "the banner counted" in md
    assert "Dry run" not in md
    assert "Dry run: the agent clicked nothing." in text_summary(demo_sweep(dry_run=True), None)


def test_markdown_carries_no_partner_text() -> None:
    md = text_summary(demo_sweep(), None)
    assert "Bad Request" not in md  # 3502768699's reply
    assert "script" not in md.lower()
    assert "bold" not in md


def test_markdown_escapes_only_what_would_be_markup() -> None:
    line = md_text(f"400 (the partner says {SCRIPT} {BOLD} *now* [x](y) ~z~ _a_ http_code &amp;) #1 + ! 1.")
    assert line == (
        "400 (the partner says \\<script>alert(1)\\</script> \\<b>bold\\</b> \\*now\\* \\[x\\](y) "
        "\\~z\\~ \\_a\\_ http_code \\&amp;) #1 + ! 1."
    )
    md = text_summary(demo_sweep(), None)
    for needless in ("\\(", "\\)", "\\#", "\\.", "\\-", "\\_", "\\!", "\\+"):
        assert needless not in md, needless


def test_csv_has_the_action_items() -> None:
    rows = list(csv.DictReader(io.StringIO(actions_csv(demo_sweep(), referral_url=LINK))))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    by_ref = {r["Reference #"]: r for r in rows}
    assert "3502768712" not in by_ref  # cleared: nothing to do
    assert len(rows) == 3 + 6 + 1 + 1
    postal = by_ref["3502768696"]
    assert postal["Outcome"] == "Fix for staff"
    assert postal["Field"] == "Primary Contact's Postal Code (Patient.contact[0].address.postCode)"
    assert postal["What to do"].startswith("Add the primary contact's postal code")
    assert postal["Nights open"] == "3"
    assert postal["HTTP status"] == "400"
    assert postal["Address"] == LINK.format(reference="3502768696")
    assert by_ref["3502769000"]["What to do"].startswith("Report a Service Failure of Ocean eReferral")
    assert by_ref["3502768698"]["What to do"].startswith("'=HYPERLINK")  # no formula in a spreadsheet


def test_files_hold_no_planted_secret_or_health_card_number(tmp_path: Path) -> None:
    result = canary_sweep()
    assert PLANTED_PASSWORD in result.model_dump_json()  # fed in, so that its absence below means something
    assert PLANTED_HCN in result.model_dump_json()
    sweep_dir = store(tmp_path, result)
    files = write_reports(result, sweep_dir, tmp_path, referral_url="{base_url}/referrals/{reference}")
    hcn_like = re.compile(r"\d{4}[- ]\d{3}[- ]\d{3}")
    for path in (files.html, files.markdown, files.csv, files.index):
        text = path.read_text(encoding="utf-8-sig")
        assert PLANTED_PASSWORD not in text, path.name
        assert PLANTED_HCN not in text, path.name
        assert "ops:" not in text, path.name
        assert not hcn_like.search(text), path.name
        # The only 10-digit numbers are the reference numbers the inputs hold.
        assert set(re.findall(r"(?<!\d)\d{10}(?!\d)", text)) <= {r.reference for r in result.referrals}
    html = files.html.read_text(encoding="utf-8")
    assert "Bad Request: health card [redacted] rejected" in html  # scrubbed, and the rest still shown
    assert 'href="https://caredove.example/referrals/3502768712"' in html  # the pattern, not the bad address
    assert "Inbox https://caredove.example</span>" in html


def test_a_partial_sweep_says_so_at_the_top() -> None:
    partial = demo_sweep(problems=["the session kept expiring after 3502768699"]).model_copy(update={"complete": False})
    html = html_of(partial)
    assert "Needs attention: 1 problem with this sweep; it stopped early, so this report is partial" in html
    assert html.index('id="problems"') < html.index('id="outage"') < html.index('id="summary"')
    assert "- The sweep stopped early: this report is partial." in text_summary(partial, None)


def test_what_changed_names_a_few_references_and_counts_the_rest() -> None:
    many = [referral(f"35000{i:05d}", Outcome.ESCALATED, rule="R6", reason="x") for i in range(60)]
    before = demo_sweep(sweep_id="before", started_at=T0 - timedelta(days=1), referrals=many[:40], problems=[])
    now = demo_sweep(referrals=many[10:], problems=[])
    html = html_of(now, before)
    changes = html[html.index('id="changes"') : html.index("</div>", html.index('id="changes"'))]
    assert "New (20):" in changes and "Still open (30):" in changes and "Gone (10):" in changes
    assert ", and 5 more</li>" in changes  # still open: 25 named, 5 counted
    assert changes.count('<a class="ref"') == 20 + 25


def test_summary_md_renders_as_commonmark_with_partner_markup_as_text() -> None:
    """Rendered as a mail client would (CommonMark, plus GitHub's tables and strikethrough)."""
    from markdown_it import MarkdownIt  # comes with rich, the agent's own dependency

    refs = [
        referral(
            "3502768696",
            Outcome.FIX,
            rule="R5",
            reason="x",
            field=f"Postal {SCRIPT} *code* ~x~",
            fix=f"Enter the code [here](https://evil.example) {BOLD}, then save_it",
            http_code=400,
        )
    ]
    md = text_summary(demo_sweep(referrals=refs, problems=[]), None)
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(md)
    assert "<table>" in html  # the counts table
    assert "<script" not in html and "<b>" not in html and "<em>" not in html and "<s>" not in html
    assert "<a " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "save_it" in html  # an underscore inside a word stays as it is
