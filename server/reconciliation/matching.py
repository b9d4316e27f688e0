"""Which open invoices a credit may pay (docs/reconciliation.md, "Matching"): pure functions.

In order, the first rule that finds anything decides:

1. `reference`: the credit's reference holds the RF creditor reference (ISO 11649) printed
   on an open invoice, exactly (a reference that validates, compared whole);
2. `number`: the invoice's number appears in the reference text as a word of its own;
3. `amount_and_name`: the amount is what the invoice still asks for and the debtor's name is
   its customer's (ignoring case and spaces).

The verdict: `exact` (one invoice, the amount is its outstanding), `partial` (one invoice by
reference or number, less than outstanding), `over` (one by reference or number, more than
outstanding: confirming records an overpayment), `ambiguous` (several candidates), `unknown`
(none). Only invoices of the credit's organization and currency are ever candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from collab.invoice import creditor_reference


class Basis(StrEnum):
    REFERENCE = "reference"
    NUMBER = "number"
    AMOUNT_AND_NAME = "amount_and_name"


class Verdict(StrEnum):
    EXACT = "exact"
    PARTIAL = "partial"
    OVER = "over"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    """An issued or partially paid invoice with what it still asks for."""

    id: str
    number: str
    customer: str
    currency: str
    outstanding: Decimal

    @property
    def reference(self) -> str | None:
        try:
            return creditor_reference.make(self.number)
        except creditor_reference.NoReference:
            return None


@dataclass(frozen=True, slots=True)
class Suggestion:
    invoice: OpenInvoice
    basis: Basis


@dataclass(frozen=True, slots=True)
class Match:
    verdict: Verdict
    suggestions: tuple[Suggestion, ...]


def same_name(a: str | None, b: str | None) -> bool:
    """Names equal ignoring case and every space ("ACME  sa" is "Acme SA")."""
    if not a or not b:
        return False
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


def _has_number(text: str, number: str) -> bool:
    pattern = rf"(?<![A-Za-z0-9]){re.escape(number)}(?![A-Za-z0-9])"
    return re.search(pattern, text, re.IGNORECASE) is not None


def match(
    *,
    amount: Decimal,
    currency: str,
    reference: str | None,
    debtor: str | None,
    invoices: list[OpenInvoice],
) -> Match:
    """The suggestions for one credit among the organization's open invoices."""
    candidates = [invoice for invoice in invoices if invoice.currency == currency]
    text = reference or ""
    if text:
        written = set(creditor_reference.find(text))
        by_reference = [i for i in candidates if i.reference and i.reference in written]
        if by_reference:
            return _sure(amount, by_reference, Basis.REFERENCE)
        by_number = [i for i in candidates if _has_number(text, i.number)]
        if by_number:
            return _sure(amount, by_number, Basis.NUMBER)
    by_amount = [i for i in candidates if i.outstanding == amount and same_name(debtor, i.customer)]
    if not by_amount:
        return Match(Verdict.UNKNOWN, ())
    verdict = Verdict.EXACT if len(by_amount) == 1 else Verdict.AMBIGUOUS
    return Match(verdict, tuple(Suggestion(i, Basis.AMOUNT_AND_NAME) for i in by_amount))


def _sure(amount: Decimal, found: list[OpenInvoice], basis: Basis) -> Match:
    suggestions = tuple(Suggestion(invoice, basis) for invoice in found)
    if len(found) > 1:
        return Match(Verdict.AMBIGUOUS, suggestions)
    outstanding = found[0].outstanding
    if amount == outstanding:
        verdict = Verdict.EXACT
    elif amount < outstanding:
        verdict = Verdict.PARTIAL
    else:
        verdict = Verdict.OVER
    return Match(verdict, suggestions)
