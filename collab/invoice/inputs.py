"""The money engine's inputs, checked on construction: discounts, lines, allowances and
charges, the invoice (collab/invoice/money.py computes from them).

Every number is a `decimal.Decimal` (an `int` is accepted as exact); a float is refused with
`MoneyTypeError`. Bounds that depend on the currency (minor units) are checked by `InvoiceInput`,
which knows it; the sizes of discounts against what they apply to are the engine's to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from collab.invoice.adjustments import Adjustment
from collab.invoice.currencies import UnknownCurrency, minor_units
from collab.invoice.decimals import MoneyError, MoneyTypeError, check_places, checked
from collab.invoice.prices import check_base_quantity
from collab.invoice.settlement import paid_amount, rounding_amount

QUANTITY_PLACES = 4  # quantities and price base quantities
UNIT_PRICE_PLACES = 6  # every price: unit, gross, discount, net
PERCENT_PLACES = 4  # tax rates and percent discounts
# UNTDID 5305 codes EN 16931 allows (BR-CL-17/18, collab/invoice/codes/codelists.json): standard,
# zero, exempt, reverse charge, intra-community, export, outside scope, Canary Islands (IGIC),
# Ceuta and Melilla (IPSI), Italian split payment. A test keeps this equal to the Schematron's.
TAX_CATEGORIES = frozenset({"S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B"})
NO_RATE_CATEGORY = "O"  # BR-O-05: "not subject to VAT" lines have no VAT rate
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
    adjustments: tuple[Adjustment, ...] = ()  # BG-27 / BG-28 besides `discount`, in order

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
        object.__setattr__(self, "adjustments", tuple(self.adjustments))


@dataclass(frozen=True, slots=True)
class InvoiceInput:
    """What the totals depend on. Constructing one checks everything except discount sizes.

    `discount` is the document-level allowance, applied to the sum of line nets and shared over
    the VAT groups; `adjustments` are the document's other allowances and charges (BG-20 /
    BG-21), each bound to its own category and rate. `prepaid`
    (BT-113) is non-negative and may exceed the gross total (the amount due is then negative: a
    refund); `rounding` (BT-114) is added to the amount due, |rounding| < 1 (`MAX_ROUNDING`).
    Both have at most the currency's minor units.
    """

    lines: tuple[Line, ...]
    currency: str = "EUR"
    discount: Discount | None = None
    prepaid: Decimal = Decimal(0)
    rounding: Decimal = Decimal(0)
    adjustments: tuple[Adjustment, ...] = ()

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
            for number, adjustment in enumerate(line.adjustments):
                _check_adjustment(adjustment, places, self.currency, index, number)
        object.__setattr__(self, "adjustments", tuple(self.adjustments))
        for number, adjustment in enumerate(self.adjustments):
            _check_adjustment(adjustment, places, self.currency, None, number)
            _check_bound(adjustment, number)
        _check_discount_type(self.discount)
        _check_amount_discount(self.discount, places, self.currency, None)
        object.__setattr__(self, "prepaid", paid_amount(self.prepaid, self.currency))
        object.__setattr__(self, "rounding", rounding_amount(self.rounding, self.currency))


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


def _check_discount_type(discount: object) -> None:
    if discount is not None and not isinstance(discount, Discount):
        raise MoneyTypeError(
            f"discount must be a Discount or None, not {type(discount).__name__}",
            code="not_a_discount",
            field="discount",
        )


def _check_adjustment(
    item: object, places: int, currency: str, line: int | None, number: int
) -> None:
    """Bounds that need the currency: amounts and bases in minor units, percents to 4 places,
    an allowance at most 100 %."""
    if not isinstance(item, Adjustment):
        raise MoneyTypeError(
            f"an adjustment must be an Adjustment, not {type(item).__name__}",
            code="not_an_adjustment",
            field="adjustments",
            line=line,
            adjustment=number,
        )
    try:
        for name in ("amount", "base"):
            value = getattr(item, name)
            if value is not None:
                check_places(value, places, name, currency=currency)
        if item.percent is not None:
            check_places(item.percent, PERCENT_PLACES, "percent")
            if not item.charge and item.percent > _HUNDRED:
                raise MoneyError(
                    f"a percent allowance cannot exceed 100, got {item.percent}",
                    code="out_of_range",
                    field="percent",
                )
    except MoneyError as exc:
        exc.line, exc.adjustment = line, number
        raise


def _check_bound(item: Adjustment, number: int) -> None:
    """A document-level adjustment's VAT category and rate, as a line's are checked."""
    try:
        if item.tax_category not in TAX_CATEGORIES:
            raise MoneyError(
                f"unknown tax category {item.tax_category!r}: expected one of "
                + ", ".join(sorted(TAX_CATEGORIES)),
                code="unknown_category",
                field="tax_category",
            )
        _checked_rate(item.tax_rate, item.tax_category)
    except MoneyError as exc:
        exc.adjustment = number
        raise


def _check_amount_discount(
    discount: Discount | None, places: int, currency: str, line: int | None
) -> None:
    if discount is not None and discount.kind == "amount":
        check_places(discount.value, places, "discount.value", currency=currency, line=line)
