"""The public payment page of an issued invoice and its card payments (docs/paypage.md).

- `link` gives an invoice's payment link to an accountant or admin, made on first use;
  `rotate` replaces it (the old token stops working at once).
- `open_page` reads what the page shows for a token, `invoice_pdf` its stored Factur-X;
  anything that is not a live token of an issued invoice is the same 404.
- `start_checkout` asks the configured provider for a card checkout of the outstanding amount.
- `handle_event` records what a verified provider event says, exactly once: once per event id
  and once per checkout session (unique keys of `provider_events` and `provider_payments`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from collab.invoice import creditor_reference
from collab.sync import RoomRegistry, UpdateStore
from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth.service import Capability
from server.core.errors import Conflict, Forbidden, NotFound
from server.exports import service as exports
from server.invoices import service as invoices
from server.payments import service as payments
from server.paypage import events, links
from server.paypage.models import PayLink
from server.paypage.provider import (
    BadSignature as BadSignature,
)
from server.paypage.provider import (
    CheckoutRequest,
    PaymentProvider,
)
from server.paypage.provider import (
    ProviderUnavailable as ProviderUnavailable,
)
from server.workflow import service as workflow

ISSUED: Final = frozenset({"issued", "partially_paid", "paid"})  # what has a payment page
OPEN: Final = frozenset({"issued", "partially_paid"})  # what the page asks money for
NO_PAGE: Final = "no such payment page"  # every refusal of a token: nothing revealed


@dataclass(slots=True)
class _Config:
    provider: PaymentProvider | None = None


_config = _Config()


def configure(provider: PaymentProvider | None) -> None:
    """This process's card payment provider (None: the page offers the transfer only)."""
    _config.provider = provider


def provider() -> PaymentProvider | None:
    return _config.provider


# -- the link ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    invoice_id: str
    path: str  # /pay/<token>
    created_at: datetime
    rotated_at: datetime | None


async def link(
    sessions: async_sessionmaker[AsyncSession],
    *,
    user_id: str,
    invoice_id: str,
    key: str,
    ip: str | None,
    rotate: bool = False,
) -> Link:
    """The invoice's payment link, made on first use; with `rotate`, a new one replacing it.
    404 as for reading the invoice, 403 without `payment.manage`, 409 for an invoice that is
    not issued (`not_issued`) or a credit note (`not_an_invoice`)."""
    async with sessions() as db:
        found = await invoices.access(db, user_id=user_id, invoice_id=invoice_id)
        if not found.can(Capability.PAYMENT_MANAGE):
            raise Forbidden(f"a {found.member.role} cannot manage payment links")
        invoice = found.invoice
        if invoice.kind != invoices.INVOICE:
            raise Conflict("a credit note has no payment page", code="not_an_invoice")
        if invoice.status not in ISSUED:
            raise Conflict(
                f"the invoice is {invoice.status}: only issued invoices have a payment page",
                code="not_issued",
            )
        existing = await db.get(PayLink, invoice.id)
    if existing is not None and not rotate:
        return _link(key, existing)
    now = datetime.now(UTC)
    async with sessions.begin() as db:
        insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
        await db.execute(
            insert(PayLink)
            .values(
                invoice_id=invoice.id,
                org_id=invoice.org_id,
                link_id=links.new_link_id(),
                created_by=user_id,
                created_at=now,
            )
            .on_conflict_do_nothing()
        )
        made = existing is None
        if rotate and existing is not None:
            await db.execute(
                update(PayLink)
                .where(PayLink.invoice_id == invoice.id)
                .values(link_id=links.new_link_id(), rotated_at=now, created_by=user_id)
            )
        query = select(PayLink).where(PayLink.invoice_id == invoice.id)
        row = (await db.scalars(query.execution_options(populate_existing=True))).one()
        if made or rotate:
            audit.record(
                db,
                AuditKind.PAYMENT_LINK_ROTATED if rotate else AuditKind.PAYMENT_LINK_CREATED,
                actor_id=user_id,
                ip=ip,
                org_id=invoice.org_id,
                target=f"invoice {invoice.id}",
                detail=f"payment link {row.link_id}" + (" (the previous one revoked)" * rotate),
            )
        return _link(key, row)


