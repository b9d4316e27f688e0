"""The invoice draft's document structure (SPEC section 2), as a shape the sync engine enforces.

`web/src/schema.ts` declares the same names for the browser; tests/test_schema.py checks that
the two agree.
"""

from __future__ import annotations

from typing import Final

from collab.shape import DocumentShape, Field, Kind, Rows


def _string(max_length: int = 200) -> Field:
    return Field(Kind.STRING, max_length=max_length)


def _map(fields: dict[str, Field]) -> Field:
    return Field(Kind.MAP, fields)


ROOT_INVOICE: Final = "invoice"
ROOT_LINES: Final = "lines"
ROOT_ADJUSTMENTS: Final = "adjustments"
ROOTS: Final = (ROOT_INVOICE, ROOT_LINES, ROOT_ADJUSTMENTS)

LINE_ID: Final = "id"
MAX_LINES: Final = 1000
MAX_LINE_ID_LENGTH: Final = 64

ADJUSTMENT_ID: Final = "id"
MAX_ADJUSTMENTS: Final = 200
MAX_ADJUSTMENT_ID_LENGTH: Final = 64

DISCOUNT = _map({"kind": _string(10), "value": _string(40)})

ADDRESS = _map(
    {
        "line1": _string(),
        "line2": _string(),
        "postcode": _string(20),
        "city": _string(),
        "country": _string(2),
    }
)

CUSTOMER = _map(
    {
        "name": _string(),
        "email": _string(320),
        "address": ADDRESS,
        "vat_id": _string(20),
        "siren": _string(20),
    }
)

# BG-13 / BG-15: where the goods go or the services are rendered, when that is not the billing
# address (a French mandatory mention on e-invoices from September 2026).
DELIVERY = _map({"name": _string(), "address": ADDRESS})

# The nature of the operations invoiced (French mention from September 2026): one of these.
OPERATIONS: Final = ("goods", "services", "mixed")

# BT-3 (UNTDID 1001) as the document types it: empty means 380. A credit note (381) is not typed
# here: it comes from the credit-note flow, which knows what it credits (server/credit_notes).
COMMERCIAL_INVOICE: Final = "380"
CORRECTIVE_INVOICE: Final = "384"
PREPAYMENT_INVOICE: Final = "386"
INVOICE_TYPES: Final = (COMMERCIAL_INVOICE, CORRECTIVE_INVOICE, PREPAYMENT_INVOICE)

HEADER = _map(
    {
        "customer": CUSTOMER,
        "delivery": DELIVERY,
        "operations": _string(10),
        "issue_date": _string(10),
        "due_date": _string(10),
        "currency": _string(3),
        "payment_terms": _string(500),
        "buyer_reference": _string(),
        "notes": Field(Kind.TEXT, max_length=10_000),
        "discount": DISCOUNT,
        # BT-113 paid amount and BT-114 rounding amount (decimal strings): the amount due is
        # BT-115 = gross - prepaid + rounding (BR-CO-16); see collab/invoice/money.py.
        "prepaid": _string(40),
        "rounding": _string(40),
        # BT-3 (one of INVOICE_TYPES, empty: 380) and BG-3, the invoice a corrective invoice
        # corrects: BT-25 number and BT-26 date (collab/invoice/invoice_type.py checks them).
        "type_code": _string(3),
        "preceding_number": _string(),
        "preceding_date": _string(10),
    }
)

LINE = _map(
    {
        LINE_ID: _string(MAX_LINE_ID_LENGTH),
        "description": Field(Kind.TEXT, max_length=5000),
        "quantity": _string(40),
        "unit": _string(3),
        "unit_price": _string(40),
        "tax_rate": _string(10),
        "tax_category": _string(2),
        "discount": DISCOUNT,
        # BT-120 / BT-121 of the line's VAT breakdown, for categories E, AE, K, G and O
        # (collab/invoice/categories.py says how a breakdown gathers its lines').
        "exemption_reason": _string(300),
        "exemption_code": _string(30),
        # BG-29 price details (collab/invoice/prices.py): BT-148 gross price, BT-147 price
        # discount, BT-149 price base quantity (in the line's unit, BT-150).
        "gross_price": _string(40),
        "price_discount": _string(40),
        "base_quantity": _string(40),
    }
)

# Explicit allowances and charges, EN 16931 BG-20/21 (document level, `line` empty) and
# BG-27/28 (on the line whose id `line` holds); docs/invoice-document.md says what each field
# means. Amounts are decimal strings, as everywhere in the document.
ADJUSTMENT = _map(
    {
        ADJUSTMENT_ID: _string(MAX_ADJUSTMENT_ID_LENGTH),
        "line": _string(MAX_LINE_ID_LENGTH),
        "type": _string(10),  # "allowance" (also when empty) or "charge"
        "amount": _string(40),
        "percent": _string(40),
        "base": _string(40),
        "tax_category": _string(2),
        "tax_rate": _string(10),
        "reason": _string(300),
        "reason_code": _string(3),
    }
)

DEFAULT_CURRENCY: Final = "EUR"
DEFAULT_UNIT: Final = "C62"  # UN/ECE recommendation 20: "one" (a unit)
DEFAULT_TAX_CATEGORY: Final = "S"


LINES: Final = Rows(
    root=ROOT_LINES,
    row=LINE,
    row_id=LINE_ID,
    max_rows=MAX_LINES,
    max_row_id_length=MAX_LINE_ID_LENGTH,
    noun="line",
)

ADJUSTMENTS: Final = Rows(
    root=ROOT_ADJUSTMENTS,
    row=ADJUSTMENT,
    row_id=ADJUSTMENT_ID,
    max_rows=MAX_ADJUSTMENTS,
    max_row_id_length=MAX_ADJUSTMENT_ID_LENGTH,
    noun="allowance or charge",
    plural="allowances or charges",
)

INVOICE_SHAPE: Final = DocumentShape(
    header_root=ROOT_INVOICE,
    header=HEADER,
    rows=(LINES, ADJUSTMENTS),
    header_noun="invoice header",
)
