"""Exact invoice arithmetic (EN 16931): line nets, discounts, VAT per rate, totals.

Pure and synchronous: no I/O, no clock, and the caller's decimal context neither affects the
results nor is changed by them. Every number is a `decimal.Decimal` (an `int` is accepted as
exact); a float is refused with `MoneyTypeError`, which is both a `TypeError` and a `MoneyError`.

Rounding is half-up (ties away from zero) to the currency's minor units, at exactly three points:
a line's quantity x unit price, each discount, and the VAT of each (category, rate) group (BR-CO-17:
VAT is computed on the group's summed base, never summed from rounded line VATs). Everything else
is exact: the arithmetic runs in a context that traps `Inexact`, so a lost digit raises instead of
hiding in a total.

Credit lines: a quantity may be negative, a unit price may not (BR-27). Discounts follow the
EN 16931 formulas literally (docs/invoice-document.md, "Discounts on credit lines"): an allowance
is subtracted, BT-131 = quantity x price - allowance, so an amount allowance lowers a line by
exactly its amount whatever the line's sign, while a percent allowance is a percent of its base
(BT-136 = BT-137 x BT-138 / 100) and so carries the base's sign. The document discount is shared
only among the (category, rate) groups that go the invoice's way (positive groups on an invoice
whose lines sum above zero), so a credit line in another group never makes it remove more than
its own amount from any group. Explicit allowances and charges (collab/invoice/adjustments.py)
are bound: a line's move its net, a document's move its own (category, rate) group only.
Category/rate coherence (BR-S-05, BR-Z-05, ...) is left to the validation layer, except that
category O has no rate at all (BR-O-05): its lines carry `tax_rate=None` and no VAT.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)

from collab.invoice.adjustments import Adjustment, adjustment_amount
from collab.invoice.allocation import allocate
from collab.invoice.currencies import minor_units
from collab.invoice.decimals import MoneyError, MoneyTypeError, checked, parse_decimal
from collab.invoice.decimals import decimal_places as decimal_places
from collab.invoice.inputs import NO_RATE_CATEGORY as NO_RATE_CATEGORY
from collab.invoice.inputs import PERCENT_PLACES as PERCENT_PLACES
from collab.invoice.inputs import QUANTITY_PLACES as QUANTITY_PLACES
from collab.invoice.inputs import TAX_CATEGORIES, Discount, InvoiceInput, Line
from collab.invoice.inputs import UNIT_PRICE_PLACES as UNIT_PRICE_PLACES
from collab.invoice.settlement import MAX_ROUNDING as MAX_ROUNDING
from collab.invoice.settlement import paid_amount, rounding_amount
from collab.invoice.totals import AdjustmentResult, LineResult, TaxBreakdown, Totals, decimal_text

__all__ = [
    "TAX_CATEGORIES",
    "Adjustment",
    "Discount",
    "InvoiceInput",
    "Line",
    "LineResult",
    "MoneyError",
    "MoneyTypeError",
    "TaxBreakdown",
    "Totals",
    "allocate",
    "compute_totals",
    "format_amount",
    "group_key",
    "paid_amount",
    "parse_decimal",
    "rounding_amount",
]

_EXACT = Context(
    prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact]
)
_ROUNDING = Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, Overflow])
_HUNDRED = Decimal(100)


def compute_totals(invoice: InvoiceInput) -> Totals:
    """Compute line nets, the document discount, VAT per (category, rate) and the totals.

    The result does not depend on the order of the lines, except `lines` which follows it (and
    `adjustments`, which follows theirs).

    Raises:
        MoneyError: code "discount_exceeds_base" when an amount discount or line allowance is
            larger (in absolute value) than the line or the sum of line nets it applies to.
    """
    places = minor_units(invoice.currency)
    with localcontext(_EXACT):
        lines = tuple(_line_result(line, places, i) for i, line in enumerate(invoice.lines))
        line_total = _sum((line.net for line in lines), places)
        document_discount = _discount(invoice.discount, line_total, places, None)
        groups = _group_nets(invoice.lines, lines)
        adjustments = tuple(_bound_result(item, groups, places) for item in invoice.adjustments)
        moved: dict[tuple[str, Decimal], Decimal] = {}
        for item in adjustments:
            key = (str(item.category), item.rate or Decimal(0))
            moved[key] = moved.get(key, Decimal(0)) + _signed(item)
        keys = sorted(groups.keys() | moved.keys())
        # Only the groups that go the invoice's way share the discount: a credit line in another
        # group must not turn part of it into an extra reduction elsewhere (issue 12). The share
        # is of line nets only; bound allowances and charges then move their own group.
        weights = [_same_way(groups.get(key, Decimal(0)), line_total) for key in keys]
        shares = allocate(document_discount, weights, places)
        breakdown = tuple(
            _tax_group(
                category,
                rate,
                groups.get((category, rate), _zero(places))
                - share
                + moved.get((category, rate), Decimal(0)),
                places,
            )
            for (category, rate), share in zip(keys, shares, strict=True)
        )
        allowances = document_discount + _sum(
            (item.amount for item in adjustments if not item.charge), places
        )
        charges = _sum((item.amount for item in adjustments if item.charge), places)
        net = line_total - allowances + charges
        tax = _sum((group.amount for group in breakdown), places)
        gross = net + tax
        prepaid = _round(invoice.prepaid, places)
        rounding = _round(invoice.rounding, places)
        return Totals(
            currency=invoice.currency,
            lines=lines,
            line_total=line_total,
            document_discount=document_discount,
            allowances=allowances,
            charges=charges,
            net=net,
            tax=tax,
            gross=gross,
            prepaid=prepaid,
            rounding=rounding,
            due=gross - prepaid + rounding,  # BT-115 (BR-CO-16)
            tax_breakdown=breakdown,
            adjustments=adjustments,
        )


def format_amount(value: Decimal, currency: str) -> str:
    """`value` rounded half-up to the currency's minor units, as a plain decimal string."""
    return decimal_text(_round(checked(value, "amount"), minor_units(currency)))


