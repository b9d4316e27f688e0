"""What an imported invoice says about its kind: BT-3 and BG-3 as `invoice.type_code`,
`preceding_number` and `preceding_date` (collab/invoice/invoice_type.py), the mirror of the
mapping for those fields; see `parse_document` for the whole import."""

from __future__ import annotations

from collections.abc import Callable

from collab.invoice.document import COMMERCIAL_INVOICE, CORRECTIVE_INVOICE, INVOICE_TYPES
from collab.invoice.en16931.model import CREDIT_NOTE
from collab.invoice.en16931.parse_read import ReadInvoice

__all__ = ["invoice_type"]


def invoice_type(read: ReadInvoice, add: Callable[[str], None]) -> tuple[str, str, str]:
    """The draft's (type code, BT-25, BT-26 as written) with `add` told what is not carried.

    380, 384 and 386 are kept (380 as the empty default). A credit note (381) becomes an
    invoice draft, as before: credit notes are made from an issued invoice, and its BG-3 (the
    credited invoice) is not kept, since on an invoice it would read as a plain reference. Any
    other code is imported as 380. A document holds one preceding invoice: the first is kept.
    """
    code = read.type_code
    if code == CREDIT_NOTE:
        add(
            "BT-3 381 (credit note) imported as an invoice draft with the same amounts: "
            "make credit notes from an issued invoice"
        )
        if read.preceding:
            add("BG-3 preceding invoice reference of a credit note not kept on an invoice draft")
        return "", "", ""
    if code not in INVOICE_TYPES:
        add(f"BT-3 type code {code!r} imported as a commercial invoice (380)")
    kept = "" if code == COMMERCIAL_INVOICE or code not in INVOICE_TYPES else code
    found = [(number, issued) for number, issued in read.preceding if number]
    if len(found) > 1:
        others = ", ".join(number for number, _ in found[1:])
        add(f"BG-3: a draft holds one preceding invoice, {found[0][0]}; not kept: {others}")
    if not found and kept == CORRECTIVE_INVOICE:
        add("BT-3 384 (corrective invoice) without the invoice it corrects (BG-3): the draft asks")
    number, issued = found[0] if found else ("", "")
    return kept, number, issued
