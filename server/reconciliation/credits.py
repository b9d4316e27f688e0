"""What a bank statement is read into, whatever its format: the credits it holds (`Credit`,
`Statement`), the error for a file that cannot be read, and the limits every reader applies
(docs/reconciliation.md).

Separate from the readers (camt053.py, csv_statements.py) so that each format's parsing is a
module of its own and both produce the same values.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Final

MAX_BYTES: Final = 5 * 1024 * 1024  # a month of a busy account; the route's body limit
MAX_ENTRIES: Final = 20_000  # entries (camt) or rows (CSV) in one statement
REFERENCE_LENGTH: Final = 140  # a SEPA remittance information's length
NAME_LENGTH: Final = 140


class StatementError(ValueError):
    """A statement that cannot be read, with a message for the person who uploaded it."""

    def __init__(self, message: str, *, code: str = "unreadable_statement") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class Credit:
    """Money received, as the bank booked it."""

    position: int  # its place among the statement's entries (0-based)
    booking_date: date
    amount: Decimal  # above zero
    currency: str
    reference: str | None  # structured CdtrRefInf/Ref first, else the unstructured text
    structured: bool
    debtor: str | None
    bank_reference: str | None  # AcctSvcrRef: the bank's own id of the entry

    @property
    def key(self) -> str:
        """What makes this credit one line however often it is imported: the bank's reference
        of the entry, else a hash of what the entry says and where it stands."""
        if self.bank_reference:
            return f"ref:{self.bank_reference}"[:80]
        said = "|".join(
            (
                self.booking_date.isoformat(),
                f"{self.amount:f}",
                self.currency,
                self.reference or "",
                self.debtor or "",
                str(self.position),
            )
        )
        return "sha256:" + hashlib.sha256(said.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Statement:
    format: str  # "camt.053" or "csv"
    bank_id: str | None = None
    account: str | None = None
    credits: list[Credit] = field(default_factory=list)
    debits: int = 0  # debits, reversals and pending entries: not money received
