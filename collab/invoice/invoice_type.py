"""The invoice's type (BT-3) and the invoice it refers to (BG-3), as the document holds them.

`invoice.type_code` is "380" (commercial invoice; also when empty), "384" (corrective invoice)
or "386" (prepayment invoice). A credit note (381) is never typed here: it is made by the
credit-note flow, which knows the invoice it credits and tells the export (server/credit_notes).

`invoice.preceding_number` / `preceding_date` are BT-25 / BT-26. A corrective invoice must name
the invoice it corrects (an error without the number, a warning without the date). EN 16931
allows BG-3 on any invoice (BR-55 only asks for the number when the group is present), and a
final invoice naming its prepayment invoice is the usual case, so the reference is kept and
exported on every type; a date without a number is a warning, since BG-3 cannot carry it alone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from collab.invoice.document import COMMERCIAL_INVOICE, CORRECTIVE_INVOICE, INVOICE_TYPES
from collab.invoice.issues import WARNING, Issue, read_date

__all__ = ["check_type", "preceding_of", "type_code_of"]


def type_code_of(header: dict[str, Any]) -> str:
    """BT-3 of the document: its `type_code` when it is one of INVOICE_TYPES, else 380 (an
    unknown one is reported by `check_type`, so the export never writes it)."""
    code = header.get("type_code")
    return code if isinstance(code, str) and code in INVOICE_TYPES else COMMERCIAL_INVOICE


def preceding_of(header: dict[str, Any]) -> tuple[str, date | None] | None:
    """BG-3 of the document, (BT-25, BT-26), or None without a number; an unusable date is
    left out (validation reports it)."""
    number = header.get("preceding_number")
    number = number.strip() if isinstance(number, str) else ""
    if not number:
        return None
    return number, read_date(header.get("preceding_date"), "", [])


def check_type(header: dict[str, Any], issued: date | None, issues: list[Issue]) -> None:
    """Report an unknown type, a corrective invoice without its preceding invoice, and a
    preceding date that is not a date, comes after `issued` or has no number beside it."""
    code = header.get("type_code")
    if code not in (None, "") and code not in INVOICE_TYPES:
        message = (
            f"{code!r} is not an invoice type (380 invoice, 384 corrective invoice, "
            "386 prepayment invoice)"
        )
        issues.append(Issue("invoice.type_code", "invalid_type_code", message))
    corrective = code == CORRECTIVE_INVOICE
    number = header.get("preceding_number")
    has_number = isinstance(number, str) and bool(number.strip())
    stated = read_date(header.get("preceding_date"), "invoice.preceding_date", issues)
    given = header.get("preceding_date") not in (None, "")
    if corrective and not has_number:
        message = "a corrective invoice names the invoice it corrects: give its number"
        issues.append(Issue("invoice.preceding_number", "preceding_required", message))
    elif given and not has_number:
        message = "the preceding invoice's date is left out of the e-invoice without its number"
        issues.append(Issue("invoice.preceding_number", "preceding_required", message, WARNING))
    if corrective and not given:
        message = "give the date of the invoice this one corrects"
        issues.append(Issue("invoice.preceding_date", "preceding_date_missing", message, WARNING))
    if stated is not None and issued is not None and stated > issued:
        message = "the original invoice is dated after this invoice's issue date"
        issues.append(Issue("invoice.preceding_date", "preceding_after_issue", message))
