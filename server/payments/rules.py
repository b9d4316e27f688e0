"""The rules of payments as pure functions: reading an amount, the balance of an invoice and the
status it gives (docs/payments.md). No I/O: the service gathers the numbers, these decide.

Every amount is a `Decimal` in the invoice's currency, written with that currency's minor units
(ISO 4217: EUR 2, JPY 0, KWD 3), never a float.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final

from collab.invoice.currencies import UnknownCurrency, minor_units
from collab.invoice.decimals import MoneyError, check_places, checked, parse_decimal

# The states an invoice takes or keeps through its payments (collab.invoice.workflow.State).
ISSUED, PARTIALLY_PAID, PAID, CANCELLED = "issued", "partially_paid", "paid", "cancelled"
# Where a payment can be recorded: an issued invoice, whatever it was paid so far.
PAYABLE: Final = frozenset({ISSUED, PARTIALLY_PAID, PAID})
# Where a refund can be recorded: also an invoice a credit note cancelled (credited in full,
# the customer is owed back what they paid).
REFUNDABLE: Final = PAYABLE | {CANCELLED}
# What the customer may still owe on: the receivables count these.
OWED: Final = frozenset({ISSUED, PARTIALLY_PAID})


class Kind(StrEnum):
    PAYMENT = "payment"  # money in from the customer
    REFUND = "refund"  # money back to the customer, tied to a credit note


class Method(StrEnum):
    TRANSFER = "transfer"
    CARD = "card"
    CHEQUE = "cheque"
    CASH = "cash"
    DIRECT_DEBIT = "direct_debit"
    OTHER = "other"


class AmountError(ValueError):
    """An amount that cannot be recorded, with a message for the person who typed it."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def places_of(currency: str) -> int:
    """The currency's minor units; an invoice in a currency we do not know is counted in cents
    (an issued invoice always has a known one: validation refuses any other)."""
    try:
        return minor_units(currency)
    except UnknownCurrency:
        return 2


def parse_amount(text: object, currency: str) -> Decimal:
    """A payment's amount as typed: a decimal string ("162.00", "80"), above zero, below the
    money engine's bound, with at most the currency's minor units.

    Raises:
        AmountError: what is wrong, with a stable code (`not_a_string`, `syntax`, ...,
            `not_positive`, `too_large`, `too_precise`).
    """
    if not isinstance(text, str):
        raise AmountError(
            '`amount` must be a decimal string such as "120.50", not a JSON number: '
            "numbers in JSON are floats, which are inexact",
            code="not_a_string",
        )
    try:
        value = checked(parse_decimal(text), "amount")
        if value <= 0:
            raise AmountError(
                f"`amount` must be above zero, got {text}: a refund is recorded with "
                '`"kind": "refund"` and a positive amount',
                code="not_positive",
            )
        check_places(value, places_of(currency), "amount", currency=currency)
    except MoneyError as error:
        raise AmountError(f"`amount`: {error.message}", code=error.code) from None
    return value


def money(value: Decimal, currency: str) -> Decimal:
    """`value` written with the currency's minor units: 80 EUR -> 80.00 (exact: callers pass
    amounts that have at most that many decimals)."""
    return value.quantize(Decimal(1).scaleb(-places_of(currency)))


def text(value: Decimal, currency: str) -> str:
    """The decimal string of an amount in the currency: "80.00", "1500" (JPY), "1.250" (KWD)."""
    return format(money(value, currency), "f")


@dataclass(frozen=True, slots=True)
class Balance:
    """What an invoice asks for and what was paid on it, in its currency.

    `due` is the document's amount due (BT-115: gross - prepaid + rounding) less its issued
    credit notes, never below zero; `paid` the payments less the refunds."""

    currency: str
    due: Decimal
    credited: Decimal
    payments: Decimal
    refunds: Decimal

    @property
    def paid(self) -> Decimal:
        return self.payments - self.refunds

    @property
    def outstanding(self) -> Decimal:
        return max(self.due - self.paid, Decimal(0))

    @property
    def overpaid(self) -> Decimal:
        return max(self.paid - self.due, Decimal(0))

    def as_json(self) -> dict[str, str]:
        return {
            "currency": self.currency,
            "due": text(self.due, self.currency),
            "credited": text(self.credited, self.currency),
            "paid": text(self.paid, self.currency),
            "refunded": text(self.refunds, self.currency),
            "outstanding": text(self.outstanding, self.currency),
            "overpaid": text(self.overpaid, self.currency),
        }


def owed(document_due: Decimal, credited: Iterable[Decimal]) -> Decimal:
    """What the customer must pay: the document's amount due less what credit notes credited
    (they count against the invoice as in server/credit_notes), never below zero."""
    return max(document_due - sum(credited, Decimal(0)), Decimal(0))


def status_after(current: str, balance: Balance) -> str:
    """The invoice's status once its payments are `balance`: nothing paid, issued; part of what
    is due, partially_paid; all of it or more (an overpayment), paid. A cancelled invoice stays
    cancelled (only refunds reach it)."""
    if current == CANCELLED:
        return CANCELLED
    if balance.paid <= 0:
        return ISSUED
    return PAID if balance.paid >= balance.due else PARTIALLY_PAID
