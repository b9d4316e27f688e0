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
its own amount from any group.
Category/rate coherence (BR-S-05, BR-Z-05, ...) is left to the validation layer, except that
category O has no rate at all (BR-O-05): its lines carry `tax_rate=None` and no VAT.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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
from typing import Literal

from collab.invoice.allocation import allocate
from collab.invoice.currencies import UnknownCurrency, minor_units
from collab.invoice.decimals import (
    MoneyError,
    MoneyTypeError,
    check_places,
    checked,
    decimal_places,
    parse_decimal,
)
from collab.invoice.prices import check_base_quantity
from collab.invoice.settlement import MAX_ROUNDING as MAX_ROUNDING
from collab.invoice.settlement import paid_amount, rounding_amount
from collab.invoice.totals import LineResult, TaxBreakdown, Totals, decimal_text

__all__ = [
    "TAX_CATEGORIES",
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

QUANTITY_PLACES = 4  # quantities and price base quantities
UNIT_PRICE_PLACES = 6  # every price: unit, gross, discount, net
PERCENT_PLACES = 4  # tax rates and percent discounts
# UNTDID 5305 codes EN 16931 allows (BR-CL-17/18, collab/invoice/codes/codelists.json): standard,
# zero, exempt, reverse charge, intra-community, export, outside scope, Canary Islands (IGIC),
# Ceuta and Melilla (IPSI), Italian split payment. A test keeps this equal to the Schematron's.
TAX_CATEGORIES = frozenset({"S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B"})
NO_RATE_CATEGORY = "O"  # BR-O-05: "not subject to VAT" lines have no VAT rate

_EXACT = Context(
    prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact]
)
_ROUNDING = Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, Overflow])
_HUNDRED = Decimal(100)


DiscountKind = Literal["percent", "amount"]


@dataclass(frozen=True, slots=True)
class Discount:
    """An allowance: `value` percent of the amount it applies to, or a fixed amount.

    The value is non-negative; a percent is at most 100 with up to 4 decimals; an amount has at
    most the currency's minor units (checked by `InvoiceInput`, which knows the currency).
    """

    kind: DiscountKind
    value: Decimal

    def __post_init__(self) -> None:
        if self.kind not in ("percent", "amount"):
            raise MoneyError(
                f"discount kind must be 'percent' or 'amount', not {self.kind!r}",
                code="invalid_kind",
                field="discount.kind",
            )
        value = checked(self.value, "discount.value", minimum=Decimal(0))
        if self.kind == "percent":
            check_places(value, PERCENT_PLACES, "discount.value")
            if value > _HUNDRED:
                raise MoneyError(
                    f"a percent discount cannot exceed 100, got {value}",
                    code="out_of_range",
                    field="discount.value",
                )
        object.__setattr__(self, "value", value)


@dataclass(frozen=True, slots=True)
class Line:
    """One invoice line. `tax_rate` is a percent ("20" means 20 %), None for category O only.

    Quantities have up to 4 decimals and may be negative (credit lines); unit prices have up to
    6 decimals and may not be negative (BR-27).
    """

    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal | None
    tax_category: str = "S"
    discount: Discount | None = None
    base_quantity: Decimal = Decimal(1)  # BT-149: the unit price is for this many units

    def __post_init__(self) -> None:
        quantity = checked(self.quantity, "quantity")
        check_places(quantity, QUANTITY_PLACES, "quantity")
        unit_price = checked(self.unit_price, "unit_price", minimum=Decimal(0))
        check_places(unit_price, UNIT_PRICE_PLACES, "unit_price")
        if self.tax_category not in TAX_CATEGORIES:
            raise MoneyError(
                f"unknown tax category {self.tax_category!r}: expected one of "
                + ", ".join(sorted(TAX_CATEGORIES)),
                code="unknown_category",
                field="tax_category",
            )
        tax_rate = _checked_rate(self.tax_rate, self.tax_category)
        _check_discount_type(self.discount)
        object.__setattr__(self, "quantity", quantity)
        object.__setattr__(self, "unit_price", unit_price)
        object.__setattr__(self, "tax_rate", tax_rate)
        object.__setattr__(
            self, "base_quantity", check_base_quantity(self.base_quantity, QUANTITY_PLACES)
        )


