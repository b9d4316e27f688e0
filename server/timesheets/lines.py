"""Time entries grouped into invoice lines: one line per group (a project, or a project's
task) and hourly rate, its quantity in hours (unit HUR), its description naming the group and
the period. Pure, so the preview and the confirmation compute the very same lines.

The rate of an entry is the form's rate for its person (or task), else the file's rate
column, else the form's default rate; an entry with none is a row error. The hours of a line
are the exact sum of its entries' durations, rounded once, half up, to the 4 decimals a
quantity has in the document (collab/invoice/inputs.py, QUANTITY_PLACES).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, Literal

from collab.invoice.money import QUANTITY_PLACES
from server.timesheets.entries import Entry

GroupBy = Literal["project", "task"]
RatesBy = Literal["person", "task"]
UNIT: Final = "HUR"  # UN/ECE recommendation 20: hour
NO_PROJECT: Final = {"en": "Time", "fr": "Temps passé"}


@dataclass(frozen=True, slots=True)
class Options:
    group_by: GroupBy = "project"
    rates_by: RatesBy = "person"
    rates: Mapping[str, Decimal] = field(default_factory=dict)  # person or task -> rate
    default_rate: Decimal | None = None
    tax_rate: str = "20"
    language: Literal["en", "fr"] = "en"


@dataclass(slots=True)
class Group:
    name: str
    rate: Decimal
    hours: Fraction = Fraction(0)
    first: date = date.max
    last: date = date.min
    people: set[str] = field(default_factory=set)
    rows: list[int] = field(default_factory=list)


def rate_of(entry: Entry, options: Options) -> Decimal | None:
    key = entry.person if options.rates_by == "person" else entry.task
    return options.rates.get(key, entry.rate if entry.rate is not None else options.default_rate)


def quantity(hours: Fraction) -> str:
    """Hours rounded half up to QUANTITY_PLACES decimals, as a decimal string ("12.5")."""
    scale = 10**QUANTITY_PLACES
    scaled = hours * scale
    units = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    return _plain(Decimal(units).scaleb(-QUANTITY_PLACES))


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def period(first: date, last: date, language: str) -> str:
    if language == "fr":
        if first == last:
            return f"le {first:%d/%m/%Y}"
        return f"du {first:%d/%m/%Y} au {last:%d/%m/%Y}"
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


def group_name(entry: Entry, options: Options) -> str:
    project = entry.project or NO_PROJECT[options.language]
    if options.group_by == "task" and entry.task:
        return f"{project}: {entry.task}"
    return project


def group(entries: Sequence[Entry], options: Options) -> tuple[list[Group], dict[int, str]]:
    """The groups of the entries that have a rate, in name then rate order; and the row
    errors of those that have none."""
    groups: dict[tuple[str, Decimal], Group] = {}
    errors: dict[int, str] = {}
    for entry in entries:
        rate = rate_of(entry, options)
        if rate is None:
            whose = entry.person if options.rates_by == "person" else entry.task
            errors[entry.row] = f"no rate for {options.rates_by} {whose!r}"
            continue
        name = group_name(entry, options)
        found = groups.setdefault((name, rate.normalize()), Group(name=name, rate=rate))
        found.hours += entry.hours
        found.first, found.last = min(found.first, entry.day), max(found.last, entry.day)
        if entry.person:
            found.people.add(entry.person)
        found.rows.append(entry.row)
    ordered = [groups[key] for key in sorted(groups, key=lambda k: (k[0].casefold(), k[1]))]
    return ordered, errors


def description(each: Group, options: Options) -> str:
    text = f"{each.name} — {period(each.first, each.last, options.language)}"
    if options.rates_by == "person" and each.people:
        text += f" ({', '.join(sorted(each.people))})"
    return text[:5000]


def invoice_lines(groups: Sequence[Group], options: Options) -> list[dict[str, Any]]:
    """The document's lines of the groups (new ids)."""
    return [
        {
            "id": str(uuid.uuid4()),
            "description": description(each, options),
            "quantity": quantity(each.hours),
            "unit": UNIT,
            "unit_price": _plain(each.rate),
            "tax_rate": options.tax_rate,
        }
        for each in groups
    ]