def _link(key: str, row: PayLink) -> Link:
    path = f"/pay/{links.token(key, row.link_id, row.invoice_id)}"
    return Link(row.invoice_id, path, row.created_at, row.rotated_at)


async def _invoice_of(db: AsyncSession, key: str, token: str) -> invoices.Invoice:
    """The issued invoice a live token opens; NotFound for anything else, saying nothing."""
    link_id = links.link_id_of(token)
    row = await db.scalar(select(PayLink).where(PayLink.link_id == link_id)) if link_id else None
    # The MAC is checked even when nothing matched, in constant time, against a dummy.
    valid = links.verify(key, token, row.invoice_id if row else "-")
    if row is None or not valid:
        raise NotFound(NO_PAGE)
    found = await invoices.get_many(db, [row.invoice_id])
    if not found or found[0].kind != invoices.INVOICE:
        raise NotFound(NO_PAGE)
    invoice = found[0]
    if invoice.status not in ISSUED and invoice.status != "cancelled":
        raise NotFound(NO_PAGE)
    return invoice


# -- the page ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    """What the public page shows; amounts as decimal strings in the invoice's currency."""

    invoice_id: str
    lang: str  # "en" or "fr", as the seller's PDFs
    state: str  # "open", "paid" or "cancelled"
    number: str
    issue_date: date | None
    due_date: str | None
    currency: str
    due: str
    paid: str
    outstanding: str
    outstanding_minor: int
    seller: dict[str, Any] = field(default_factory=dict)  # legal_name, address lines, vat_id
    iban: str = ""  # grouped by four
    bic: str = ""
    account_name: str = ""
    reference: str = ""  # RF creditor reference (printed), else the invoice number
    structured: bool = False  # whether `reference` is an RF reference
    epc_payload: str | None = None  # the EPC QR code's text (EUR, something to pay)
    card: bool = False  # a card payment can be started


async def open_page(sessions: async_sessionmaker[AsyncSession], *, key: str, token: str) -> Page:
    async with sessions() as db:
        invoice = await _invoice_of(db, key, token)
        stamp = await workflow.issued(db, invoice.id)
        balance = await payments.balance(db, invoice)
    seller = dict(stamp.seller) if stamp else {}
    currency = invoice.currency
    number = invoice.number or ""
    if invoice.status == "cancelled":
        state = "cancelled"
    elif invoice.status == "paid" or balance.outstanding <= 0:
        state = "paid"
    else:
        state = "open"
    reference, structured = _reference(number)
    iban = str(seller.get("iban") or "").replace(" ", "").upper()
    bic = str(seller.get("bic") or "")
    name = str(seller.get("legal_name") or "")
    epc_text = None
    if state == "open" and currency == "EUR" and iban:
        epc_text = exports.epc.payload(
            exports.epc.Transfer(
                name=name,
                iban=iban,
                amount=balance.outstanding,
                bic=bic,
                # The structured RF reference, or else the invoice number as free text.
                reference=creditor_reference.compact(reference) if structured else "",
                text="" if structured else reference,
            )
        )
    minor = _minor(balance.outstanding, currency)
    return Page(
        invoice_id=invoice.id,
        lang=_language(seller),
        state=state,
        number=number,
        issue_date=stamp.issue_date if stamp else None,
        due_date=invoice.due_date,
        currency=currency,
        due=payments.text(balance.due, currency),
        paid=payments.text(balance.paid, currency),
        outstanding=payments.text(balance.outstanding, currency),
        outstanding_minor=minor,
        seller={
            "legal_name": name,
            "address": _address_lines(seller.get("address")),
            "vat_id": str(seller.get("vat_id") or ""),
        },
        iban=" ".join(iban[i : i + 4] for i in range(0, len(iban), 4)),
        bic=bic,
        account_name=name,
        reference=reference,
        structured=structured,
        epc_payload=epc_text,
        card=state == "open" and minor > 0 and _config.provider is not None,
    )


