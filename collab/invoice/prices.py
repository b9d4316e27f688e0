"""Item price details (EN 16931 BG-29): the gross price (BT-148), the price discount (BT-147) and
the net price (BT-146) they give, and the price base quantity (BT-149) a price is stated for.

The document's `unit_price` stays the net price people type. When a line states a gross price,
the net price is gross - discount (BT-146 = BT-148 - BT-147) and `unit_price` may be left empty;
if it is filled it must say the same (`price_mismatch`): two figures for one price would make
the line's amount depend on which one a reader trusts. A price discount needs its gross price.
The line net is then BT-131 = quantity x net price / base quantity (money.py rounds it where it
rounds every line amount); docs/invoice-document.md gives the rule and worked examples.
"""

from __future__ import annotations

from decimal import Decimal

from collab.invoice.decimals import MoneyError, check_places, checked

__all__ = ["check_base_quantity", "item_net_price"]


def item_net_price(
    unit_price: Decimal | None, gross: Decimal | None, discount: Decimal | None, places: int
) -> Decimal:
    """The net price (BT-146) of a line, from its unit price or its gross price and discount;
    `places` is the precision of prices (money.UNIT_PRICE_PLACES).

    Raises:
        MoneyError: `field` "gross_price", "price_discount" or "unit_price": a negative gross
            price (BR-28) or discount, a discount above the gross price (the net price would be
            negative, BR-27), a discount without gross price, a unit price that disagrees.
    """
    if gross is None:
        if discount is not None:
            raise MoneyError(
                "a price discount (BT-147) is taken off a gross price (BT-148): state it",
                code="required",
                field="gross_price",
            )
        if unit_price is None:
            raise MoneyError("required", code="required", field="unit_price")
        return unit_price
    gross = checked(gross, "gross_price", minimum=Decimal(0))
    check_places(gross, places, "gross_price")
    off = checked(
        discount if discount is not None else Decimal(0), "price_discount", minimum=Decimal(0)
    )
    check_places(off, places, "price_discount")
    if off > gross:
        raise MoneyError(
            f"price discount {off} is larger than the gross price {gross}",
            code="discount_exceeds_base",
            field="price_discount",
        )
    net = gross - off
    if unit_price is not None and unit_price != net:
        raise MoneyError(
            f"the unit price is the net price, gross {gross} - discount {off} = {net}: "
            f"{unit_price} says otherwise (empty it, or correct one of them)",
            code="price_mismatch",
            field="unit_price",
        )
    return net


def check_base_quantity(value: Decimal, places: int) -> Decimal:
    """BT-149: the number of units the price is for, above zero, with at most `places`
    decimals (money.QUANTITY_PLACES, as quantities)."""
    base = checked(value, "base_quantity")
    check_places(base, places, "base_quantity")
    if base <= 0:
        raise MoneyError(
            f"a price is for a positive number of units, not {base}",
            code="out_of_range",
            field="base_quantity",
        )
    return base
