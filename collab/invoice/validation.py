"""Field validation and totals of an invoice draft, from its document content.

Validation never blocks typing: a half-typed or invalid value is a normal state of a draft and
becomes a message on its field path. Totals are computed from the lines whose amounts are valid
(quantity, unit price, rate and discount): a unit or rate missing from Cofacture's tables, or a
rate that does not suit the category, is reported on its field but the line still counts.
`complete` says whether every line counted.

Each message has a severity: "error" (the invoice cannot be issued like this: approval.readiness
blocks a submit on it) or "warning" (worth a look, e.g. a rate no country uses, but legal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from stdnum.eu import vat
from stdnum.fr import siren, siret

from collab.invoice.adjustment_rows import read_adjustments
from collab.invoice.categories import (
    EXEMPT_CATEGORIES,
    RATE_RULES,
    RateRule,
    rate_problem,
    unusual_rate,
)
from collab.invoice.currencies import UnknownCurrency, minor_units
from collab.invoice.document import (
    DEFAULT_CURRENCY,
    DEFAULT_TAX_CATEGORY,
    DEFAULT_UNIT,
    LINE_ID,
    OPERATIONS,
)
from collab.invoice.invoice_type import check_type
from collab.invoice.issues import ERROR as ERROR
from collab.invoice.issues import WARNING as WARNING
from collab.invoice.issues import Issue as Issue
from collab.invoice.issues import read_date
from collab.invoice.issues import read_number as _number
from collab.invoice.issues import read_optional as _optional
from collab.invoice.money import (
    UNIT_PRICE_PLACES,
    Adjustment,
    Discount,
    InvoiceInput,
    Line,
    MoneyError,
    compute_totals,
    group_key,
    paid_amount,
    rounding_amount,
)
from collab.invoice.prices import item_net_price
from collab.invoice.tables import COUNTRY_CODES, UNIT_CODES, VATEX_CODES
from collab.invoice.totals import TotalsJSON

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True, slots=True)
class Evaluation:
    totals: TotalsJSON | None  # None when the currency itself is unknown
    complete: bool  # every line's amounts were valid and counted
    issues: list[Issue]
    counted: tuple[str, ...] = ()  # ids of the lines in `totals["lines"]`, in order


def evaluate(document: dict[str, Any]) -> Evaluation:
    header: dict[str, Any] = document.get("invoice") or {}
    lines: list[Any] = document.get("lines") or []
    rows_of_adjustments: list[Any] = document.get("adjustments") or []
    issues: list[Issue] = []
    _check_header(header, issues)
    currency = header.get("currency") or DEFAULT_CURRENCY
    valid_lines: list[Line] = []
    line_ids: list[str] = []
    rows: list[dict[str, Any]] = []
    for line in lines:
        if not isinstance(line, dict):
            continue
        checked = _check_line(line, issues)
        if checked is not None:
            valid_lines.append(checked)
            line_ids.append(str(line.get(LINE_ID)))
            rows.append(line)
    all_ids = {str(line.get(LINE_ID)) for line in lines if isinstance(line, dict)}
    adjustments = read_adjustments(rows_of_adjustments, all_ids, issues)
    # A line's allowances and charges count with it; those of a line left out are left out.
    valid_lines = [
        replace(line, adjustments=adjustments.of_line(line_id))
        for line, line_id in zip(valid_lines, line_ids, strict=True)
    ]
    document_adjustments = adjustments.document
    complete = len(valid_lines) == len(lines) and not adjustments.dropped
    try:
        minor_units(currency)
    except UnknownCurrency:
        return Evaluation(None, False, issues, ())
    discount = _discount(header.get("discount"), "invoice.discount", issues)
    # An unusable paid or rounding amount is reported and left out: the due amount is then
    # gross minus what is valid, as the totals are the valid lines'.
    prepaid = _amount(header, "prepaid", currency, issues)
    rounding = _amount(header, "rounding", currency, issues)
    while True:  # each pass drops what the previous one found too large; it ends
        try:
            totals = compute_totals(
                InvoiceInput(
                    tuple(valid_lines),
                    currency=currency,
                    discount=discount,
                    prepaid=prepaid,
                    rounding=rounding,
                    adjustments=tuple(document_adjustments),
                )
            )
            _check_exemptions(valid_lines, rows, issues)
            return Evaluation(totals.to_json(), complete, issues, tuple(line_ids))
        except MoneyError as exc:
            complete = False
            if exc.adjustment is not None:
                _drop_adjustment(exc, valid_lines, document_adjustments, issues)
            elif exc.line is None:
                issues.append(Issue("invoice.discount.value", exc.code, exc.message))
                discount = None
            else:
                line_id = line_ids.pop(exc.line)
                del valid_lines[exc.line]
                del rows[exc.line]
                field = exc.field or "discount.value"
                issues.append(Issue(f"lines.{line_id}.{field}", exc.code, exc.message))


def _drop_adjustment(
    exc: MoneyError, lines: list[Line], document: list[Adjustment], issues: list[Issue]
) -> None:
    """Leave out the allowance or charge the engine refused, with its message on its row."""
    assert exc.adjustment is not None
    if exc.line is None:
        dropped = document.pop(exc.adjustment)
    else:
        owner = lines[exc.line]
        kept = list(owner.adjustments)
        dropped = kept.pop(exc.adjustment)
        lines[exc.line] = replace(owner, adjustments=tuple(kept))
    path = f"adjustments.{dropped.key}.{exc.field or 'amount'}"
    issues.append(Issue(path, exc.code, exc.message))


# -- header -----------------------------------------------------------------------------------


def _check_header(header: dict[str, Any], issues: list[Issue]) -> None:
    currency = header.get("currency")
    if currency is not None:
        try:
            minor_units(currency)
        except UnknownCurrency as exc:
            issues.append(Issue("invoice.currency", "unknown_currency", str(exc)))
    dates = {
        name: read_date(header.get(name), f"invoice.{name}", issues)
        for name in ("issue_date", "due_date")
    }
    if dates["issue_date"] and dates["due_date"] and dates["due_date"] < dates["issue_date"]:
        issues.append(
            Issue("invoice.due_date", "due_before_issue", "the due date is before the issue date")
        )
    customer = header.get("customer") or {}
    if isinstance(customer, dict):
        _check_customer(customer, issues)
    delivery = header.get("delivery") or {}
    if isinstance(delivery, dict):
        _check_delivery(delivery, issues)
    operations = header.get("operations")
    if operations and operations not in OPERATIONS:
        message = f"{operations!r} is not a nature of operations (goods, services or mixed)"
        issues.append(Issue("invoice.operations", "invalid_operations", message))
    check_type(header, dates["issue_date"], issues)


def _amount(header: dict[str, Any], name: str, currency: str, issues: list[Issue]) -> Decimal:
    """BT-113 `prepaid` or BT-114 `rounding`: empty is zero; an invalid one is reported, zero."""
    value = header.get(name)
    if value in (None, ""):
        return Decimal(0)
    number = _number(value, f"invoice.{name}", issues)
    if number is None:
        return Decimal(0)
    check = paid_amount if name == "prepaid" else rounding_amount
    try:
        return check(number, currency)
    except MoneyError as exc:
        issues.append(Issue(f"invoice.{name}", exc.code, exc.message))
        return Decimal(0)


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
    _check_country(country, "invoice.customer.address.country", issues)
    if vat_id and not number and country == "FR":
        # French e-invoices name a French business customer by its SIREN from September 2026
        # (large and mid-size sellers; 2027 for the others). A VAT number is how the document
        # tells a business from a consumer, who has no SIREN: docs/invoice-document.md.
        message = "required on French e-invoices from September 2026 for a French business"
        issues.append(Issue("invoice.customer.siren", "siren_required", message, WARNING))


def _check_delivery(delivery: dict[str, Any], issues: list[Issue]) -> None:
    """BG-13/BG-15, the deliver-to party and address, filled only when they differ from the
    customer's: an address there needs its country (EN 16931 BR-57)."""
    address = delivery.get("address") or {}
    if not isinstance(address, dict):
        return
    path = "invoice.delivery.address.country"
    country = address.get("country")
    if country:
        _check_country(country, path, issues)
        return
    stated = [address.get(key) for key in ("line1", "line2", "postcode", "city")]
    if any(isinstance(value, str) and value.strip() for value in [*stated, delivery.get("name")]):
        message = "a delivery address needs its country (ISO 3166-1, e.g. FR)"
        issues.append(Issue(path, "required", message))


