"""The EN 16931 semantic model of one invoice: what the CII and UBL writers serialise.

Frozen values, one class per business group (BG-n), each field named after what it holds with
its business term (BT-n) beside it. Amounts are `Decimal`s that already carry the currency's
minor units (they come from the money engine), so a writer only prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

INVOICE: Final = "380"  # BT-3, UNTDID 1001: commercial invoice
CREDIT_NOTE: Final = "381"  # BT-3: credit note
CORRECTIVE: Final = "384"  # BT-3: corrected invoice (collab/invoice/document.py types it)
PREPAYMENT: Final = "386"  # BT-3: prepayment invoice
SEPA_CREDIT_TRANSFER: Final = "58"  # BT-81, UNTDID 4461
DISCOUNT_REASON_CODE: Final = "95"  # BT-98 / BT-140, UNTDID 5189: discount
DISCOUNT_REASON: Final = "Discount"  # BT-97 / BT-139 of the header and line `discount`
VAT: Final = "VAT"  # the only tax scheme EN 16931 knows


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier with the ISO 6523 ICD of its scheme (0002 SIREN, 0009 SIRET)."""

    value: str
    scheme: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    """BG-5 (seller) / BG-8 (buyer) postal address; BG-15 deliver-to address uses `country`."""

    line1: str = ""  # BT-35 / BT-50
    line2: str = ""  # BT-36 / BT-51
    city: str = ""  # BT-37 / BT-52
    postcode: str = ""  # BT-38 / BT-53
    country: str = ""  # BT-40 / BT-55, ISO 3166-1 alpha-2


@dataclass(frozen=True, slots=True)
class Party:
    """BG-4 seller or BG-7 buyer."""

    name: str  # BT-27 / BT-44
    address: Address  # BG-5 / BG-8
    legal_id: Identifier | None = None  # BT-30 / BT-47 legal registration (SIREN)
    vat_id: str = ""  # BT-31 / BT-48
    email: str = ""  # BT-34 / BT-49 electronic address (scheme EM)


@dataclass(frozen=True, slots=True)
class Note:
    """BG-1 invoice note: BT-22 text with an optional BT-21 subject code (UNTDID 4451)."""

    text: str
    subject: str | None = None


@dataclass(frozen=True, slots=True)
class PrecedingInvoice:
    """BG-3: the invoice a credit note credits, or a corrective invoice corrects (any invoice
    may name one, e.g. a final invoice its prepayment invoice)."""

    number: str  # BT-25
    issue_date: date | None = None  # BT-26


@dataclass(frozen=True, slots=True)
class Delivery:
    """BG-13 delivery information: BT-70 deliver-to party name, BT-72 actual delivery date,
    BG-15 deliver-to address (BT-75..BT-80). `country` alone when no address is known."""

    date: date | None = None  # BT-72
    country: str = ""  # BT-80 (BG-15)
    name: str = ""  # BT-70
    address: Address | None = None  # BG-15: BT-75, 76, 77, 78, 80 (its country wins)


@dataclass(frozen=True, slots=True)
class PaymentInstructions:
    """BG-16, with BG-17 credit transfer."""

    means_code: str = SEPA_CREDIT_TRANSFER  # BT-81
    iban: str = ""  # BT-84 payment account identifier
    bic: str = ""  # BT-86 payment service provider identifier
    account_name: str = ""  # BT-85
    remittance: str = ""  # BT-83 remittance information: the RF creditor reference


@dataclass(frozen=True, slots=True)
class DocumentAllowance:
    """BG-20, bound to one VAT category and rate as EN 16931 requires (BR-32, BR-S-06...).

    Either a share of the header `discount` (`source_id` empty: reason "Discount", code 95) or
    one `adjustments` row, whose reason and code are the row's (either may be empty, BR-33)."""

    amount: Decimal  # BT-92
    category: str  # BT-95
    rate: Decimal | None  # BT-96; None for category O
    base: Decimal | None = None  # BT-93
    percent: Decimal | None = None  # BT-94
    reason: str = DISCOUNT_REASON  # BT-97
    reason_code: str = DISCOUNT_REASON_CODE  # BT-98, UNTDID 5189
    source_id: str = ""  # the `adjustments` row id; "" for the header discount


@dataclass(frozen=True, slots=True)
class DocumentCharge:
    """BG-21, bound to one VAT category and rate (BR-37, BR-S-07...)."""

    amount: Decimal  # BT-99
    category: str  # BT-102
    rate: Decimal | None  # BT-103; None for category O
    base: Decimal | None = None  # BT-100
    percent: Decimal | None = None  # BT-101
    reason: str = ""  # BT-104
    reason_code: str = ""  # BT-105, UNTDID 7161
    source_id: str = ""  # the `adjustments` row id


