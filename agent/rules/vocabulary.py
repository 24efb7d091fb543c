"""The words the agent may repeat: what a field, a path or a problem can be named with.

Field, fix and reason are built only from this vocabulary — never from free partner text — so a
reply such as ``John Smith is missing`` cannot turn a name into a "field" and from there into a
report, a notification or a ledger note. A phrase from the reply is used only when every word in it
is known here; otherwise the agent falls back to the FHIR path, or judges the reply unclear.
"""

from __future__ import annotations

import re

from agent.redact import REDACTED

# A bare path only counts when it starts with a resource a referral carries, so "Node.js" or a Java
# package is not mistaken for a field.
RESOURCES = frozenset(
    """
    Patient Practitioner PractitionerRole Organization ServiceRequest ReferralRequest Referral Client
    Encounter Condition Observation Bundle RelatedPerson Location HealthcareService Coverage
    DocumentReference Task Communication CommunicationRequest Consent AllergyIntolerance
    MedicationStatement MedicationRequest Medication Appointment QuestionnaireResponse Questionnaire
    Composition Procedure DiagnosticReport CarePlan EpisodeOfCare Endpoint Device Provenance
    MessageHeader Immunization FamilyMemberHistory Goal Flag Specimen Person Group
    """.split()  # noqa: SIM905 - a word list reads better as prose
)

GENERIC_SUBJECT = frozenset(
    """
    element value field request resource object entity input body parameter property data content
    payload item attribute it this that cardinality message record server service system
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
"""Subjects that name no field a person could find on the referral form."""

# FHIR element names as staff know them; anything else is split at its capitals.
ELEMENT_WORDS = {
    "postCode": "postal code",
    "birthDate": "birth date",
    "family": "family name",
    "given": "given name",
    "telecom": "phone or email",
    "line": "street address",
    "state": "province",
    "generalPractitioner": "family doctor",
    "managingOrganization": "organization",
    "maritalStatus": "marital status",
    "communication": "language",
}
CONTAINERS = frozenset({"address", "name", "coding", "extension"})

STOPWORDS = frozenset(["the", "a", "an", "of", "for", "at", "in", "on", "to", "or", "and", "with", "by", "from"])

FIELD_WORDS = (
    frozenset(
        """
    primary secondary alternate contact contacts postal post code zip postcode health card number numbers
    version birth date dob family given name names middle first last preferred legal full phone phones
    telephone mobile home work cell fax email e-mail address addresses street line city town province
    state country gender sex language languages referral referring referred practitioner provider
    physician doctor clinician nurse organization organisation clinic hospital service services program
    programme site id identifier identifiers reason reasons priority urgency diagnosis diagnoses consent
    note notes comment comments description category type status start end period relationship guardian
    parent caregiver emergency insurance coverage plan expiry expiration issue issued ohip hcn mrn chart
    record appointment location facility department unit requester recipient sender receiver attachment
    attachments document documents file form question answer value patient registrant client person
    marital communication identifier telecom organization managing general given family subject
    encounter condition observation occurrence authored requested performer specimen medication
    allergy allergies age weight height school grade hearing screening result results infant baby child
    mother father birthdate birthplace ethnicity indigenous interpreter billing payer group
    """.split()  # noqa: SIM905 - a word list reads better as prose
    )
    | frozenset(w.lower() for w in RESOURCES)
    | frozenset(word for phrase in ELEMENT_WORDS.values() for word in phrase.split())
)
"""Words a referral form's field labels are made of."""

RULE_WORDS = frozenset(
    """
    must should shall be is are was were not no cannot can may might have has need needs to than equal
    equals match matches one of allowed values value valid a an the in past future before after today
    later earlier at least most characters character digits digit letters letter long short numeric
    alphanumeric exactly only same as format specified set present provided empty blank null unique
    positive negative greater less between and or contain contains include includes start begin end with
    within years year months month days day old older younger under over than when if also either
    required mandatory given selected chosen per
    """.split()  # noqa: SIM905 - a word list reads better as prose
)
"""Words a rule ("must be in the past") may use, besides field words, short numbers and codes."""

_TOKEN = re.compile(r"\[redacted\]|[^\s/()\[\],.;:!?]+")
_CODE = re.compile(r"[A-Za-z0-9_.:|/+-]{1,24}")
_NAME_LIKE = re.compile(r"[A-Z][a-z]+(?:['’-][A-Za-z]+)*")
_LONG_NUMBER = re.compile(r"\d{4,}")


def _stem(word: str) -> str:
    return re.sub(r"['’]s$", "", word.strip("'\"‘’“”")).lower()


def _known(word: str, words: frozenset[str]) -> bool:
    stem = _stem(word)
    if not stem:
        return True
    if stem in words or stem in STOPWORDS:
        return True
    return all(part in words or part in STOPWORDS for part in stem.split("-") if part) and "-" in stem


def code_like(value: str) -> bool:
    """A short code (``ON``, ``unknown-x``, ``M``), not a name, a date or a long number."""
    value = value.strip()
    return (
        bool(_CODE.fullmatch(value))
        and not _NAME_LIKE.fullmatch(value)
        and not _LONG_NUMBER.search(value)
        and REDACTED not in value
    )


def known_phrase(text: str, *, rule: bool = False) -> bool:
    """Every word of ``text`` is field vocabulary (or, for a rule, rule vocabulary, a small number
    or a quoted code): only then may the agent repeat it."""
    words = FIELD_WORDS | RULE_WORDS if rule else FIELD_WORDS
    tokens = _TOKEN.findall(text)
    if not tokens:
        return False
    for token in tokens:
        if token == REDACTED:
            return False
        if _known(token, words):
            continue
        bare = token.strip("'\"‘’“”")
        if rule and (re.fullmatch(r"\d{1,3}", bare) or (token != bare and code_like(bare))):
            continue
        return False
    return True


def vocabulary_field(subject: str) -> str | None:
    """The field a subject names, as its leading vocabulary words; ``None`` when the subject holds
    anything else than field words, small joining words and redactions (``Postal code [redacted]
    for [redacted]`` gives ``Postal code``; ``John Smith`` gives nothing)."""
    tokens = subject.replace(REDACTED, f" {REDACTED} ").split()
    lead: list[str] = []
    for token in tokens:
        if token == REDACTED or not _known(token, FIELD_WORDS):
            break
        lead.append(token)
    rest = tokens[len(lead) :]
    if any(t != REDACTED and not _known(t, FIELD_WORDS) for t in rest):
        return None
    while lead and _stem(lead[-1]) in STOPWORDS:
        lead.pop()
    while lead and _stem(lead[0]) in STOPWORDS:
        lead.pop(0)
    return " ".join(lead) or None
