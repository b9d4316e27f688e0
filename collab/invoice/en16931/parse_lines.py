"""One imported invoice line (BG-25) as document rows, its net amount (BT-131) kept to the cent.

See `parse_document` for the principle; here the line's allowances and charges (BG-27, BG-28)
are kept for `adjustments` rows bound to the line (`parse_adjustments` writes them), except a
first allowance that says no more than a discount does: that one is the line's `discount`,
which is what our own export writes a `discount` as, so an exported draft comes back with the
same fields. A line whose figures do not give its BT-131 under the money engine is restated as
1 x its net.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from collab.invoice.document import DEFAULT_UNIT, LINE
from collab.invoice.en16931.parse_read import Adjustment, ReadLine, decimal, is_plain_discount
from collab.invoice.money import Discount, InvoiceInput, Line, MoneyError, compute_totals
from collab.shape import field_in

__all__ = ["Notes", "line_rows", "plain", "rate_text", "tax_group"]

# Categories whose rate is 0 by definition (EN 16931 BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05,
# BR-G-05); O has no rate at all (BR-O-05), which the document writes as "0".
_ZERO_RATED: Final = frozenset({"Z", "E", "AE", "K", "G", "O"})
_PRICE_DETAILS: Final = ("gross_price", "price_discount", "base_quantity")


class Notes:
    """The warnings of one import, in the order found, each once; a term found on several lines
    is one warning naming the lines."""

    def __init__(self, found: tuple[str, ...] = ()) -> None:
        self._items: dict[str, list[str]] = {f"{term} not kept": [] for term in found}

    def add(self, text: str) -> None:
        self._items.setdefault(text, [])

    def on_line(self, text: str, line: str) -> None:
        self._items.setdefault(text, []).append(line)

    def all(self) -> list[str]:
        return [
            f"{text} (lines {', '.join(lines)})"
            if len(lines) > 1
            else f"{text} (line {lines[0]})"
            if lines
            else text
            for text, lines in self._items.items()
        ]


def plain(value: Decimal) -> str:
    """A decimal without exponent nor trailing zeros: "25.0" -> "25", "12122.5900" -> "12122.59"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def rate_text(text: str, category: str) -> str:
    """BT-152 / BT-96 as the document writes it; "" when a rated category has none."""
    value = decimal(text)
    if category == "O" or (value is None and category in _ZERO_RATED):
        return "0"
    return "" if value is None else plain(value)


def tax_group(row: dict[str, Any]) -> tuple[str, Decimal]:
    """The money engine's (category, rate) group of a row, rates compared by value."""
    rate = decimal(str(row.get("tax_rate") or "0")) or Decimal(0)
    return str(row.get("tax_category") or "S"), rate.normalize()