@dataclass(frozen=True, slots=True)
class InvoiceInput:
    """What the totals depend on. Constructing one checks everything except discount sizes.

    `discount` is the document-level allowance, applied to the sum of line nets. `prepaid`
    (BT-113) is non-negative and may exceed the gross total (the amount due is then negative: a
    refund); `rounding` (BT-114) is added to the amount due, |rounding| < 1 (`MAX_ROUNDING`).
    Both have at most the currency's minor units.
    """

    lines: tuple[Line, ...]
    currency: str = "EUR"
    discount: Discount | None = None
    prepaid: Decimal = Decimal(0)
    rounding: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        # Any sequence is accepted, but a tuple is kept so the input stays immutable.
        object.__setattr__(self, "lines", tuple(self.lines))
        try:
            places = minor_units(self.currency)
        except UnknownCurrency as exc:
            raise MoneyError(str(exc), code="unknown_currency", field="currency") from exc
        for index, line in enumerate(self.lines):
            if not isinstance(line, Line):
                raise MoneyTypeError(
                    f"line {index} is a {type(line).__name__}, not a Line",
                    code="not_a_line",
                    field="lines",
                    line=index,
                )
            _check_amount_discount(line.discount, places, self.currency, index)
        _check_discount_type(self.discount)
        _check_amount_discount(self.discount, places, self.currency, None)
        object.__setattr__(self, "prepaid", paid_amount(self.prepaid, self.currency))
        object.__setattr__(self, "rounding", rounding_amount(self.rounding, self.currency))


def compute_totals(invoice: InvoiceInput) -> Totals:
    """Compute line nets, the document discount, VAT per (category, rate) and the totals.

    The result does not depend on the order of the lines, except `lines` which follows it.

    Raises:
        MoneyError: code "discount_exceeds_base" when an amount discount is larger (in absolute
            value) than the line or the sum of line nets it applies to.
    """
    places = minor_units(invoice.currency)
    with localcontext(_EXACT):
        lines = tuple(_line_result(line, places, i) for i, line in enumerate(invoice.lines))
        line_total = _sum((line.net for line in lines), places)
        document_discount = _discount(invoice.discount, line_total, places, None)
        groups = _group_nets(invoice.lines, lines)
        keys = sorted(groups)
        # Only the groups that go the invoice's way share the discount: a credit line in another
        # group must not turn part of it into an extra reduction elsewhere (issue 12).
        weights = [_same_way(groups[key], line_total) for key in keys]
        shares = allocate(document_discount, weights, places)
        breakdown = tuple(
            _tax_group(category, rate, groups[(category, rate)] - share, places)
            for (category, rate), share in zip(keys, shares, strict=True)
        )
        net = line_total - document_discount
        tax = _sum((group.amount for group in breakdown), places)
        gross = net + tax
        prepaid = _round(invoice.prepaid, places)
        rounding = _round(invoice.rounding, places)
        return Totals(
            currency=invoice.currency,
            lines=lines,
            line_total=line_total,
            document_discount=document_discount,
            net=net,
            tax=tax,
            gross=gross,
            prepaid=prepaid,
            rounding=rounding,
            due=gross - prepaid + rounding,  # BT-115 (BR-CO-16)
            tax_breakdown=breakdown,
        )


def format_amount(value: Decimal, currency: str) -> str:
    """`value` rounded half-up to the currency's minor units, as a plain decimal string."""
    return decimal_text(_round(checked(value, "amount"), minor_units(currency)))


def _line_result(line: Line, places: int, index: int) -> LineResult:
    extended = _per_base(line.quantity * line.unit_price, line.base_quantity, places)
    discount = _discount(line.discount, extended, places, index)
    return LineResult(extended=extended, discount=discount, net=extended - discount)


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


def _checked_rate(rate: Decimal | None, category: str) -> Decimal | None:
    if rate is None:
        if category != NO_RATE_CATEGORY:
            raise MoneyError(
                f"category {category} needs a VAT rate", code="required", field="tax_rate"
            )
        return None
    rate = checked(rate, "tax_rate", minimum=Decimal(0), maximum=_HUNDRED)
    check_places(rate, PERCENT_PLACES, "tax_rate")
    if category == NO_RATE_CATEGORY and not rate.is_zero():
        raise MoneyError(
            f"category O (not subject to VAT) has no VAT rate, got {rate} % (BR-O-05)",
            code="rate_not_allowed",
            field="tax_rate",
        )
    return rate


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


def _check_discount_type(discount: object) -> None:
    if discount is not None and not isinstance(discount, Discount):
        raise MoneyTypeError(
            f"discount must be a Discount or None, not {type(discount).__name__}",
            code="not_a_discount",
            field="discount",
        )


def _check_amount_discount(
    discount: Discount | None, places: int, currency: str, line: int | None
) -> None:
    if discount is not None and discount.kind == "amount":
        check_places(discount.value, places, "discount.value", currency=currency, line=line)
