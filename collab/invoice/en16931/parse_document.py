"""An e-invoice as read (`parse_read.ReadInvoice`) turned into a Cofacture document, with a
warning for everything the document cannot hold.

Principle: the amounts of the draft must be the invoice's. Where the document has no place for
something that changes the amounts, it is carried in a form the money engine computes the same:

- a line's allowances and charges (BG-27, BG-28) become `adjustments` rows bound to it, with
  their reasons and codes (a first allowance saying no more than "Discount" is its `discount`):
  BT-131 is kept to the cent;
- a line whose quantity x price - allowances + charges does not give its BT-131 (rounding
  habits, price base quantities, imperfect data) is restated as 1 x its net amount, and said so;
- a single document allowance (BG-20) saying no more than "Discount" becomes the document
  discount when every line is in its VAT group (the engine spreads a discount over the groups;
  EN 16931 binds it to one), which is how our own export writes the document discount;
  otherwise each allowance and charge (BG-21) becomes an `adjustments` row of its VAT category
  and rate, with its reason and code: BT-106, BT-107, BT-108 and every total are kept.

BT-113 (paid) and BT-114 (rounding) become the document's `prepaid` and `rounding`.
Finally the draft's totals, computed by the money engine, are compared with the invoice's BT-106,
BT-109, BT-110, BT-112, BT-115 and each BG-23 group; every difference is a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, Final

from collab.invoice.currencies import UnknownCurrency, minor_units
from collab.invoice.document import HEADER, MAX_ADJUSTMENTS, MAX_LINES
from collab.invoice.en16931.parse_adjustments import adjustment_row
from collab.invoice.en16931.parse_lines import Notes, line_rows, plain, rate_text, tax_group
from collab.invoice.en16931.parse_mentions import delivery, exemptions, operations
from collab.invoice.en16931.parse_read import (
    Adjustment,
    Customer,
    ReadInvoice,
    UnreadableInvoice,
    decimal,
    is_plain_discount,
)
from collab.invoice.en16931.parse_type import invoice_type
from collab.invoice.money import MoneyError, paid_amount, rounding_amount
from collab.invoice.validation import evaluate
from collab.shape import Field, field_in

__all__ = ["build_document"]

# BT-21 subjects of the seller's legal mentions (late payment penalties, recovery indemnity,
# early payment discount): a draft's seller is the organization, whose profile states its own.
_SELLER_MENTIONS: Final = frozenset({"PMD", "PMT", "AAB"})


def build_document(
    read: ReadInvoice, *, new_id: Callable[[], str]
) -> tuple[dict[str, Any], list[str]]:
    """The document (`{"invoice", "lines"}`) and the warnings, in the order found.

    Raises:
        UnreadableInvoice: no usable currency (BT-5), or more lines than a draft holds.
    """
    notes = Notes(read.dropped)
    currency = read.currency.upper()
    if len(currency) != 3 or not currency.isalpha():
        raise UnreadableInvoice(f"the invoice currency (BT-5) {read.currency!r} is not a code")
    known = _known(currency)
    if not known:
        notes.add(f"BT-5 currency {currency} is not an ISO 4217 code: the draft has no totals")
    header = _header(read, currency, notes)
    if known:
        _settlement(read, header, currency, notes)
    if len(read.lines) > MAX_LINES:
        raise UnreadableInvoice(f"the invoice has more lines than a draft holds ({MAX_LINES})")
    rows: list[dict[str, Any]] = []
    adjustments: list[dict[str, Any]] = []
    for index, line in enumerate(read.lines, start=1):
        row, kept = line_rows(
            line, index, currency=currency if known else None, new_id=new_id, notes=notes
        )
        rows.append(row)
        adjustments += [
            adjustment_row(
                a, new_id(), currency=currency if known else None, notes=notes, line=row["id"]
            )
            for a in kept
        ]
    exemptions(read.vat, rows)
    document = {"invoice": header, "lines": rows, "adjustments": adjustments}
    _document_adjustments(read.adjustments, document, currency if known else None, new_id, notes)
    if len(adjustments) > MAX_ADJUSTMENTS:
        raise UnreadableInvoice(
            f"the invoice has more allowances and charges than a draft holds ({MAX_ADJUSTMENTS})"
        )
    if not adjustments:
        del document["adjustments"]
    if known:
        _compare(read, document, notes)
    return document, notes.all()


def _known(currency: str) -> bool:
    try:
        minor_units(currency)
    except UnknownCurrency:
        return False
    return True


def _fit(value: str, field: Field | None, what: str, notes: Notes) -> str:
    """`value` cut to the document's length for its field (the shape refuses longer ones)."""
    limit = field.max_length if field is not None else 200
    if len(value) <= limit:
        return value
    notes.add(f"{what} is longer than {limit} characters: cut")
    return value[:limit]


