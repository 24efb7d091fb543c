"""A corpus of planted personal data: synthetic, but shaped like what partner replies, page titles,
cells and error messages really carry. Fed through a sandbox sweep, none of it may come out
(issue 12.1, 12.2: zero hits in every produced file). No real person, card or address."""

from __future__ import annotations

import json
from typing import Any

NAME = "Aurelie Vantongeren"
DOB = "1983-07-19"
HCN = "4729-381-604-KT"
POSTAL = "K2P 1L4"
PHONE = "613-555-0143"
ADDRESS = "88 Wellington Street"
EMAIL = "aurelie.v@example.org"

PLANT = {"name": NAME, "dob": DOB, "hcn": HCN, "postal_code": POSTAL, "phone": PHONE, "address": ADDRESS}
"""The sandbox's ``plant`` switch: the registrant cell, the window's heading and alert, field values."""

SPELLINGS = (
    "19/07/1983", "07/19/1983", "19.07.1983", "July 19, 1983", "19 July 1983",
    "4729.381.604", "4729 381 604", "47293 81604", "4729381604KT",
    "k2p 1l4", "K2P1L4", "(613) 555-0143", "613.555.0143",
)  # fmt: skip
"""The same details written as partners write them."""


def _fhir(diagnostics: str, expression: str) -> str:
    issue = {"severity": "error", "code": "value", "diagnostics": diagnostics, "expression": [expression]}
    return json.dumps({"resourceType": "OperationOutcome", "issue": [issue]})


REPLIES: dict[str, tuple[int, str]] = {
    "4100000001": (400, f"Patient {NAME} (DOB 19/07/1983, HCN 4729.381.604) postal code {POSTAL} is invalid"),
    "4100000002": (400, _fhir(f"Patient.birthDate: value July 19, 1983 does not match {NAME}", "Patient.birthDate")),
    "4100000003": (
        400,
        f"<html><head><title>Error for patient {NAME} DOB {DOB}</title></head>"
        f"<body><h1>{NAME}</h1><p>HCN {HCN}</p></body></html>",
    ),
    "4100000004": (400, json.dumps({"message": f"Contact {EMAIL} or (613) 555-0143", "field": NAME})),
    "4100000005": (502, f"upstream failed for {ADDRESS}, HCN 47293 81604, phone 613.555.0143"),
    "4100000006": (400, f"{NAME} is missing"),
    "4100000007": (422, f"Registrant {NAME} born 19.07.1983 at {ADDRESS} K2P1L4: health card 4729 381 604 expired"),
    "4100000008": (400, f"'{NAME} (Patient.name[0])' is invalid for 4729381604KT"),
    "4100000009": (400, f"Province must equal '{NAME}' (19 July 1983, {EMAIL})"),
}
"""Partner replies, one referral each, every style the agent reads."""


def referrals() -> dict[str, dict[str, Any]]:
    """The sandbox reset's ``referrals``: each one's latest attempt failed with its planted reply."""
    return {
        reference: {
            "destination": "CDIS",
            "attempts": [{"status": "failed", "http_code": code, "text": text, "minutes_ago": 40}],
        }
        for reference, (code, text) in REPLIES.items()
    }


def needles() -> list[str]:
    """Every planted value, in every spelling, and the name's parts: none may appear anywhere."""
    return [*PLANT.values(), EMAIL, *SPELLINGS, *NAME.split(), "Wellington"]
