"""Accounting entries of issued invoices, credit notes and payments (issue 17): pure rules.

A sale debits the customer's collective account (411, with the customer as its auxiliary
account) with the amount due (BT-115) and the advances account (4191) with what was paid in
advance (BT-113), books a rounding amount (BT-114) as income (758) or charge (658), and
credits, per VAT group (category, rate) of the money engine's breakdown, a sales account
(706...) with the group's base and a VAT-collected account (44571...) with the group's VAT.
A credit note is the same entry reversed. A payment debits the bank (512) and credits the
customer; a refund is the reverse. Amounts are never computed here: they are the money
engine's (collab/invoice/money.py through `evaluate`) or the recorded payment's, so the books
say exactly what the invoice says.

Every entry balances by construction (the gross is the sum of the bases and the VAT, the
engine's own rule, and due + prepaid - rounding is the gross); `Entry.balanced` checks it and
the builder refuses an entry that would not.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from collab.invoice.validation import evaluate

INVOICE, CREDIT_NOTE = "invoice", "credit_note"
PAYMENT, REFUND = "payment", "refund"
ZERO: Final = Decimal(0)


class LedgerError(ValueError):
    """An entry that cannot be made (an issued document the money engine cannot total)."""


@dataclass(frozen=True, slots=True)
class SalesRule:
    """Where the sales of one VAT category (EN 16931 BT-151 codes: S, Z, E, AE, K, G, O, L, M)
    go; `rate` None matches every rate of the category. `vat_account` is empty for a category
    that collects no VAT (exempt, reverse charge, intra-EU, export, outside scope)."""

    category: str
    rate: Decimal | None
    sales_account: str
    sales_label: str
    vat_account: str = ""
    vat_label: str = ""


def _rule(category: str, rate: str | None, account: str, label: str, vat: str = "") -> SalesRule:
    percent = f"{rate} %" if rate else ""
    vat_label = f"TVA collectée {percent}".replace(".", ",").strip() if vat else ""
    return SalesRule(
        category, None if rate is None else Decimal(rate), account, label, vat, vat_label
    )


# What a French SME's accountant would set up: one sales and one VAT account per French rate
# (20, 10, 5.5 and 2.1 %), and one sales account per category without VAT, so the VAT return
# (CA3) lines can be read off the balances.
DEFAULT_RULES: Final = (
    _rule("S", "20", "706200", "Prestations de services 20 %", "44571200"),
    _rule("S", "10", "706100", "Prestations de services 10 %", "44571100"),
    _rule("S", "5.5", "706055", "Prestations de services 5,5 %", "44571055"),
    _rule("S", "2.1", "706021", "Prestations de services 2,1 %", "44571021"),
    _rule("E", None, "706300", "Prestations exonérées"),
    _rule("AE", None, "706400", "Prestations autoliquidées"),
    _rule("K", None, "706500", "Prestations intracommunautaires"),
    _rule("G", None, "706600", "Prestations à l'export"),
    _rule("O", None, "706700", "Prestations hors champ"),
)


@dataclass(frozen=True, slots=True)
class Chart:
    """An organization's chart of accounts for the export; the defaults are a French SME's."""

    customer_account: str = "411000"
    customer_label: str = "Clients"
    bank_account: str = "512000"
    bank_label: str = "Banque"
    sales_journal: str = "VE"
    sales_journal_label: str = "Journal des ventes"
    bank_journal: str = "BQ"
    bank_journal_label: str = "Journal de banque"
    # For a (category, rate) no rule names:
    sales_account: str = "706000"
    sales_label: str = "Prestations de services"
    vat_account: str = "44571000"
    vat_label: str = "TVA collectée"
    # The amount paid in advance (BT-113) leaves the customer account for the advances one; a
    # rounding amount (BT-114) is income when it adds to what is due, a charge when it takes.
    advances_account: str = "419100"
    advances_label: str = "Clients - avances et acomptes reçus"
    rounding_income_account: str = "758000"
    rounding_income_label: str = "Écarts d'arrondi (produits)"
    rounding_charge_account: str = "658000"
    rounding_charge_label: str = "Écarts d'arrondi (charges)"
    rules: tuple[SalesRule, ...] = DEFAULT_RULES

    def accounts_for(self, category: str, rate: Decimal) -> SalesRule:
        """The rule of (category, rate): an exact rate first, then the category's catch-all,
        then the chart's default accounts."""
        exact = [r for r in self.rules if r.category == category and r.rate == rate]
        anyrate = [r for r in self.rules if r.category == category and r.rate is None]
        for found in (exact, anyrate):
            if found:
                return found[0]
        return SalesRule(
            category, rate, self.sales_account, self.sales_label, self.vat_account, self.vat_label
        )


