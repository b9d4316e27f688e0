"""Field validation and totals of an invoice draft, from its document content.

Validation never blocks typing: a half-typed or invalid value is a normal state of a draft and
becomes a message on its field path. Totals are computed from the lines whose amounts are valid;
`complete` says whether every line counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from stdnum.eu import vat
from stdnum.fr import siren, siret

from collab.invoice.currencies import UnknownCurrency, minor_units
from collab.invoice.document import DEFAULT_CURRENCY, DEFAULT_TAX_CATEGORY, DEFAULT_UNIT, LINE_ID
from collab.invoice.money import (
    Discount,
    InvoiceInput,
    Line,
    MoneyError,
    compute_totals,
    parse_decimal,
)
from collab.invoice.tables import UNIT_CODES, VAT_RATES
from collab.invoice.totals import TotalsJSON

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_COUNTRY = re.compile(r"[A-Z]{2}", re.ASCII)


@dataclass(frozen=True, slots=True)
class Issue:
    path: str
    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class Evaluation:
    totals: TotalsJSON | None  # None when the currency itself is unknown
    complete: bool  # every line's amounts were valid and counted
    issues: list[Issue]
    counted: tuple[str, ...] = ()  # ids of the lines in `totals["lines"]`, in order


def evaluate(document: dict[str, Any]) -> Evaluation:
    header: dict[str, Any] = document.get("invoice") or {}
    lines: list[Any] = document.get("lines") or []
    issues: list[Issue] = []
    _check_header(header, issues)
    currency = header.get("currency") or DEFAULT_CURRENCY
    valid_lines: list[Line] = []
    line_ids: list[str] = []
    for line in lines:
        if not isinstance(line, dict):
            continue
        checked = _check_line(line, issues)
        if checked is not None:
            valid_lines.append(checked)
            line_ids.append(str(line.get(LINE_ID)))
    complete = len(valid_lines) == len(lines)
    try:
        minor_units(currency)
    except UnknownCurrency:
        return Evaluation(None, False, issues, ())
    discount = _discount(header.get("discount"), "invoice.discount", issues)
    while True:  # each pass drops what the previous one found too large; it ends
        try:
            totals = compute_totals(
                InvoiceInput(tuple(valid_lines), currency=currency, discount=discount)
            )
            return Evaluation(totals.to_json(), complete, issues, tuple(line_ids))
        except MoneyError as exc:
            complete = False
            if exc.line is None:
                issues.append(Issue("invoice.discount.value", exc.code, exc.message))
                discount = None
            else:
                line_id = line_ids.pop(exc.line)
                del valid_lines[exc.line]
                field = exc.field or "discount.value"
                issues.append(Issue(f"lines.{line_id}.{field}", exc.code, exc.message))


# -- header -----------------------------------------------------------------------------------


def _check_header(header: dict[str, Any], issues: list[Issue]) -> None:
    currency = header.get("currency")
    if currency is not None:
        try:
            minor_units(currency)
        except UnknownCurrency as exc:
            issues.append(Issue("invoice.currency", "unknown_currency", str(exc)))
    dates = {
        name: _date(header.get(name), f"invoice.{name}", issues)
        for name in ("issue_date", "due_date")
    }
    if dates["issue_date"] and dates["due_date"] and dates["due_date"] < dates["issue_date"]:
        issues.append(
            Issue("invoice.due_date", "due_before_issue", "the due date is before the issue date")
        )
    customer = header.get("customer") or {}
    if isinstance(customer, dict):
        _check_customer(customer, issues)


def _date(value: object, path: str, issues: list[Issue]) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        issues.append(Issue(path, "invalid_date", f"{value!r} is not a date like 2026-12-31"))
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        issues.append(Issue(path, "invalid_date", f"{value} is not a real date"))
        return None


def _check_customer(customer: dict[str, Any], issues: list[Issue]) -> None:
    email = customer.get("email")
    if email and not _EMAIL.fullmatch(str(email)):
        issues.append(
            Issue("invoice.customer.email", "invalid_email", f"{email!r} is not an email address")
        )
    vat_id = customer.get("vat_id")
    if vat_id and not vat.is_valid(str(vat_id)):
        issues.append(
            Issue(
                "invoice.customer.vat_id",
                "invalid_vat_id",
                f"{vat_id!r} is not a valid EU VAT number",
            )
        )
    number = str(customer.get("siren") or "").replace(" ", "")
    if number:
        valid = siren.is_valid(number) if len(number) == 9 else siret.is_valid(number)
        if not valid:
            issues.append(
                Issue(
                    "invoice.customer.siren",
                    "invalid_siren",
                    f"{number!r} is not a valid SIREN (9 digits) or SIRET (14 digits)",
                )
            )
    address = customer.get("address") or {}
    country = address.get("country") if isinstance(address, dict) else None
    if country and not _COUNTRY.fullmatch(str(country)):
        issues.append(
            Issue(
                "invoice.customer.address.country",
                "invalid_country",
                f"{country!r} is not a two-letter country code (ISO 3166-1, e.g. FR)",
            )
        )


# -- lines ------------------------------------------------------------------------------------


def _check_line(line: dict[str, Any], issues: list[Issue]) -> Line | None:
    """Report the line's problems; return it as a money Line when its amounts are usable."""
    prefix = f"lines.{line.get(LINE_ID)}"
    before = len(issues)
    quantity = _number(line.get("quantity"), f"{prefix}.quantity", issues)
    unit_price = _number(line.get("unit_price"), f"{prefix}.unit_price", issues)
    tax_rate = _number(line.get("tax_rate"), f"{prefix}.tax_rate", issues)
    unit = line.get("unit") or DEFAULT_UNIT
    if unit not in UNIT_CODES:
        issues.append(
            Issue(f"{prefix}.unit", "unknown_unit", f"{unit!r} is not a known UN/ECE unit code")
        )
    if tax_rate is not None and _normal(tax_rate) not in VAT_RATES:
        issues.append(
            Issue(f"{prefix}.tax_rate", "unknown_tax_rate", f"{tax_rate} % is not a known VAT rate")
        )
    discount = _discount(line.get("discount"), f"{prefix}.discount", issues)
    if quantity is None or unit_price is None or tax_rate is None or len(issues) > before:
        return None
    try:
        return Line(
            quantity,
            unit_price,
            tax_rate,
            line.get("tax_category") or DEFAULT_TAX_CATEGORY,
            discount,
        )
    except MoneyError as exc:
        issues.append(Issue(f"{prefix}.{exc.field or 'quantity'}", exc.code, exc.message))
        return None


def _number(value: object, path: str, issues: list[Issue]) -> Decimal | None:
    if value in (None, ""):
        issues.append(Issue(path, "required", "required"))
        return None
    try:
        return parse_decimal(str(value))
    except MoneyError as exc:
        issues.append(Issue(path, exc.code, exc.message))
        return None


def _discount(value: object, path: str, issues: list[Issue]) -> Discount | None:
    if not isinstance(value, dict) or value.get("value") in (None, ""):
        return None
    amount = _number(value.get("value"), f"{path}.value", issues)
    if amount is None:
        return None
    try:
        return Discount(value.get("kind") or "percent", amount)
    except MoneyError as exc:
        issues.append(
            Issue(f"{path}.{(exc.field or 'value').split('.')[-1]}", exc.code, exc.message)
        )
        return None


def _normal(rate: Decimal) -> Decimal:
    return rate.normalize() if rate != 0 else Decimal(0)
