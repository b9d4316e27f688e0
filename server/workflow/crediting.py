"""What a credit note's submit and issue weigh: the amount it credits and what remains on the
invoice it credits (server/credit_notes keeps the link and the credited amounts)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from collab.invoice.validation import evaluate
from collab.invoice.workflow import Action
from server.credit_notes import service as credit_notes


@dataclass(frozen=True, slots=True)
class CreditTerms:
    link: credit_notes.Link
    left: Decimal  # what remains to be credited on the original
    amount: Decimal | None  # this credit note's gross; None: unknown or in another currency


async def credit_terms(
    db: AsyncSession, invoice_id: str, action: Action, document: dict[str, Any]
) -> CreditTerms | None:
    """For a credit note being submitted or issued: what it credits and what remains. At issue
    the original is locked first, so two credit notes of one invoice are issued one by one."""
    if action not in (Action.SUBMIT, Action.ISSUE):
        return None
    link = await credit_notes.link(db, invoice_id)
    if link is None:
        return None
    if action is Action.ISSUE:
        await credit_notes.lock_original(db, link)
    totals = evaluate(document)
    amount = None
    if totals.complete and totals.totals and totals.totals["currency"] == link.original_currency:
        amount = Decimal(totals.totals["gross"])
    return CreditTerms(link, await credit_notes.left(db, link.original_id), amount)