def _check_country(country: object, path: str, issues: list[Issue]) -> None:
    if country and str(country) not in COUNTRY_CODES:
        message = f"{country!r} is not an ISO 3166-1 country code (two letters, e.g. FR)"
        issues.append(Issue(path, "invalid_country", message))


# -- lines ------------------------------------------------------------------------------------


def _check_line(line: dict[str, Any], issues: list[Issue]) -> Line | None:
    """Report the line's problems; return it as a money Line when its amounts are usable."""
    prefix = f"lines.{line.get(LINE_ID)}"
    before = len(issues)
    category = line.get("tax_category") or DEFAULT_TAX_CATEGORY
    quantity = _number(line.get("quantity"), f"{prefix}.quantity", issues)
    # BG-29 (collab/invoice/prices.py): with a gross price, the unit price may be left empty.
    gross, off, base = (
        _optional(line.get(name), f"{prefix}.{name}", issues)
        for name in ("gross_price", "price_discount", "base_quantity")
    )
    priced = any(line.get(name) not in (None, "") for name in ("gross_price", "price_discount"))
    read = _optional if priced else _number
    unit_price = read(line.get("unit_price"), f"{prefix}.unit_price", issues)
    no_rate = RATE_RULES.get(category) is RateRule.NONE and line.get("tax_rate") in (None, "")
    tax_rate = None if no_rate else _number(line.get("tax_rate"), f"{prefix}.tax_rate", issues)
    discount = _discount(line.get("discount"), f"{prefix}.discount", issues)
    unusable = len(issues) > before or quantity is None or (unit_price is None and not priced)
    # Below this point only reports: a code missing from a table never drops the line's amounts.
    _check_codes(line, prefix, category, tax_rate, issues)
    if unusable or (tax_rate is None and not no_rate):
        return None
    if RATE_RULES.get(category) is RateRule.NONE:
        tax_rate = None  # "0" on an O line says the same as no rate; anything else is reported
    assert quantity is not None
    try:
        price = item_net_price(unit_price, gross, off, UNIT_PRICE_PLACES)
        return Line(
            quantity, price, tax_rate, category, discount, Decimal(1) if base is None else base
        )
    except MoneyError as exc:
        issues.append(Issue(f"{prefix}.{exc.field or 'quantity'}", exc.code, exc.message))
        return None