def _header(read: ReadInvoice, currency: str, notes: Notes) -> dict[str, Any]:
    def put(key: str, value: str, what: str) -> None:
        if value:
            header[key] = _fit(value, field_in(HEADER, (key,)), what, notes)

    header: dict[str, Any] = {"currency": currency}
    notes.add("BG-4 seller not imported: a draft's seller is the organization (its profile)")
    if read.number:
        notes.add(
            f"BT-1 invoice number {read.number!r} not kept: the draft takes the next "
            "number of the organization's series when it is issued"
        )
    code, preceding, preceding_date = invoice_type(read, notes.add)
    put("type_code", code, "BT-3 type code")
    put("preceding_number", preceding, "BT-25 preceding invoice number")
    put("preceding_date", _date(preceding_date, "BT-26 preceding invoice date", notes), "BT-26")
    customer = _customer(read.customer, notes)
    if customer:
        header["customer"] = customer
    put("issue_date", _date(read.issue_date, "BT-2 issue date", notes), "BT-2")
    put("due_date", _date(read.due_date, "BT-9 payment due date", notes), "BT-9")
    put("buyer_reference", read.buyer_reference, "BT-10 buyer reference")
    put("payment_terms", read.payment_terms, "BT-20 payment terms")
    nature, stated_in = operations(read)
    put("operations", nature, "nature of the operations")
    if found := delivery(read, notes.add):
        header["delivery"] = found
    put("notes", _notes(tuple(n for n in read.notes if n[1] != stated_in), notes), "BG-1 notes")
    return header


def _customer(customer: Customer, notes: Notes) -> dict[str, Any]:
    fields = field_in(HEADER, ("customer",))
    found: dict[str, Any] = {}

    def put(target: dict[str, Any], path: tuple[str, ...], value: str, what: str) -> None:
        value = " ".join(value.split())  # one-line fields: a wrapped XML value is one line
        if value:
            target[path[-1]] = _fit(value, field_in(fields, path), what, notes)

    put(found, ("name",), customer.name, "BT-44 buyer name")
    put(found, ("email",), customer.email, "BT-49 buyer electronic address")
    put(found, ("vat_id",), customer.vat_id, "BT-48 buyer VAT identifier")
    siren = customer.legal_id.replace(" ", "")
    french = customer.legal_scheme in ("0002", "0009") or (
        not customer.legal_scheme and customer.country.upper() == "FR" and len(siren) in (9, 14)
    )
    if siren and french:
        put(found, ("siren",), siren, "BT-47 buyer SIREN")
    elif siren:
        notes.add(
            f"BT-47 buyer legal registration identifier {customer.legal_id!r} (scheme "
            f"{customer.legal_scheme or 'none'}) not kept: a draft holds a SIREN or SIRET"
        )
    if customer.subdivision:
        notes.add(f"BT-54 buyer country subdivision {customer.subdivision!r} not kept")
    address: dict[str, Any] = {}
    line2 = ", ".join(part for part in (customer.line2, customer.line3) if part)
    for key, value, what in (
        ("line1", customer.line1, "BT-50"),
        ("line2", line2, "BT-51 (with BT-163)"),
        ("postcode", customer.postcode, "BT-53"),
        ("city", customer.city, "BT-52"),
        ("country", customer.country.upper(), "BT-55"),
    ):
        put(address, ("address", key), value, f"{what} buyer address")
    if address:
        found["address"] = address
    return found


def _date(text: str, what: str, notes: Notes) -> str:
    if not text:
        return ""
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    notes.add(f"{what} {text!r} is not a date: left empty")
    return ""


def _notes(found: tuple[tuple[str, str], ...], notes: Notes) -> str:
    kept: list[str] = []
    subjects: set[str] = set()
    for subject, text in found:
        if subject in _SELLER_MENTIONS:
            notes.add(
                f"BT-22 note with subject {subject} (a seller's legal mention) not kept: "
                "the organization's seller profile states its own"
            )
            continue
        if subject:
            subjects.add(subject)
        kept.append(text)
    if subjects:
        notes.add(f"BT-21 note subject codes not kept ({', '.join(sorted(subjects))})")
    return "\n\n".join(kept)


def _document_adjustments(
    found: tuple[Adjustment, ...],
    document: dict[str, Any],
    currency: str | None,
    new_id: Callable[[], str],
    notes: Notes,
) -> None:
    """BG-20 and BG-21 into the document: the header discount or `adjustments` rows."""
    groups = {tax_group(row) for row in document["lines"]}
    pending: list[Adjustment] = []
    for adjustment in found:
        if decimal(adjustment.amount) is None:
            kind = "BG-21 document charge" if adjustment.charge else "BG-20 document allowance"
            notes.add(
                f"{kind} {adjustment.reason!r}: amount {adjustment.amount!r} unreadable, not kept"
            )
        else:
            pending.append(adjustment)
    allowances = [a for a in pending if not a.charge]
    if (
        len(allowances) == 1
        and is_plain_discount(allowances[0])
        and _as_discount(allowances[0], document, groups)
    ):
        pending.remove(allowances[0])
    for adjustment in pending:
        category = adjustment.category.upper()
        if not category or len(category) > 2:
            only = next(iter(groups))[0] if len(groups) == 1 else "S"
            kind = "BG-21 document charge" if adjustment.charge else "BG-20 document allowance"
            notes.add(
                f"{kind} {adjustment.reason!r} has no usable VAT category (BT-95/BT-102): "
                f"{only} assumed"
            )
            category = only
        document["adjustments"].append(
            adjustment_row(
                adjustment,
                new_id(),
                currency=currency,
                notes=notes,
                category=category,
                rate=rate_text(adjustment.rate, category)[:10],
            )
        )


