"""Imported allowances and charges (BG-20, BG-21, BG-27, BG-28) as rows of the document's
`adjustments` root, each keeping its reason (BT-97/104/139/144) and reason code (BT-98/105/140/
145); document-level rows keep their VAT category and rate (BT-95/96, BT-102/103).

A row states its percent and base (BT-94/93 ...) only when the money engine gives the stated
amount from them (round half up to the currency's minor units); otherwise the amount alone, so
the draft's totals are always the invoice's. A negative amount is the opposite kind with the
positive amount (the document holds amounts >= 0).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from collab.invoice.currencies import UnknownCurrency, minor_units
from collab.invoice.document import ADJUSTMENT
from collab.invoice.en16931.parse_lines import Notes, plain
from collab.invoice.en16931.parse_read import Adjustment, decimal
from collab.shape import field_in

__all__ = ["adjustment_row"]

_PERCENT_PLACES: Final = 4  # the document's percents (collab/invoice/money.py PERCENT_PLACES)


def adjustment_row(
    adjustment: Adjustment,
    row_id: str,
    *,
    currency: str | None,
    notes: Notes,
    line: str = "",
    category: str = "",
    rate: str = "",
) -> dict[str, Any]:
    """The row of one allowance or charge with a readable amount: `line` the document id of
    its line (line level), else `category` and `rate` as the document writes them (O: no
    rate). `currency` None (unknown): percent and base are not kept, only the amount."""
    amount = decimal(adjustment.amount)
    assert amount is not None  # the caller keeps only readable amounts
    charge = adjustment.charge
    figures: dict[str, str] = {"amount": plain(abs(amount))}
    if amount < 0:
        charge = not charge  # a negative allowance adds to the amounts: a charge
    elif currency is not None and (mode := _percent_mode(adjustment, amount, currency, charge)):
        figures = mode
    row: dict[str, Any] = {
        "id": row_id,
        "line": line,
        "type": "charge" if charge else "allowance",
        **figures,
    }
    if not line:
        row["tax_category"] = category
        row["tax_rate"] = "" if category == "O" else rate
    what = _what(adjustment, line)
    row["reason"] = _fit(adjustment.reason, "reason", f"{what} reason", notes)
    code = adjustment.reason_code
    if len(code) > _limit("reason_code"):
        notes.add(f"{what} reason code {code!r} is not a UNTDID 5189 / 7161 code: not kept")
        code = ""
    row["reason_code"] = code
    return row


def _percent_mode(
    adjustment: Adjustment, amount: Decimal, currency: str, charge: bool
) -> dict[str, str] | None:
    """{"percent", "base"} when round(base x percent / 100) is the stated amount."""
    percent, base = decimal(adjustment.percent), decimal(adjustment.base)
    if percent is None or base is None or percent < 0 or (percent > 100 and not charge):
        return None
    try:
        places = minor_units(currency)
    except UnknownCurrency:
        return None
    if _places(percent) > _PERCENT_PLACES or _places(base) > places:
        return None
    unit = Decimal(1).scaleb(-places)
    if (base * percent / 100).quantize(unit, rounding=ROUND_HALF_UP) != amount:
        return None
    # The base with the currency's minor units, as the engine writes a base it computed.
    return {"percent": plain(percent), "base": format(base.quantize(unit), "f")}


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _what(adjustment: Adjustment, line: str) -> str:
    if line:
        return "BG-28 line charge" if adjustment.charge else "BG-27 line allowance"
    return "BG-21 document charge" if adjustment.charge else "BG-20 document allowance"


def _limit(key: str) -> int:
    field = field_in(ADJUSTMENT, (key,))
    return field.max_length if field is not None else 40


def _fit(text: str, key: str, what: str, notes: Notes) -> str:
    limit = _limit(key)
    if len(text) <= limit:
        return text
    notes.add(f"{what} is longer than {limit} characters: cut")
    return text[:limit]