def _line_result(line: Line, places: int, index: int) -> LineResult:
    extended = _per_base(line.quantity * line.unit_price, line.base_quantity, places)
    discount = _discount(line.discount, extended, places, index)
    adjustments = tuple(
        _line_adjustment(item, extended, places, index, number)
        for number, item in enumerate(line.adjustments)
    )
    allowances = _sum((item.amount for item in adjustments if not item.charge), places)
    charges = _sum((item.amount for item in adjustments if item.charge), places)
    return LineResult(
        extended=extended,
        discount=discount,
        net=extended - discount - allowances + charges,
        allowances=allowances,
        charges=charges,
        adjustments=adjustments,
    )


def _line_adjustment(
    item: Adjustment, extended: Decimal, places: int, line: int, number: int
) -> AdjustmentResult:
    """A line's allowance or charge; a percent applies to the line's amount before any
    allowance (BT-137 defaults to quantity x net price), an amount allowance is at most it."""
    if not item.charge and item.amount is not None and item.amount > extended.copy_abs():
        raise MoneyError(
            f"allowance {item.amount} is larger than the line amount ({extended.copy_abs()})",
            code="discount_exceeds_base",
            field="amount",
            line=line,
            adjustment=number,
        )
    result = adjustment_amount(item, extended, places)
    return AdjustmentResult(item.key, item.charge, result.amount, result.base, item.percent)


def _bound_result(
    item: Adjustment, groups: dict[tuple[str, Decimal], Decimal], places: int
) -> AdjustmentResult:
    """A document allowance or charge; a percent without a stated base applies to the line
    nets of its own (category, rate) group, zero when the group has no line."""
    rate = _canonical_rate(Decimal(0) if item.tax_rate is None else item.tax_rate)
    result = adjustment_amount(item, groups.get((item.tax_category, rate), _zero(places)), places)
    return AdjustmentResult(
        item.key,
        item.charge,
        result.amount,
        result.base,
        item.percent,
        item.tax_category,
        None if item.tax_rate is None else rate,
    )


