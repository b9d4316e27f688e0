"""The invoice draft's document structure (SPEC section 2), shared by all server code.

`web/src/schema.ts` declares the same names for the browser; tests/test_schema.py checks that
the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final


class Kind(Enum):
    STRING = "string"  # a plain string (numbers travel as decimal strings)
    TEXT = "text"  # a Y.Text, or a plain string from simple clients
    MAP = "map"  # a Y.Map with the fields of `Field.fields`


@dataclass(frozen=True, slots=True)
class Field:
    kind: Kind
    fields: dict[str, Field] | None = None  # for maps
    max_length: int = 1000


def _string(max_length: int = 200) -> Field:
    return Field(Kind.STRING, max_length=max_length)


def _map(fields: dict[str, Field]) -> Field:
    return Field(Kind.MAP, fields)


ROOT_INVOICE: Final = "invoice"
ROOT_LINES: Final = "lines"
ROOTS: Final = (ROOT_INVOICE, ROOT_LINES)

LINE_ID: Final = "id"
MAX_LINES: Final = 1000
MAX_LINE_ID_LENGTH: Final = 64

DISCOUNT = _map({"kind": _string(10), "value": _string(40)})

ADDRESS = _map(
    {
        "line1": _string(),
        "line2": _string(),
        "postcode": _string(20),
        "city": _string(),
        "country": _string(2),
    }
)

CUSTOMER = _map(
    {
        "name": _string(),
        "email": _string(320),
        "address": ADDRESS,
        "vat_id": _string(20),
        "siren": _string(20),
    }
)

HEADER = _map(
    {
        "customer": CUSTOMER,
        "issue_date": _string(10),
        "due_date": _string(10),
        "currency": _string(3),
        "payment_terms": _string(500),
        "buyer_reference": _string(),
        "notes": Field(Kind.TEXT, max_length=10_000),
        "discount": DISCOUNT,
    }
)

LINE = _map(
    {
        LINE_ID: _string(MAX_LINE_ID_LENGTH),
        "description": Field(Kind.TEXT, max_length=5000),
        "quantity": _string(40),
        "unit": _string(3),
        "unit_price": _string(40),
        "tax_rate": _string(10),
        "tax_category": _string(2),
        "discount": DISCOUNT,
    }
)

DEFAULT_CURRENCY: Final = "EUR"
DEFAULT_UNIT: Final = "C62"  # UN/ECE recommendation 20: "one" (a unit)
DEFAULT_TAX_CATEGORY: Final = "S"


def field_at(path: tuple[str, ...]) -> Field | None:
    """The schema of a dotted path below a root (`("customer", "name")` in the header)."""
    current: Field | None = HEADER
    for name in path:
        if current is None or current.fields is None:
            return None
        current = current.fields.get(name)
    return current


def conforms(value: object, field: Field) -> str | None:
    """Why a plain (to_py) value does not fit `field`, or None when it does."""
    if field.kind is Kind.MAP:
        if not isinstance(value, dict):
            return f"must be a map, not {type(value).__name__}"
        assert field.fields is not None
        for key, item in value.items():
            sub = field.fields.get(key)
            if sub is None:
                return f"unknown field {key!r}"
            problem = conforms(item, sub)
            if problem:
                return f"{key}: {problem}"
        return None
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__}"
    if len(value) > field.max_length:
        return f"longer than {field.max_length} characters"
    return None