def _check_codes(
    line: dict[str, Any], prefix: str, category: str, rate: Decimal | None, issues: list[Issue]
) -> None:
    unit = line.get("unit") or DEFAULT_UNIT
    if unit not in UNIT_CODES:
        message = f"{unit!r} is not a UN/ECE recommendation 20 or 21 unit code"
        issues.append(Issue(f"{prefix}.unit", "unknown_unit", message, WARNING))
    if (problem := rate_problem(category, rate)) is not None:
        issues.append(Issue(f"{prefix}.tax_rate", "rate_not_allowed", problem))
    elif unusual_rate(category, rate):
        message = f"{rate} % is not a {category} rate in force (likely a typo)"
        issues.append(Issue(f"{prefix}.tax_rate", "unknown_tax_rate", message, WARNING))
    code = line.get("exemption_code") or ""
    if category in EXEMPT_CATEGORIES and code and code not in VATEX_CODES:
        message = f"{code!r} is not a VATEX exemption code (such as VATEX-EU-132-1I)"
        issues.append(Issue(f"{prefix}.exemption_code", "unknown_exemption_code", message))


def _check_exemptions(lines: list[Line], rows: list[dict[str, Any]], issues: list[Issue]) -> None:
    """One VAT breakdown per (category, rate) states one reason code (BT-121) and needs a reason
    or a code (BR-E-10, ...): report lines that contradict their group or leave it without."""
    first_code: dict[object, tuple[str, str]] = {}
    explained: set[object] = set()
    for line, row in zip(lines, rows, strict=True):
        if line.tax_category not in EXEMPT_CATEGORIES:
            continue
        key = group_key(line)
        code = str(row.get("exemption_code") or "")
        if code or str(row.get("exemption_reason") or "").strip():
            explained.add(key)
        if not code:
            continue
        seen = first_code.setdefault(key, (code, str(row.get(LINE_ID))))
        if seen[0] != code:
            message = (
                f"lines of category {line.tax_category} share one exemption code: "
                f"line {seen[1]} gives {seen[0]}, this one {code}"
            )
            issues.append(
                Issue(f"lines.{row.get(LINE_ID)}.exemption_code", "exemption_conflict", message)
            )
    for line, row in zip(lines, rows, strict=True):
        if line.tax_category in EXEMPT_CATEGORIES and group_key(line) not in explained:
            message = (
                f"say why category {line.tax_category} bears no VAT (exemption reason or "
                "VATEX code); the standard wording is used until then"
            )
            path = f"lines.{row.get(LINE_ID)}.exemption_reason"
            issues.append(Issue(path, "exemption_missing", message, WARNING))


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
