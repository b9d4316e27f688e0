"""Credit notes: the only way to correct an issued invoice (SPEC section 4).

A credit note is a new draft (EN 16931 type code 381) that names the invoice it credits (BG-3)
and carries positive amounts, like the lines it credits. `credit_note_content` pre-fills it from
the original, whole or chosen lines; `credit_room` says whether a credit note's gross fits in
what remains to be credited. The server keeps the link and the credited amounts
(server/credit_notes); this module only decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from collab.invoice.document import (
    ADJUSTMENT_ID,
    LINE_ID,
    ROOT_ADJUSTMENTS,
    ROOT_INVOICE,
    ROOT_LINES,
)

# What a credit note takes from the original's header: who is credited, in which currency, on
# which terms. Not the dates (its own, set at its issue), not the notes (they spoke of the
# original), not the discount unless it applies the same to every credited line (below).
COPIED_HEADER: Final = ("customer", "currency", "payment_terms", "buyer_reference")
PERCENT: Final = "percent"


class UnknownLines(ValueError):
    """Chosen line ids that the original does not have."""

    def __init__(self, ids: Sequence[str]) -> None:
        super().__init__(f"the invoice has no line {', '.join(ids)}")
        self.ids = tuple(ids)


@dataclass(frozen=True, slots=True)
class CreditDraft:
    # {"invoice": {...}, "lines": [...], "adjustments": [...]}, as document_json gives it
    content: dict[str, Any]
    # An amount discount, or a document-level allowance or charge that is an amount or has a
    # stated base, could not follow chosen lines.
    dropped_discount: bool


def credit_note_content(
    original: Mapping[str, Any],
    *,
    line_ids: Sequence[str] | None,
    new_id: Callable[[], str],
) -> CreditDraft:
    """The content of a credit note for `original` (its document as read from the server):
    every line when `line_ids` is None, else those lines in the original's order. Each line is
    copied whole under a new id, with its own allowances and charges. The document discount
    and the document's allowances and charges follow when every line is credited; with chosen
    lines, a percent of the lines follows (a percent discount, a percent allowance or charge of
    its VAT group's lines: it applies to each alike), an amount or a percent of a stated base
    does not (no share of it can be assigned to some lines without guessing), which is said."""
    header: Mapping[str, Any] = original.get(ROOT_INVOICE) or {}
    lines: Sequence[Mapping[str, Any]] = original.get(ROOT_LINES) or []
    if line_ids is not None:
        known = {line.get(LINE_ID) for line in lines}
        unknown = [line_id for line_id in dict.fromkeys(line_ids) if line_id not in known]
        if unknown:
            raise UnknownLines(unknown)
        wanted = set(line_ids)
        lines = [line for line in lines if line.get(LINE_ID) in wanted]
    new_header = {key: header[key] for key in COPIED_HEADER if key in header}
    discount = header.get("discount")
    whole = line_ids is None or len(lines) == len(original.get(ROOT_LINES) or [])
    dropped = False
    if isinstance(discount, Mapping) and discount.get("value"):
        if whole or discount.get("kind") == PERCENT:
            new_header["discount"] = dict(discount)
        else:
            dropped = True
    renamed = {str(line.get(LINE_ID)): new_id() for line in lines}
    new_lines = [{**dict(line), LINE_ID: renamed[str(line.get(LINE_ID))]} for line in lines]
    adjustments: list[dict[str, Any]] = []
    for row in original.get(ROOT_ADJUSTMENTS) or []:
        bound = str(row.get("line") or "")
        if bound:
            if bound in renamed:
                adjustments.append({**dict(row), ADJUSTMENT_ID: new_id(), "line": renamed[bound]})
        elif whole or (row.get("percent") and not row.get("base")):
            adjustments.append({**dict(row), ADJUSTMENT_ID: new_id()})
        else:
            dropped = True
    content = {ROOT_INVOICE: new_header, ROOT_LINES: new_lines, ROOT_ADJUSTMENTS: adjustments}
    return CreditDraft(content, dropped)


def remaining(gross: Decimal, credited: Iterable[Decimal]) -> Decimal:
    """What is left to credit on an invoice of `gross` after the issued credit notes."""
    return gross - sum(credited, Decimal(0))


def credit_room(amount: Decimal | None, left: Decimal) -> str | None:
    """Why a credit note of gross `amount` cannot credit an invoice with `left` remaining, or
    None when it can. `amount` None: its total is unknown (an invalid line, another currency)."""
    if amount is None:
        return (
            "the credit note's total is not known: every line must be valid, "
            "in the invoice's currency"
        )
    if amount <= 0:
        return "a credit note credits a positive amount"
    if amount > left:
        return f"the credit note ({amount}) exceeds what remains to be credited ({left})"
    return None