def _signed(item: AdjustmentResult) -> Decimal:
    """What the adjustment does to its group's base: a charge adds, an allowance subtracts."""
    return item.amount if item.charge else -item.amount


def _discount(discount: Discount | None, base: Decimal, places: int, line: int | None) -> Decimal:
    """The allowance on `base`, to be subtracted from it (BT-131 = gross - BT-136).

    A percent is a percent of the base, so it has the base's sign and shrinks it towards zero;
    an amount is the amount as stated, positive, whatever the sign of the base. Either may be at
    most as large as the base: a bigger one is a typo, refused so the editor can say so.
    """
    if discount is None:
        return _zero(places)
    if discount.kind == "percent":
        # Half-up rounds ties away from zero, so a credit line's discount mirrors the debit's.
        return _round(base * discount.value / _HUNDRED, places)
    if discount.value > base.copy_abs():
        where = "the line amount" if line is not None else "the sum of the line nets"
        raise MoneyError(
            f"discount {discount.value} is larger than {where} ({base.copy_abs()})",
            code="discount_exceeds_base",
            field="discount.value",
            line=line,
        )
    return _round(discount.value, places)


def _same_way(net: Decimal, total: Decimal) -> Decimal:
    """`net` as an allocation weight: itself when it has the sign of `total`, else nothing."""
    return net if net * total > 0 else Decimal(0)


def _group_nets(
    lines: Iterable[Line], results: Iterable[LineResult]
) -> dict[tuple[str, Decimal], Decimal]:
    groups: dict[tuple[str, Decimal], Decimal] = {}
    for line, result in zip(lines, results, strict=True):
        # "20" and "20.00" are one group; the canonical key keeps the output spelling independent
        # of which line came first.
        key = group_key(line)
        groups[key] = groups.get(key, Decimal(0)) + result.net
    return groups


def _tax_group(category: str, rate: Decimal, base: Decimal, places: int) -> TaxBreakdown:
    amount = _round(base * rate / _HUNDRED, places)
    return TaxBreakdown(category=category, rate=rate, base=base, amount=amount)


def group_key(line: Line) -> tuple[str, Decimal]:
    """The (category, canonical rate) VAT group of a line, as the totals group it."""
    return line.tax_category, _canonical_rate(_rate_of(line))


def _rate_of(line: Line) -> Decimal:
    # A line without a rate (category O) bears no VAT: its group computes at 0 and exports omit
    # the rate (BR-O-05), so 0 is only the engine's way of saying "no VAT here".
    return Decimal(0) if line.tax_rate is None else line.tax_rate


def _canonical_rate(rate: Decimal) -> Decimal:
    if rate == rate.to_integral_value(context=_EXACT):
        return rate.quantize(Decimal(1), context=_EXACT)
    return rate.normalize(_EXACT)


def _round(value: Decimal, places: int) -> Decimal:
    """Half-up to `places` decimals; negative zero is folded so no "-0.00" reaches an invoice."""
    rounded = value.quantize(Decimal(1).scaleb(-places), context=_ROUNDING)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _per_base(amount: Decimal, base: Decimal, places: int) -> Decimal:
    """round(amount / base) half-up, exactly: BT-131 = quantity x net price / base quantity.

    The quotient may not end (7 / 3), so it is taken on integers rather than in a decimal
    context, where a 60-digit approximation could land on a tie that is not one."""
    if base == 1:
        return _round(amount, places)
    amount_places, base_places = decimal_places(amount), decimal_places(base)
    numerator = int(amount.scaleb(amount_places, _EXACT)) * 10 ** (base_places + places)
    denominator = int(base.scaleb(base_places, _EXACT)) * 10**amount_places
    units, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        units += 1
    return _round(Decimal(units if numerator >= 0 else -units).scaleb(-places, _EXACT), places)


def _sum(values: Iterable[Decimal], places: int) -> Decimal:
    # Starting from a zero with the right exponent keeps "0.00", not "0", for an empty sum.
    total = _zero(places)
    for value in values:
        total += value
    return total


def _zero(places: int) -> Decimal:
    return Decimal(0).scaleb(-places, _EXACT)
