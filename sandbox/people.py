"""Synthetic registrants: invented surnames, fake streets, fictional phone numbers and health card
numbers that fail the Luhn check, so nothing the sandbox shows can ever be a real person's data."""

from __future__ import annotations

import random
from datetime import date, timedelta

GIVEN_NAMES = (
    "Avery", "Jordan", "Morgan", "Riley", "Casey", "Quinn", "Harper", "Rowan", "Emerson", "Finley",
    "Hayden", "Parker", "Reese", "Sawyer", "Tatum", "Blake", "Dakota", "Elliot", "Jamie", "Kendall",
    "Logan", "Marlow", "Noel", "Oakley", "Peyton", "Remy", "Sage", "Toby", "Wren", "Zion",
)  # fmt: skip
# Invented surnames: made of English place-name parts, chosen not to be common family names.
FAMILY_NAMES = (
    "Ashcombe", "Briarwick", "Coldharbour", "Dunmarrow", "Elmstead", "Fernhollow", "Glenbrock",
    "Hollinsby", "Ivelwood", "Juniperton", "Kestrelby", "Larkmoor", "Marrowfield", "Nettlecombe",
    "Orchardley", "Pembrooke-Vale", "Quillby", "Rushmere", "Stonecrop", "Thistlewood", "Umberly",
    "Vantmoor", "Willowhurst", "Yarrowby", "Zephyrine",
)  # fmt: skip
STREETS = (
    "Larkspur Crescent", "Quillon Way", "Amberglen Road", "Tumbleweed Lane", "Foxmoor Drive",
    "Silverbirch Court", "Heronsgate Avenue", "Driftwood Terrace", "Cobblestone Path", "Maplecrest Row",
)  # fmt: skip
CITIES = ("Kingston", "Barrie", "Sudbury", "Guelph", "Peterborough", "Belleville", "Timmins", "Cornwall")
AREA_CODES = ("613", "705", "519", "905", "807")
GENDERS = ("female", "male", "other", "unknown")
LETTERS = "ABCEGHJKLMNPRSTVXY"


def luhn_valid(number: str) -> bool:
    """True when a string of digits passes the Luhn (mod 10) check Ontario health card numbers use."""
    if not number.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def fake_hcn(rng: random.Random) -> str:
    """Ten digits whose last digit is deliberately not the Luhn check digit."""
    body = "".join(rng.choice("0123456789") for _ in range(9))
    good = next(d for d in "0123456789" if luhn_valid(body + d))
    bad = rng.choice([d for d in "0123456789" if d != good])
    return body + bad


def person(rng: random.Random, today: date) -> dict[str, str]:
    """One registrant's editable fields (the referral form's values), all made up."""
    family = rng.choice(FAMILY_NAMES)
    born = today - timedelta(days=rng.randint(90, 90 * 365))
    return {
        "given_name": rng.choice(GIVEN_NAMES),
        "family_name": family,
        "birth_date": born.isoformat(),
        "gender": rng.choice(GENDERS[:3]),
        "hcn": fake_hcn(rng),
        "hcn_version": rng.choice(LETTERS) + rng.choice(LETTERS),
        "address": f"{rng.randint(2, 998)} {rng.choice(STREETS)}, {rng.choice(CITIES)} ON",
        "contact_name": f"{rng.choice(GIVEN_NAMES)} {family}",
        "contact_postal_code": postal_code(rng),
        "contact_phone": phone(rng),
    }


def postal_code(rng: random.Random) -> str:
    a, b = rng.choice(LETTERS), rng.choice(LETTERS)
    x, y, z = (rng.randint(0, 9) for _ in range(3))
    return f"{rng.choice('KLMNP')}{x}{a} {y}{b}{z}"


def phone(rng: random.Random) -> str:
    """555-01xx numbers are reserved for fiction in the North American numbering plan."""
    return f"{rng.choice(AREA_CODES)}-555-01{rng.randint(0, 99):02d}"
