"""Pure pieces of the report: where a referral lives, which inbox a sweep is of, the page's words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.models import Outcome
from agent.reports.format import fmt_span, fmt_stamp, fmt_time, plain_words
from agent.reports.links import check_pattern, inbox_key, referral_link, safe_link, site_address, with_inbox
from tests.report_samples import demo_sweep, referral

BASE = "https://caredove.example"


def test_the_pattern_fills_base_url_and_reference() -> None:
    r = referral("3502768696", Outcome.FIX)
    assert referral_link(r, BASE + "/", "{base_url}/referrals/{reference}") == f"{BASE}/referrals/3502768696"
    assert referral_link(r, BASE, "https://other.example/r?id={reference}") == "https://other.example/r?id=3502768696"
    assert referral_link(r, BASE, None) is None


def test_the_address_the_agent_used_wins_and_unsafe_ones_never_link() -> None:
    used = referral("3502768696", Outcome.FIX, url=f"{BASE}/inbox#3502768696")
    assert referral_link(used, BASE, "{base_url}/r/{reference}") == f"{BASE}/inbox#3502768696"
    for bad in (
        "javascript:alert(1)",
        "https://u:p@caredove.example/x",
        "ftp://x.example/",
        "/relative",
        "https://a b",
    ):
        assert safe_link(bad) is None, bad
        fallback = referral("3502768696", Outcome.FIX, url=bad)
        assert referral_link(fallback, BASE, "{base_url}/r/{reference}") == f"{BASE}/r/3502768696"


def test_the_result_names_its_inbox_and_keeps_the_pattern_out_of_report_json() -> None:
    result = with_inbox(demo_sweep(), f"{BASE}/referrals/inbox")
    assert result.inbox == f"{BASE}/referrals/inbox"
    assert all(r.url is None for r in result.referrals)  # the pattern is applied when rendering
    assert with_inbox(demo_sweep(), None).inbox is None
    assert inbox_key(with_inbox(demo_sweep(), None)) == "https://caredove.example"


def test_the_inbox_is_its_address_without_credentials() -> None:
    assert site_address("https://ops:secret@Caredove.example:8443/app/") == "https://caredove.example:8443/app"
    assert inbox_key(demo_sweep(base_url="https://caredove.example/")) == inbox_key(demo_sweep())
    assert inbox_key(demo_sweep(base_url="https://other.example")) != inbox_key(demo_sweep())


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("{base_url}/referrals", "must contain {reference}"),
        ("{base_url}/{id}/{reference}", "not {id}"),
        ("/referrals/{reference}", "must start with"),
        ("{base_url}/{reference", "is not a pattern"),
    ],
)
def test_a_bad_pattern_says_what_a_good_one_looks_like(pattern: str, says: str) -> None:
    with pytest.raises(ValueError, match=says.replace("{", r"\{").replace("}", r"\}")):
        check_pattern(pattern)


def test_one_date_style_with_seconds_where_order_matters() -> None:
    moment = datetime(2026, 12, 1, 21, 30, 5, tzinfo=UTC)  # 16:30:05 EST
    assert fmt_time(moment) == "Tue 1 Dec 2026, 16:30"
    assert fmt_time(moment, seconds=True) == "Tue 1 Dec 2026, 16:30:05"
    assert fmt_stamp(moment) == "Tue 1 Dec 2026, 16:30 EST"
    later = datetime(2026, 12, 1, 21, 37, 10, tzinfo=UTC)
    assert fmt_span(moment, later) == "Tue 1 Dec 2026, 16:30:05–16:37:10"
    next_day = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    assert fmt_span(moment, next_day) == "Tue 1 Dec 2026, 16:30:05–Wed 2 Dec 2026, 01:00:00"


def test_reasons_get_the_pages_dates_and_words() -> None:
    reason = "The latest attempt (2026-12-01 15:27 UTC-05:00) succeeded; http_code 504 at 2026-12-01 20:28:09 UTC"
    assert plain_words(reason) == (
        "The latest attempt (Tue 1 Dec 2026, 15:27) succeeded; HTTP status 504 at Tue 1 Dec 2026, 15:28:09"
    )
    assert plain_words("no dates here") == "no dates here"