DEFAULT_CHART: Final = Chart()


@dataclass(frozen=True, slots=True)
class Party:
    """The customer an entry is about: its auxiliary account number and name."""

    account: str
    name: str


def _ascii_upper(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^A-Z0-9]", "", decomposed.encode("ascii", "ignore").decode().upper())


def party_of(customer: Mapping[str, Any] | None) -> Party:
    """The auxiliary account of an issued document's customer block (SPEC section 2): "C" and
    its SIREN, else its VAT number, else the first letters of its name and six hex digits of
    the name's hash (two names sharing a start stay apart). The same customer always gets the
    same account, whichever invoice or payment it comes from."""
    block = customer if isinstance(customer, Mapping) else {}
    name = " ".join(str(block.get("name") or "").split())
    siren = re.sub(r"\D", "", str(block.get("siren") or ""))
    vat_id = _ascii_upper(str(block.get("vat_id") or ""))
    if len(siren) >= 9:
        return Party(f"C{siren[:9]}", name)
    if vat_id:
        return Party(f"C{vat_id[:18]}", name)
    digest = hashlib.sha256(name.casefold().encode()).hexdigest()[:6].upper()
    return Party(f"C{_ascii_upper(name)[:10]}{digest}", name)


@dataclass(frozen=True, slots=True)
class Posting:
    """One line of an entry: one side is zero, the other positive."""

    account: str
    account_label: str
    debit: Decimal
    credit: Decimal
    aux: str = ""
    aux_label: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """One balanced accounting entry. `source` (an invoice or payment id) breaks ties so that
    the order, hence the numbering, never depends on how the rows were read; `settles` is the
    invoice whose customer balance its customer line moves (its own, a credit note's original,
    a payment's), which groups lines for lettering (collab/invoice/lettering.py)."""

    journal: str
    journal_label: str
    day: date
    piece_ref: str
    piece_date: date
    label: str
    valid_day: date
    currency: str
    postings: tuple[Posting, ...]
    source: str
    settles: str = ""

    @property
    def debit(self) -> Decimal:
        return sum((p.debit for p in self.postings), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((p.credit for p in self.postings), ZERO)

    @property
    def balanced(self) -> bool:
        return self.debit == self.credit


def _side(
    account: str, label: str, amount: Decimal, *, debit: bool, aux: Party | None = None
) -> Posting | None:
    """A posting of `amount` on the debit (or credit) side; a negative amount goes to the other
    side (a negative VAT group of an allowance), zero makes no line."""
    if amount == 0:
        return None
    if amount < 0:
        amount, debit = -amount, not debit
    return Posting(
        account,
        label,
        amount if debit else ZERO,
        ZERO if debit else amount,
        aux.account if aux else "",
        aux.name if aux else "",
    )


@dataclass(frozen=True, slots=True)
class VatGroup:
    """One (category, rate) group of the money engine's VAT breakdown (BG-23)."""

    category: str
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Totals:
    currency: str
    gross: Decimal  # BT-112
    groups: tuple[VatGroup, ...]
    prepaid: Decimal = ZERO  # BT-113
    rounding: Decimal = ZERO  # BT-114

    @property
    def due(self) -> Decimal:
        """BT-115 = BT-112 - BT-113 + BT-114 (BR-CO-16): what the customer account holds."""
        return self.gross - self.prepaid + self.rounding


def totals_of(document: Mapping[str, Any]) -> Totals:
    """The money engine's gross (BT-112), prepaid (BT-113) and rounding (BT-114) amounts and
    VAT breakdown of an issued document."""
    found = evaluate(dict(document)).totals
    if found is None:
        raise LedgerError("the money engine cannot total this document")
    groups = tuple(
        VatGroup(g["category"], Decimal(g["rate"] or "0"), Decimal(g["base"]), Decimal(g["amount"]))
        for g in found["tax_breakdown"]
    )
    return Totals(
        found["currency"],
        Decimal(found["gross"]),
        groups,
        Decimal(found["prepaid"]),
        Decimal(found["rounding"]),
    )


def _checked(entry: Entry) -> Entry | None:
    if not entry.postings:
        return None  # a document of zero: nothing to book
    if not entry.balanced:
        raise LedgerError(f"{entry.piece_ref}: debit {entry.debit} != credit {entry.credit}")
    return entry


def _rounding(chart: Chart, amount: Decimal, *, sale: bool) -> list[Posting | None]:
    """A sale's rounding amount: added to what is due, income; taken from it, a charge."""
    if amount > 0:
        label = chart.rounding_income_label
        return [_side(chart.rounding_income_account, label, amount, debit=not sale)]
    label = chart.rounding_charge_label
    return [_side(chart.rounding_charge_account, label, -amount, debit=sale)]


def sale_entry(
    chart: Chart,
    *,
    kind: str,
    number: str,
    issue_date: date,
    document: Mapping[str, Any],
    source: str,
    settles: str = "",
) -> Entry | None:
    """The sales-journal entry of an issued invoice (or, reversed, credit note, `settles`
    naming the invoice it credits); None when every amount is zero."""
    totals = totals_of(document)
    header = document.get("invoice") or {}
    party = party_of(header.get("customer") if isinstance(header, Mapping) else None)
    sale = kind != CREDIT_NOTE
    lines = [
        _side(chart.customer_account, chart.customer_label, totals.due, debit=sale, aux=party),
        _side(chart.advances_account, chart.advances_label, totals.prepaid, debit=sale),
        *_rounding(chart, totals.rounding, sale=sale),
    ]
    for group in totals.groups:
        rule = chart.accounts_for(group.category, group.rate)
        lines.append(_side(rule.sales_account, rule.sales_label, group.base, debit=not sale))
        vat_account = rule.vat_account or chart.vat_account
        vat_label = rule.vat_label or chart.vat_label
        lines.append(_side(vat_account, vat_label, group.amount, debit=not sale))
    what = "Facture" if sale else "Avoir"
    return _checked(
        Entry(
            journal=chart.sales_journal,
            journal_label=chart.sales_journal_label,
            day=issue_date,
            piece_ref=number,
            piece_date=issue_date,
            label=f"{what} {number} {party.name}".strip(),
            valid_day=issue_date,  # an issued invoice is final the day it is issued
            currency=totals.currency,
            postings=tuple(line for line in lines if line is not None),
            source=source,
            settles=settles or source,
        )
    )


def payment_entry(
    chart: Chart,
    *,
    kind: str,
    day: date,
    amount: Decimal,
    currency: str,
    invoice_number: str,
    reference: str | None,
    customer: Mapping[str, Any] | None,
    recorded_day: date,
    source: str,
    settles: str = "",
) -> Entry | None:
    """The bank-journal entry of a payment (or, reversed, a refund) on the invoice `settles`."""
    party = party_of(customer)
    received = kind != REFUND
    lines = [
        _side(chart.bank_account, chart.bank_label, amount, debit=received),
        _side(chart.customer_account, chart.customer_label, amount, debit=not received, aux=party),
    ]
    what = "Règlement" if received else "Remboursement"
    return _checked(
        Entry(
            journal=chart.bank_journal,
            journal_label=chart.bank_journal_label,
            day=day,
            piece_ref=reference or invoice_number,
            piece_date=day,
            label=f"{what} {invoice_number} {party.name}".strip(),
            valid_day=max(day, recorded_day),  # recorded (validated) then, never before it moved
            currency=currency,
            postings=tuple(line for line in lines if line is not None),
            source=source,
            settles=settles,
        )
    )


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """ "F2026-9" before "F2026-10": digits compare as numbers."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part
    )


def numbered(entries: Iterable[Entry], journals: Sequence[str] = ()) -> list[tuple[str, Entry]]:
    """The entries in order (date, then journal in `journals`' order, then document number,
    then source) with their numbers: the journal code and a counter per journal from 1, so
    each journal's sequence is continuous whatever the others hold. Same entries, same
    numbers."""
    rank = {code: i for i, code in enumerate(journals)}

    def key(entry: Entry) -> tuple[Any, ...]:
        return (
            entry.day,
            rank.get(entry.journal, len(rank)),
            entry.journal,
            _natural(entry.piece_ref),
            entry.source,
        )

    counters: dict[str, int] = {}
    found = []
    for entry in sorted(entries, key=key):
        counters[entry.journal] = counters.get(entry.journal, 0) + 1
        found.append((f"{entry.journal}{counters[entry.journal]:06d}", entry))
    return found
