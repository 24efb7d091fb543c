"""The survey's pure side, without a browser: what is kept of a screen, and the [labels] block."""

from __future__ import annotations

import re
import tomllib

from agent.settings import Labels
from agent.survey_labels import Finding, kind_of, looks_personal, mask_aria, suggest, toml_block

KNOWN = {"zebediah", "quillfeather"}

SNAPSHOT = """- heading "Referral Inbox" [level=1]
- status: 3 referrals have integration errors.
- heading "Referral for Zebediah Quillfeather (DOB 1931-04-17)" [level=2]
- table "Referrals":
  - rowgroup:
    - row "Reference # Registrant Submitted":
      - columnheader "Reference #"
      - columnheader "Registrant"
    - row "3502768696 Zebediah Quillfeather 2025-01-10 08:48":
      - cell "3502768696"
      - cell "Zebediah Quillfeather"
      - cell "2025-01-10 08:48"
      - cell "K7L 3N6, 613-555-0147":
        - button "API error"
        - link "Zebediah Quillfeather"
- alert: "Partner note: HCN 4532-118-274-XK, K7L 3N6"
"""


def test_masked_snapshot_keeps_structure_and_labels_but_no_data() -> None:
    masked = mask_aria(SNAPSHOT, KNOWN, Labels())
    for secret in ("Zebediah", "Quillfeather", "1931", "3502768696", "K7L", "613-555", "4532", "2025-01-10"):
        assert secret not in masked
    assert '- columnheader "Reference #"' in masked
    assert '- button "API error"' in masked  # a label inside a row is kept when a label pattern matches
    assert '- cell "<reference>"' in masked and '- cell "<name>"' in masked and '- cell "<date>"' in masked
    assert "3 referrals have integration errors." in masked  # the banner's wording is structure, not data
    assert masked.count("\n") == SNAPSHOT.count("\n") - 1


def test_data_is_named_by_its_kind() -> None:
    assert kind_of("3502768696", KNOWN) == "<reference>"
    assert kind_of("January 10, 2025 at 8:48 AM", KNOWN) == "<date>"
    assert kind_of("Quillfeather, Zebediah", KNOWN) == "<name>"
    assert kind_of("Infant Hearing", KNOWN) == "<text>"
    assert looks_personal("K7L 3N6", set()) and looks_personal("613-555-0147", set())
    assert not looks_personal("Dismiss error", KNOWN)


def test_the_labels_block_pastes_into_settings() -> None:
    findings = [
        Finding(label="resend", screen="window", found=False, suggestion=suggest("Resubmit")),
        Finding(label="reference_column", screen="inbox", found=False, suggestion=suggest("Ref. no.")),
        Finding(label="clear", screen="window", found=False, suggestion=suggest("Don't keep")),
        Finding(label="close", screen="window", found=True),
    ]
    block = toml_block(findings)
    labels = Labels(**tomllib.loads(block)["labels"])
    assert labels.resend == r"^\s*Resubmit\s*$"
    assert re.match(labels.reference_column, "Ref. no.", re.IGNORECASE)
    assert re.match(labels.clear, "don't  keep", re.IGNORECASE)
    assert toml_block([findings[-1]]) == ""
