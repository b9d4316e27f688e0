"""Lettering (lettrage) of the customer account in an export: the customer-account lines of
an invoice, of its credit notes and of its payments and refunds share a code once they cancel
out, and the day they did.

What an accountant expects of it (docs/integrations.md, "Accounting export"):

- a group is one invoice and what settles it: the sale's debit of the customer account, the
  credits of its credit notes and payments, the debits of its refunds;
- it is lettered when the invoice's own sale is in the file and the group's debits equal its
  credits, in one currency and on one auxiliary account: what remains due is zero. A group
  whose invoice was booked in an earlier period, or that is still partly due or overpaid, is
  not lettered: its code would name lines this file does not hold, or a balance that is not
  settled;
- the day (`DateLet`) is the group's latest movement, the day its balance reached zero;
- codes are upper-case letters in order, `AAA`, `AAB` ... `ZZZ`, then `AAAA`: settled groups
  by that day, then by the position of the invoice's entry in the file. Everything comes from
  the file's own entries, so the same period gives the same codes every time.

Only what happened up to the end of the period is in the file, so a payment received after it
does not letter a line of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from string import ascii_uppercase
from typing import Final

from collab.invoice.ledger import Entry

MIN_LETTERS: Final = 3


@dataclass(frozen=True, slots=True)
class Letter:
    code: str
    day: date


def code(index: int) -> str:
    """The `index`-th code from 0: `AAA` ... `ZZZ` (17,576 of them), then `AAAA` ..."""
    width, first = MIN_LETTERS, 0
    while index - first >= 26**width:
        first += 26**width
        width += 1
    rest, letters = index - first, []
    for _ in range(width):
        rest, digit = divmod(rest, 26)
        letters.append(ascii_uppercase[digit])
    return "".join(reversed(letters))


def letters(numbered: Sequence[tuple[str, Entry]], customer_account: str) -> dict[str, Letter]:
    """By entry number, the letter of that entry's customer-account line (an entry has one);
    entries of groups not settled within the file are absent."""
    position = {number: at for at, (number, _) in enumerate(numbered)}
    groups: dict[str, list[tuple[str, Entry]]] = {}
    for number, entry in numbered:
        if entry.settles:
            groups.setdefault(entry.settles, []).append((number, entry))
    settled: list[tuple[date, int, list[str]]] = []
    for invoice, members in groups.items():
        own = [number for number, entry in members if entry.source == invoice]
        lines = [
            posting
            for _, entry in members
            for posting in entry.postings
            if posting.account == customer_account and posting.aux
        ]
        balance = sum((p.debit - p.credit for p in lines), Decimal(0))
        if (
            not own
            or balance != 0
            or len({p.aux for p in lines}) != 1
            or len({entry.currency for _, entry in members}) != 1
        ):
            continue
        day = max(entry.day for _, entry in members)
        settled.append((day, position[own[0]], [number for number, _ in members]))
    settled.sort(key=lambda group: (group[0], group[1]))
    found: dict[str, Letter] = {}
    for index, (day, _, numbers) in enumerate(settled):
        letter = Letter(code(index), day)
        found.update((number, letter) for number in numbers)
    return found
