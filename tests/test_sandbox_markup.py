"""Pure pieces of the family of sites: salted markup, planted reply text, the page-load bucket (no browser)."""

from __future__ import annotations

import pytest

from sandbox.ratelimit import Bucket
from sandbox.response import planted_text
from sandbox.salt import salted


def test_salt_changes_class_names_ids_and_their_references_together() -> None:
    html = (
        '<style>.grid th { margin: 1.5px } .btn-red:hover {}</style><label for="q" class="a b">x</label><input id="q">'
    )
    out = salted(html, "3fa9c1")
    assert ".grid-3fa9c1 th" in out and ".btn-red-3fa9c1:hover" in out and "1.5px" in out
    assert 'for="q-3fa9c1"' in out and 'id="q-3fa9c1"' in out and 'class="a-3fa9c1 b-3fa9c1"' in out


def test_salt_leaves_scripts_roles_and_data_attributes_alone() -> None:
    script = '<script>x.className = "grid"; s = \'class="k"\';</script>'
    html = '<div role="table" data-rows-body="1" class="grid"></div>' + script
    out = salted(html, "ab")
    assert script in out
    assert 'role="table" data-rows-body="1" class="grid-ab"' in out
    assert salted(html, "") == html


PLANT = {"name": "Zzyzx Quillfeather", "hcn": "9876543217"}


def test_planted_details_join_a_plain_text_reply() -> None:
    reply = "'Primary Contact's Postal Code (Patient.contact[0].address.postCode)' is missing."
    assert planted_text(reply, PLANT) == f"{reply} (patient Zzyzx Quillfeather, HCN 9876543217)"


def test_structured_and_empty_replies_are_left_as_they_are() -> None:
    for reply in ('{"resourceType": "OperationOutcome"}', "<html><body>400</body></html>", "", "  "):
        assert planted_text(reply, PLANT) == reply
    assert planted_text("Bad Request", {}) == "Bad Request"


def test_page_loads_pass_in_a_short_burst_then_wait_for_the_bucket_to_refill() -> None:
    bucket = Bucket()
    assert [bucket.take(10.0, 0.15) for _ in range(3)] == [0.0, 0.0, 0.0]  # a redirect and its target pass
    assert bucket.take(10.0, 0.15) == pytest.approx(0.15)
    assert bucket.take(10.15, 0.15) == 0.0  # one interval later, one more load
    assert bucket.take(11.0, 0.15) == 0.0 and bucket.tokens <= 3.0