def _reference(number: str) -> tuple[str, bool]:
    """The RF creditor reference made from the invoice number (what bank reconciliation reads
    back), else the number itself."""
    try:
        return creditor_reference.printed(creditor_reference.make(number)), True
    except creditor_reference.NoReference:
        return number, False


def _language(seller: dict[str, Any]) -> str:
    """French for a French seller, else English: the PDFs' default (server/exports)."""
    address = seller.get("address")
    return "fr" if isinstance(address, dict) and address.get("country") == "FR" else "en"


def _address_lines(address: object) -> list[str]:
    if not isinstance(address, dict):
        return []
    town = " ".join(str(address.get(k) or "") for k in ("postcode", "city")).strip()
    lines = [address.get("line1"), address.get("line2"), town, address.get("country")]
    return [str(line) for line in lines if line]


def _minor(amount: Decimal, currency: str) -> int:
    return int(amount.scaleb(payments.places_of(currency)))


async def invoice_pdf(
    sessions: async_sessionmaker[AsyncSession],
    registry: RoomRegistry,
    store: UpdateStore,
    *,
    key: str,
    token: str,
) -> tuple[bytes, str]:
    """The invoice's stored Factur-X (the PDF as issued, rendered once) and its number."""
    async with sessions() as db:
        invoice = await _invoice_of(db, key, token)
    found = await exports.facturx(sessions, registry, store, user_id=None, invoice_id=invoice.id)
    return found.data, found.number


# -- card payments ------------------------------------------------------------------------------


async def start_checkout(
    sessions: async_sessionmaker[AsyncSession],
    *,
    key: str,
    token: str,
    page_url: str,
    ip: str | None,
) -> str:
    """A checkout of the outstanding amount at the provider; the address to send the payer to.
    404 as for the page; 409 `nothing_to_pay` when nothing is outstanding or no provider is
    configured. Raises ProviderUnavailable when the provider cannot make one now."""
    page = await open_page(sessions, key=key, token=token)
    chosen = _config.provider
    if chosen is None or not page.card:
        raise Conflict("there is nothing to pay by card on this invoice", code="nothing_to_pay")
    async with sessions() as db:
        invoice = await invoices.get(db, page.invoice_id)
    checkout = await chosen.create_checkout(
        CheckoutRequest(
            invoice_id=invoice.id,
            org_id=invoice.org_id,
            number=page.number,
            amount_minor=page.outstanding_minor,
            currency=page.currency,
            success_url=f"{page_url}?card=done",
            cancel_url=page_url,
            lang=page.lang,
        )
    )
    async with sessions.begin() as db:
        audit.record(
            db,
            AuditKind.CARD_CHECKOUT_STARTED,
            actor_id=None,
            ip=ip,
            org_id=invoice.org_id,
            target=f"invoice {invoice.id}",
            detail=f"{chosen.name} checkout {checkout.id} for {page.outstanding} {page.currency}",
        )
    return checkout.url


async def handle_event(
    sessions: async_sessionmaker[AsyncSession], *, payload: bytes, signature: str | None
) -> str:
    """Verify a webhook call and act on its event once (events.py); what came of it
    (`recorded`, `refunded`, `pending`, `duplicate`, `attention`, `ignored`). Raises
    BadSignature (nothing changes) and NotFound when no provider is configured."""
    chosen = _config.provider
    if chosen is None:
        raise NotFound("card payments are not configured")
    return await events.handle(sessions, chosen, chosen.verify_event(payload, signature))
