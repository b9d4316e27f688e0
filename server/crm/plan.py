"""What importing a customer file would do, row by row: pure, so the preview and the
confirmation decide alike (the confirmation decides again, on the customers as they are then).

Each row is one of:
- `create`: a new customer;
- `update`: an existing customer, found by its external id, else VAT number, else SIREN, else
  e-mail, gets the row's non-empty cells (`unchanged` when they hold what it has);
- `error`: with the reasons, and nothing is done.

A row whose keys point at two different customers (the external id of one, the VAT number of
another), or repeat the key of an earlier row of the file, is an error: importing it would
make two customers one or one customer two.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from stdnum.eu import vat

from server.crm.columns import FIELDS, LIMITS
from server.crm.countries import country_code

Outcome = Literal["create", "update", "unchanged", "error"]
Check = Callable[[Mapping[str, str]], str | None]  # the catalogue's rules: a refusal or None
# The keys a row is matched on, in order of trust.
KEYS: Final = ("external_id", "vat_id", "siren", "email")
KEY_NAMES: Final = {
    "external_id": "external id",
    "vat_id": "VAT number",
    "siren": "SIREN",
    "email": "e-mail",
}


@dataclass(frozen=True, slots=True)
class Existing:
    """A customer of the organization, as the plan needs it."""

    id: str
    values: Mapping[str, str]  # every field of FIELDS ("" when empty)


@dataclass(slots=True)
class RowPlan:
    row: int  # the row's number in the file, as a spreadsheet shows it
    outcome: Outcome
    values: dict[str, str] = field(default_factory=dict)  # what the row sets, read and checked
    customer_id: str | None = None
    matched_by: str | None = None
    changes: list[str] = field(default_factory=list)  # the fields an update changes
    errors: list[str] = field(default_factory=list)


def key_of(name: str, value: str) -> str:
    """The form of a key two rows or customers share when they are the same: a VAT number
    without blanks or dots, a SIRET's SIREN, an e-mail in any case."""
    if not value:
        return ""
    if name == "vat_id":
        return str(vat.compact(value))
    if name == "siren":
        return "".join(value.split())[:9]
    if name == "email":
        return value.casefold()
    return value


def read_row(cells: Mapping[str, str], check: Check) -> tuple[dict[str, str], list[str]]:
    """The fields a row sets (mapped field -> cell, empty cells left out) and what is wrong."""
    values: dict[str, str] = {}
    errors: list[str] = []
    for name in FIELDS:
        value = cells.get(name, "")
        if not value:
            continue
        if len(value) > LIMITS[name]:
            errors.append(f"{name} is longer than {LIMITS[name]} characters")
            continue
        if name == "country":
            code = country_code(value)
            if code is None:
                errors.append(f"country {value!r} is not a country name or ISO 3166 code")
                continue
            value = code
        elif name == "vat_id":
            value = str(vat.compact(value)) if value.isascii() else value
        elif name == "siren":
            value = "".join(value.split())
        values[name] = value
    if not errors and (refusal := check(values)) is not None:
        errors.append(refusal)
    return values, errors


def plan(
    rows: Sequence[tuple[int, Mapping[str, str]]], existing: Sequence[Existing], check: Check
) -> list[RowPlan]:
    """The outcome of each `(row number, {field: cell})`, given the organization's customers."""
    index: dict[tuple[str, str], str] = {}  # (key, value) -> customer id
    by_id = {customer.id: customer for customer in existing}
    for customer in existing:
        for name in KEYS:
            key = key_of(name, customer.values.get(name, ""))
            if key:
                index.setdefault((name, key), customer.id)
    seen: dict[tuple[str, str], int] = {}  # (key, value) -> the earlier row that has it
    updated: dict[str, int] = {}  # customer id -> the earlier row that updates it
    plans: list[RowPlan] = []
    for number, cells in rows:
        values, errors = read_row(cells, check)
        result = RowPlan(row=number, outcome="error", values=values, errors=errors)
        plans.append(result)
        if errors:
            continue
        keys = [(name, key_of(name, values.get(name, ""))) for name in KEYS]
        keys = [(name, key) for name, key in keys if key]
        repeated = [(name, seen[(name, key)]) for name, key in keys if (name, key) in seen]
        if repeated:
            name, earlier = repeated[0]
            result.errors.append(f"same {KEY_NAMES[name]} as row {earlier}")
            continue
        found = [(name, index[(name, key)]) for name, key in keys if (name, key) in index]
        targets = {customer_id for _, customer_id in found}
        if len(targets) > 1:
            described = ", ".join(f"{KEY_NAMES[name]} of customer {cid}" for name, cid in found)
            result.errors.append(f"the row matches several customers: {described}")
            continue
        if found and found[0][1] in updated:
            result.errors.append(f"updates the same customer as row {updated[found[0][1]]}")
            continue
        for name, key in keys:
            seen[(name, key)] = number
        if not found:
            if not values.get("name"):
                result.errors.append("a new customer needs a name")
                continue
            result.outcome = "create"
            continue
        matched_by, customer_id = found[0]
        updated[customer_id] = number
        current = by_id[customer_id].values
        result.customer_id, result.matched_by = customer_id, matched_by
        result.changes = [name for name, value in values.items() if current.get(name) != value]
        result.outcome = "update" if result.changes else "unchanged"
    return plans