def _as_discount(allowance: Adjustment, document: dict[str, Any], groups: set[Any]) -> bool:
    """Whether the allowance became the document discount, exactly (see the module doc)."""
    amount = decimal(allowance.amount)
    category = allowance.category.upper() or "S"
    rows = document["lines"]
    if amount is None or amount < 0 or not rows:
        return False
    if {tax_group(row) for row in rows} != {(category, _rate_key(allowance.rate, category))}:
        return False
    header = document["invoice"]
    percent = decimal(allowance.percent)
    candidates = [{"kind": "amount", "value": plain(amount)}]
    if percent is not None:
        candidates.insert(0, {"kind": "percent", "value": plain(percent)})
    for candidate in candidates:
        header["discount"] = candidate
        totals = evaluate(document).totals
        if totals is not None and Decimal(totals["document_discount"]) == amount:
            return True
    del header["discount"]
    return False


def _rate_key(text: str, category: str) -> Decimal:
    value = decimal(rate_text(text, category) or "0")
    return (value or Decimal(0)).normalize()


def _settlement(read: ReadInvoice, header: dict[str, Any], currency: str, notes: Notes) -> None:
    """BT-113 paid amount and BT-114 rounding amount into `prepaid` and `rounding`, when the
    money engine accepts them (a negative paid amount or a rounding of a whole unit or more
    is not a draft's: said, and the amount due then differs, said by `_compare`)."""
    for name, label, text, check in (
        ("prepaid", "BT-113 paid amount", read.totals.prepaid, paid_amount),
        ("rounding", "BT-114 rounding amount", read.totals.rounding, rounding_amount),
    ):
        value = decimal(text)
        if value is None:
            if text:
                notes.add(f"{label} {text!r} unreadable: not kept")
            continue
        try:
            checked = check(value, currency)
        except MoneyError as exc:
            notes.add(f"{label} {text} not kept: {exc.message}")
            continue
        if checked:
            header[name] = plain(checked)


def _compare(read: ReadInvoice, document: dict[str, Any], notes: Notes) -> None:
    evaluation = evaluate(document)
    totals = evaluation.totals
    assert totals is not None  # the currency is known
    stated = read.totals
    for what, text, computed in (
        ("BT-106 sum of line net amounts", stated.line_total, totals["line_total"]),
        (
            "BT-107 sum of allowances on document level",
            stated.allowance_total,
            totals["allowances"],
        ),
        ("BT-108 sum of charges on document level", stated.charge_total, totals["charges"]),
        ("BT-109 total without VAT", stated.tax_exclusive, totals["net"]),
        ("BT-110 total VAT", stated.tax_total, totals["tax"]),
        ("BT-112 total with VAT", stated.tax_inclusive, totals["gross"]),
        ("BT-115 amount due", stated.payable, totals["due"]),
    ):
        value = decimal(text)
        if value is not None and value != Decimal(computed):
            notes.add(f"{what}: the invoice states {text}, the draft computes {computed}")
    engine = {
        (g["category"], Decimal(g["rate"]).normalize()): (g["base"], g["amount"])
        for g in totals["tax_breakdown"]
    }
    for vat in read.vat:
        category = vat.category.upper()
        key = (category, _rate_key(vat.rate, category))
        base, amount = decimal(vat.base), decimal(vat.amount)
        ours = engine.get(key)
        if ours is None:
            notes.add(
                f"BG-23 VAT breakdown {category} {vat.rate or '-'} %: no line of the "
                "draft is in this group"
            )
        elif (base, amount) != (Decimal(ours[0]), Decimal(ours[1])):
            notes.add(
                f"BG-23 VAT breakdown {category} {vat.rate or '-'} %: the invoice states "
                f"base {vat.base}, VAT {vat.amount}; the draft computes base {ours[0]}, "
                f"VAT {ours[1]}"
            )
    uncounted = [issue for issue in evaluation.issues if issue.path.startswith("lines.")]
    if not evaluation.complete:
        shown = "; ".join(f"{i.path.split('.')[-1]}: {i.message}" for i in uncounted[:5])
        notes.add(
            f"{len(document['lines']) - len(evaluation.counted)} line(s) not counted in "
            f"the totals until corrected ({shown})"
        )
