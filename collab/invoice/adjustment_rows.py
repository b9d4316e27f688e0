"""Reading the document's allowances and charges (the `adjustments` root) for the money engine.

Each row becomes an `Adjustment` (collab/invoice/adjustments.py) or, when its amounts cannot be
used, messages on its fields and no adjustment. What EN 16931 requires beyond the amounts (a
reason or a reason code, BR-33/38/42/44; codes from UNTDID 5189 and 7161, BR-CL-19/20) is
reported as an error that blocks issuing, but the row still counts: its amount is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from collab.invoice.adjustments import Adjustment
from collab.invoice.categories import RATE_RULES, RateRule, rate_problem, unusual_rate
from collab.invoice.decimals import MoneyError
from collab.invoice.document import ADJUSTMENT_ID, DEFAULT_TAX_CATEGORY
from collab.invoice.inputs import TAX_CATEGORIES
from collab.invoice.issues import WARNING, Issue, read_number, read_optional
from collab.invoice.tables import ALLOWANCE_REASONS, CHARGE_REASONS

__all__ = ["Adjustments", "read_adjustments"]

_TYPES = {"": False, "allowance": False, "charge": True}


@dataclass(slots=True)
class Adjustments:
    """The usable rows: the document's (BG-20/21) and each line's (BG-27/28), in row order."""

    document: list[Adjustment] = field(default_factory=list)
    by_line: dict[str, list[Adjustment]] = field(default_factory=dict)
    dropped: int = 0  # rows whose amounts are not usable

    def of_line(self, line_id: str) -> tuple[Adjustment, ...]:
        return tuple(self.by_line.get(line_id, ()))


def read_adjustments(rows: list[Any], line_ids: set[str], issues: list[Issue]) -> Adjustments:
    """The document's adjustment rows, read; `line_ids` are the ids of the document's lines."""
    found = Adjustments()
    for row in rows:
        if not isinstance(row, dict):
            continue
        line = str(row.get("line") or "")
        adjustment = _read(row, line, line_ids, issues)
        if adjustment is None:
            found.dropped += 1
        elif line:
            found.by_line.setdefault(line, []).append(adjustment)
        else:
            found.document.append(adjustment)
    return found


def _read(
    row: dict[str, Any], line: str, line_ids: set[str], issues: list[Issue]
) -> Adjustment | None:
    key = str(row.get(ADJUSTMENT_ID))
    prefix = f"adjustments.{key}"
    kind = row.get("type") or ""
    charge = _TYPES.get(kind) if isinstance(kind, str) else None
    if charge is None:
        message = f"{kind!r} is neither an allowance nor a charge"
        issues.append(Issue(f"{prefix}.type", "invalid_type", message))
    else:
        _check_reason(row, prefix, charge, issues)
    if line and line not in line_ids:
        message = f"bound to line {line!r}, which is not on the invoice"
        issues.append(Issue(f"{prefix}.line", "unknown_line", message))
        return None
    before = len(issues)
    stated_amount, stated_percent = row.get("amount"), row.get("percent")
    if stated_amount in (None, "") and stated_percent in (None, ""):
        message = "an amount or a percent is required"
        issues.append(Issue(f"{prefix}.amount", "required", message))
    elif stated_amount not in (None, "") and stated_percent not in (None, ""):
        message = "an amount or a percent, not both"
        issues.append(Issue(f"{prefix}.percent", "amount_and_percent", message))
    amount, percent, base = (
        read_optional(row.get(name), f"{prefix}.{name}", issues) for name in _AMOUNTS
    )
    usable = charge is not None and len(issues) == before
    category, rate = DEFAULT_TAX_CATEGORY, None
    if not line:
        category, rate, bound = _bound_to(row, prefix, issues)
        usable = usable and bound
    if not usable or charge is None:
        return None
    try:
        return Adjustment(charge, amount, percent, base, category, rate, key)
    except MoneyError as exc:
        issues.append(Issue(f"{prefix}.{exc.field or 'amount'}", exc.code, exc.message))
        return None


_AMOUNTS = ("amount", "percent", "base")


def _check_reason(row: dict[str, Any], prefix: str, charge: bool, issues: list[Issue]) -> None:
    reason = row.get("reason")
    code = row.get("reason_code")
    if not (isinstance(reason, str) and reason.strip()) and not code:
        what = "a charge" if charge else "an allowance"
        message = f"say why: a reason or a reason code is required for {what}"
        issues.append(Issue(f"{prefix}.reason", "reason_required", message))
    codes, list_name = (CHARGE_REASONS, "7161") if charge else (ALLOWANCE_REASONS, "5189")
    if code and code not in codes:
        message = f"{code!r} is not a UNTDID {list_name} reason code"
        issues.append(Issue(f"{prefix}.reason_code", "unknown_reason_code", message))


def _bound_to(
    row: dict[str, Any], prefix: str, issues: list[Issue]
) -> tuple[str, Decimal | None, bool]:
    """A document-level row's VAT category and rate (BT-95/96, BT-102/103), read as a line's,
    and whether they are usable: a rate unfit for its category is reported, yet counts."""
    category = str(row.get("tax_category") or DEFAULT_TAX_CATEGORY)
    if category not in TAX_CATEGORIES:
        message = f"unknown tax category {category!r}: expected one of " + ", ".join(
            sorted(TAX_CATEGORIES)
        )
        issues.append(Issue(f"{prefix}.tax_category", "unknown_category", message))
        return category, None, False
    no_rate = RATE_RULES.get(category) is RateRule.NONE
    if no_rate and row.get("tax_rate") in (None, ""):
        return category, None, True
    rate = read_number(row.get("tax_rate"), f"{prefix}.tax_rate", issues)
    if rate is None:
        return category, None, False
    if (problem := rate_problem(category, rate)) is not None:
        issues.append(Issue(f"{prefix}.tax_rate", "rate_not_allowed", problem))
    elif unusual_rate(category, rate):
        message = f"{rate} % is not a {category} rate in force (likely a typo)"
        issues.append(Issue(f"{prefix}.tax_rate", "unknown_tax_rate", message, WARNING))
    # "0" on an O row says the same as no rate; anything else was reported just above.
    return category, None if no_rate else rate, True
