"""The response tab's text block: a PHP-curl-like transfer record followed by the partner's reply.

The replies are copies of the project's error examples (tests/data/error-examples), kept here as data
so the sandbox never reads outside its package. ``render`` prints a record in one of three styles the
agent must read: pretty JSON, ``key: value`` lines, or PHP ``print_r``.
"""

from __future__ import annotations

import json
import random
from typing import Literal, NamedTuple

ResponseStyle = Literal["json", "key_value", "print_r"]
STYLES: tuple[ResponseStyle, ...] = ("json", "key_value", "print_r")


class Example(NamedTuple):
    http_code: int | None
    text: str


EXAMPLES: dict[str, Example] = {
    "alb-400-html": Example(
        400,
        (
            '<html><head><title>400 Bad Request</title></head><body bgcolor="white"><'
            "center><h1>400 Bad Request</h1></center><hr><center>awselb/2.0</center><"
            "/body></html>"
        ),
    ),
    "apigw-504": Example(504, '{"message":"Endpoint request timed out"}'),
    "empty-400": Example(400, ""),
    "envoy-503": Example(
        503,
        ("upstream connect error or disconnect/reset before headers. reset reason: connection failure"),
    ),
    "hapi-500-npe": Example(
        500,
        (
            '{"resourceType": "OperationOutcome", "issue": [{"severity": "fatal", "co'
            'de": "exception", "diagnostics": "HAPI-0389: Failed to call access metho'
            'd: java.lang.NullPointerException"}]}'
        ),
    ),
    "hapi-bad-date": Example(
        400,
        (
            '{"resourceType": "OperationOutcome", "issue": [{"severity": "error", "co'
            'de": "value", "diagnostics": "Not a valid date format: \'2026-13-45\'", "e'
            'xpression": ["Patient.birthDate"]}]}'
        ),
    ),
    "hapi-min-cardinality": Example(
        422,
        (
            '{"resourceType": "OperationOutcome", "issue": [{"severity": "error", "co'
            'de": "required", "diagnostics": "Patient.name.family: minimum required ='
            ' 1, but only found 0"}]}'
        ),
    ),
    "hapi-valueset": Example(
        400,
        (
            '{"resourceType": "OperationOutcome", "issue": [{"severity": "error", "co'
            'de": "code-invalid", "diagnostics": "The value provided (\'unknown-x\') wa'
            "s not found in the value set 'AdministrativeGender' (http://hl7.org/fhir"
            "/ValueSet/administrative-gender|4.0.1), and a code is required from this"
            ' value set", "expression": ["Patient.gender"]}]}'
        ),
    ),
    "hcn-invalid": Example(400, "'Health Card Number (Patient.identifier[0].value)' is invalid."),
    "min-cardinality-no-path": Example(
        400,
        (
            '{"resourceType": "OperationOutcome", "issue": [{"severity": "error", "co'
            'de": "invalid", "diagnostics": "Element with min. cardinality 1 cannot b'
            'e null"}]}'
        ),
    ),
    "nginx-502": Example(
        502,
        (
            "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>50"
            "2 Bad Gateway</h1></center>\n<hr><center>nginx/1.18.0</center>\n</body>\n</"
            "html>\n"
        ),
    ),
    "nginx-504": Example(
        504,
        (
            '<html>\n<head><title>504 Gateway Time-out</title></head>\n<body bgcolor="w'
            'hite">\n<center><h1>504 Gateway Time-out</h1></center>\n<hr><center>nginx<'
            "/center>\n</body>\n</html>\n"
        ),
    ),
    "no-http-code": Example(
        None,
        ("curl: (28) Operation timed out after 30001 milliseconds with 0 bytes received"),
    ),
    "openresty-503": Example(
        503,
        (
            "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r"
            "\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
            "<hr><center>openresty/1.15.8.1</center>\r\n</body>\r\n</html>"
        ),
    ),
    "phone-missing": Example(
        400,
        ("'Primary Contact's Phone (Patient.contact[0].telecom[0].value)' is missing."),
    ),
    "postal-code-missing": Example(
        400,
        ("'Primary Contact's Postal Code (Patient.contact[0].address.postCode)' is missing."),
    ),
    "spring-bad-request": Example(
        400,
        ('{"timestamp":"2025-01-10T08:48:32.783+00:00","status":400,"error":"Bad Request","path":"/Client"}'),
    ),
    "two-hundred-error": Example(200, '{"status":"accepted","warnings":[]}'),
    # Successful replies, one per kind of partner.
    "ok-201": Example(201, '{"status":"received","referralId":"RX-48213"}'),
    "ok-fhir-201": Example(
        201,
        '{"resourceType": "ServiceRequest", "id": "8f2c1d", "status": "active", "intent": "order"}',
    ),
    "ok-200": Example(200, '{"result":"OK"}'),
}

ENDPOINTS: dict[str, tuple[str, str]] = {
    "CDIS": ("https://cdis.example.ca/api/referrals", "203.0.113.10"),
    "EMHware": ("https://emhware.example.ca/api/v2/referrals", "203.0.113.24"),
    "CRMS": ("https://crms.example.ca/referral/submit", "198.51.100.7"),
    "Ocean eReferral": ("https://ocean.example.ca/fhir/ServiceRequest", "198.51.100.42"),
}


def transfer_record(destination: str, http_code: int | None, text: str, attempt_id: int) -> dict[str, object]:
    """The record curl would give for one transfer; ``http_code`` absent when the transfer never got one."""
    url, ip = ENDPOINTS.get(destination, ENDPOINTS["CDIS"])
    rng = random.Random(attempt_id)
    record: dict[str, object] = {}
    if http_code is not None:
        record["http_code"] = http_code
    record.update(
        url=url,
        content_type="application/json",
        total_time=round(0.1 + rng.random() * 2, 3),
        size_upload=float(rng.randint(3000, 9000)),
        primary_ip=ip,
        text=text,
    )
    return record


def render(record: dict[str, object], style: ResponseStyle) -> str:
    if style == "json":
        return json.dumps(record, indent=4)
    if style == "key_value":
        return "\n".join(f"{key}: {value}" for key, value in record.items())
    lines = ["Array", "("]
    lines += [f"    [{key}] => {value}" for key, value in record.items()]
    lines.append(")")
    return "\n".join(lines)


def garbage(seed: str) -> str:
    """Deterministic junk that no reader can mistake for a transfer record (no code, no separators)."""
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyzQWXZ#%&*~^|¤§¶ÿþ¿"
    lines = ("".join(rng.choice(alphabet) for _ in range(rng.randint(20, 70))) for _ in range(8))
    return "\ufffd\ufffd" + "\n".join(lines)