@dataclass(frozen=True, slots=True)
class LineAllowance:
    """BG-27 invoice line allowance: the line's `discount` (`source_id` empty) or a row."""

    amount: Decimal  # BT-136
    base: Decimal | None = None  # BT-137
    percent: Decimal | None = None  # BT-138
    reason: str = DISCOUNT_REASON  # BT-139
    reason_code: str = DISCOUNT_REASON_CODE  # BT-140, UNTDID 5189
    source_id: str = ""  # the `adjustments` row id; "" for the line's discount


@dataclass(frozen=True, slots=True)
class LineCharge:
    """BG-28 invoice line charge, one `adjustments` row bound to the line."""

    amount: Decimal  # BT-141
    base: Decimal | None = None  # BT-142
    percent: Decimal | None = None  # BT-143
    reason: str = ""  # BT-144
    reason_code: str = ""  # BT-145, UNTDID 7161
    source_id: str = ""  # the `adjustments` row id


@dataclass(frozen=True, slots=True)
class Line:
    """BG-25 invoice line, with BG-29 price details and BG-30 line VAT information."""

    id: str  # BT-126
    quantity: Decimal  # BT-129
    unit: str  # BT-130, UN/ECE recommendation 20/21
    net_amount: Decimal  # BT-131 = round(quantity x net price) - allowances + charges
    net_price: Decimal  # BT-146
    category: str  # BT-151
    rate: Decimal | None  # BT-152; None for category O
    name: str  # BT-153
    allowances: tuple[LineAllowance, ...] = ()  # BG-27, written in this order
    charges: tuple[LineCharge, ...] = ()  # BG-28, written after the allowances
    gross_price: Decimal | None = None  # BT-148, with BT-147 when stated
    price_discount: Decimal | None = None  # BT-147
    base_quantity: Decimal | None = None  # BT-149 (its unit, BT-150, is the line's)
    source_id: str = ""  # the document's line id: where a rule about this line points

    @property
    def adjustments(self) -> tuple[LineAllowance | LineCharge, ...]:
        """BG-27 then BG-28: the order both writers write them in (paths.py counts on it)."""
        return (*self.allowances, *self.charges)


@dataclass(frozen=True, slots=True)
class VatBreakdown:
    """BG-23, one per (category, rate)."""

    base: Decimal  # BT-116
    amount: Decimal  # BT-117
    category: str  # BT-118
    rate: Decimal | None  # BT-119; None for category O
    exemption_reason: str = ""  # BT-120
    exemption_code: str = ""  # BT-121, VATEX code list


@dataclass(frozen=True, slots=True)
class DocumentTotals:
    """BG-22."""

    line_total: Decimal  # BT-106 = sum of BT-131
    allowance_total: Decimal  # BT-107 = sum of BT-92
    charge_total: Decimal  # BT-108 = sum of BT-99
    tax_exclusive: Decimal  # BT-109 = BT-106 - BT-107 + BT-108
    tax_total: Decimal  # BT-110 = sum of BT-117
    tax_inclusive: Decimal  # BT-112 = BT-109 + BT-110
    prepaid: Decimal  # BT-113
    rounding: Decimal  # BT-114
    payable: Decimal  # BT-115 = BT-112 - BT-113 + BT-114


@dataclass(frozen=True, slots=True)
class SemanticInvoice:
    """One invoice (BT-3 380, corrective 384, prepayment 386) or credit note (381) as EN 16931
    describes it."""

    number: str  # BT-1
    issue_date: date  # BT-2
    type_code: str  # BT-3
    currency: str  # BT-5
    seller: Party  # BG-4
    buyer: Party  # BG-7
    totals: DocumentTotals  # BG-22
    vat_breakdown: tuple[VatBreakdown, ...]  # BG-23
    lines: tuple[Line, ...]  # BG-25
    due_date: date | None = None  # BT-9
    buyer_reference: str = ""  # BT-10
    payment_terms: str = ""  # BT-20
    notes: tuple[Note, ...] = ()  # BG-1
    preceding: tuple[PrecedingInvoice, ...] = ()  # BG-3
    delivery: Delivery | None = None  # BG-13
    payment: PaymentInstructions | None = None  # BG-16
    allowances: tuple[DocumentAllowance, ...] = ()  # BG-20, written in this order
    charges: tuple[DocumentCharge, ...] = ()  # BG-21, written after the allowances
    # The French mentions of September 2026 (collab/invoice/en16931/french.py writes them):
    operations: str = ""  # nature of the operations: "goods", "services", "mixed" or unknown
    vat_on_debits: bool = False  # the seller opted to pay VAT on debits (BT-8 and a note)

    @property
    def adjustments(self) -> tuple[DocumentAllowance | DocumentCharge, ...]:
        """BG-20 then BG-21: the order both writers write them in (paths.py counts on it)."""
        return (*self.allowances, *self.charges)

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == CREDIT_NOTE