def line_rows(
    line: ReadLine,
    index: int,
    *,
    currency: str | None,
    new_id: Callable[[], str],
    notes: Notes,
) -> tuple[dict[str, Any], tuple[Adjustment, ...]]:
    """The line's row and the allowances and charges to keep as its `adjustments` rows (all
    with a readable amount). `currency` None (unknown): figures are copied, not checked."""

    where = line.position or str(index)
    for term in line.dropped:
        notes.on_line(f"{term} not kept", where)
    category = line.category.upper()
    if not category or len(category) > 2:
        notes.on_line(f"BT-151 VAT category {line.category!r} unusable: S assumed", where)
        category = "S"
    rate = rate_text(line.rate, category)
    if not rate:
        notes.on_line("BT-152 VAT rate missing: left empty", where)
    row: dict[str, Any] = {
        "id": new_id(),
        "description": _description(line),
        "unit": _fit(line.unit, "unit") or DEFAULT_UNIT,
        "tax_rate": _fit(rate, "tax_rate"),
        "tax_category": category,
    }
    quantity, price = decimal(line.quantity), decimal(line.net_price)
    base = decimal(line.base_quantity)
    if base is not None and base > 0 and base != 1:
        row["base_quantity"] = plain(base)  # BT-149: the price is for this many units
    else:
        base = None
    _price_details(line, price, row, where, notes)
    if price is not None and quantity is not None and price < 0:
        quantity, price = -quantity, -price  # BR-27: a price is not negative, a quantity may be
    readable: list[Adjustment] = []
    for adjustment in line.adjustments:
        if decimal(adjustment.amount) is None:
            notes.on_line(
                f"BG-27/BG-28 line allowance or charge amount {adjustment.amount!r} "
                "unreadable: not kept",
                where,
            )
        else:
            readable.append(adjustment)
    discount: list[dict[str, str] | None] = []
    first = readable[0] if readable else None
    if first is not None and is_plain_discount(first) and (amount := decimal(first.amount)):
        readable.pop(0)
        if amount > 0:
            if percent := decimal(first.percent):
                discount.append({"kind": "percent", "value": plain(percent)})
            discount.append({"kind": "amount", "value": plain(amount)})
        else:  # a negative allowance is a charge: a row
            readable.insert(0, first)
    # BT-131 less what the rows add: what quantity x price - discount must give. A row's
    # amount is the stated one (a percent is kept only when it gives that amount).
    added = sum((_signed(a) for a in readable), Decimal(0))
    net = decimal(line.net_amount)
    expected = None if net is None else net - added
    if currency is None or expected is None:
        if net is None:
            notes.on_line(f"BT-131 line net amount {line.net_amount!r} unreadable", where)
        row["quantity"] = (
            plain(quantity) if quantity is not None else _fit(line.quantity, "quantity")
        )
        row["unit_price"] = (
            plain(price) if price is not None else _fit(line.net_price, "unit_price")
        )
        if discount and discount[-1] is not None:
            row["discount"] = discount[-1]
        return row, tuple(readable)
    extended = (
        None if quantity is None or price is None else _net(quantity, price, None, currency, base)
    )
    # The engine refuses an amount allowance row larger than the line (as a discount).
    fits = extended is not None and all(_signed(a) >= -abs(extended) for a in readable)
    for candidate in discount or [None]:
        if (
            fits
            and quantity is not None
            and price is not None
            and _net(quantity, price, candidate, currency, base) == expected
        ):
            row["quantity"], row["unit_price"] = plain(quantity), plain(price)
            if candidate is not None:
                row["discount"] = candidate
            return row, tuple(readable)
    # The engine cannot give BT-131 from these figures: keep the amount, restate the line.
    notes.on_line(
        "BT-129 x BT-146 - allowances + charges does not give BT-131 (rounding, price base "
        "quantity or imperfect data): restated as 1 x the line net amount",
        where,
    )
    net = expected + added
    row["quantity"], row["unit_price"] = "-1" if net < 0 else "1", plain(abs(net))
    for key in _PRICE_DETAILS:  # the restated price is the line's whole net, per 1 unit
        row.pop(key, None)
    if readable:
        notes.on_line("BG-27/BG-28 line allowances and charges not kept (restated line)", where)
    return row, ()


def _signed(adjustment: Adjustment) -> Decimal:
    """What a (readable) allowance or charge adds to the line: minus an allowance's amount."""
    amount = decimal(adjustment.amount) or Decimal(0)
    return amount if adjustment.charge else -amount


def _price_details(
    line: ReadLine, net: Decimal | None, row: dict[str, Any], where: str, notes: Notes
) -> None:
    """BT-148 and BT-147 into the row when they give its net price (BT-146 = BT-148 - BT-147);
    otherwise the net price alone is kept, and said."""
    gross, off = decimal(line.gross_price), decimal(line.price_discount) or Decimal(0)
    if not line.gross_price:
        return
    if gross is None or net is None or gross < 0 or off < 0 or gross - off != net:
        notes.on_line(
            "BT-147/BT-148 item price discount and gross price do not give the net price "
            "(BT-146): the net price is kept",
            where,
        )
        return
    row["gross_price"] = plain(gross)
    if off:
        row["price_discount"] = plain(off)


def _net(
    quantity: Decimal,
    price: Decimal,
    discount: dict[str, str] | None,
    currency: str,
    base: Decimal | None,
) -> Decimal | None:
    """The money engine's net of the line, or None when it refuses the figures."""
    try:
        amount = (
            Discount(
                "percent" if discount["kind"] == "percent" else "amount", Decimal(discount["value"])
            )
            if discount is not None
            else None
        )
        line = Line(quantity, price, Decimal(0), "S", amount, base or Decimal(1))
        return compute_totals(InvoiceInput((line,), currency=currency)).lines[0].net
    except (MoneyError, ArithmeticError):
        return None


def _description(line: ReadLine) -> str:
    """BT-153 item name, with the BT-154 description on the next line when it says more."""
    text = line.name
    if line.description and line.description != line.name:
        text = f"{text}\n{line.description}" if text else line.description
    return _fit(text, "description")


def _limit(key: str) -> int:
    field = field_in(LINE, (key,))
    return field.max_length if field is not None else 40


def _fit(text: str, key: str) -> str:
    return text[: _limit(key)]
