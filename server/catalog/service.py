"""Customer records and catalogue items of an organization, to fill invoices from."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.eu import vat
from stdnum.fr import siren, siret

from collab.invoice.decimals import MoneyError, check_places, checked, parse_decimal
from collab.invoice.money import UNIT_PRICE_PLACES
from collab.invoice.tables import COUNTRY_CODES, UNIT_CODES, VAT_RATES
from server.auth.service import Member, memberships
from server.catalog.models import Customer, Item
from server.core.errors import BadRequest, Conflict, NotFound

Record = TypeVar("Record", Customer, Item)


# The fields of each record, in answer order (their types and limits: server/catalog/schemas.py).
CUSTOMER_FIELDS = (
    "name",
    "external_id",
    "email",
    "vat_id",
    "siren",
    "line1",
    "line2",
    "postcode",
    "city",
    "country",
    "importance",
)
ITEM_FIELDS = ("name", "description", "unit", "unit_price", "tax_rate")


def check_customer(values: Mapping[str, str]) -> None:
    if values.get("vat_id") and not vat.is_valid(values["vat_id"]):
        raise _on("vat_id", f"{values['vat_id']!r} is not a valid EU VAT number")
    number = values.get("siren", "").replace(" ", "")
    if number and not (siren.is_valid(number) if len(number) == 9 else siret.is_valid(number)):
        raise _on("siren", f"{number!r} is not a valid SIREN or SIRET")
    country = values.get("country")
    if country and country not in COUNTRY_CODES:
        raise _on(
            "country", "`country` must be an ISO 3166-1 country code (two letters) such as FR"
        )
    email = values.get("email")
    if email and "@" not in email:
        raise _on("email", f"{email!r} is not an email address")


def check_item(values: Mapping[str, str]) -> None:
    if "unit" in values and values["unit"] not in UNIT_CODES:
        raise _on("unit", f"unknown unit code {values['unit']!r}")
    if "unit_price" in values:
        # The money engine's own rules for a line's unit price: what it accepts here, a line
        # filled from this item computes.
        try:
            price = checked(parse_decimal(values["unit_price"]), "unit_price", minimum=Decimal(0))
            check_places(price, UNIT_PRICE_PLACES, "unit_price")
        except MoneyError as exc:
            raise _on("unit_price", f"`unit_price`: {exc.message}") from None
    if "tax_rate" in values:
        try:
            rate = parse_decimal(values["tax_rate"])
        except MoneyError as exc:
            raise _on("tax_rate", f"`tax_rate`: {exc.message}") from None
        if (rate.normalize() if rate else rate) not in VAT_RATES:
            raise _on("tax_rate", f"{values['tax_rate']} % is not a known VAT rate")


async def search(
    db: AsyncSession, model: type[Record], *, org_ids: list[str], text: str | None, limit: int
) -> list[Record]:
    query = select(model).where(model.org_id.in_(org_ids))
    if text:
        pattern = (
            "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        query = query.where(func.lower(model.name).like(pattern, escape="\\"))
    return list(await db.scalars(query.order_by(model.name, model.id).limit(limit)))


async def create(
    db: AsyncSession, model: type[Record], *, org_id: str, values: dict[str, str]
) -> Record:
    record = model(id=str(uuid.uuid4()), org_id=org_id, created_at=datetime.now(UTC), **values)
    db.add(record)
    await db.flush()
    return record


async def visible(
    db: AsyncSession, model: type[Record], *, user_id: str, record_id: str
) -> tuple[Record, Member]:
    """A record of one of the user's organizations; anything else is the same 404."""
    record = await db.get(model, record_id)
    member = None
    if record is not None:
        member = next(
            (m for m in await memberships(db, user_id) if m.org_id == record.org_id), None
        )
    if record is None or member is None:
        raise NotFound(f"no such {model.__tablename__[:-1]}")
    return record, member


async def importances(db: AsyncSession, org_id: str) -> list[tuple[str, str, str]]:
    """(name, vat_id, importance) of the organization's customers, for the board's priority."""
    rows = await db.execute(
        select(Customer.name, Customer.vat_id, Customer.importance).where(Customer.org_id == org_id)
    )
    return [(name, vat_id, importance) for name, vat_id, importance in rows.all()]


def as_json(record: Customer | Item, fields: tuple[str, ...]) -> dict[str, Any]:
    return {
        "id": record.id,
        "org_id": record.org_id,
        **{name: getattr(record, name) for name in fields},
        "created_at": record.created_at.isoformat(),
    }


def _on(field: str, message: str) -> BadRequest:
    """A refusal naming its field in `details`, as the request models' own refusals do, so the
    browser puts it under that field."""
    return BadRequest(message, details=[(field, message)])


async def customer_name(db: AsyncSession, *, org_id: str, customer_id: str) -> str | None:
    """The name of the organization's customer `customer_id`; None if it has none such."""
    found = await db.get(Customer, customer_id)
    return found.name if found is not None and found.org_id == org_id else None


async def matching(
    db: AsyncSession, *, org_id: str, vat_id: str | None, name: str | None
) -> list[str]:
    """The ids of the organization's customers an invoice's customer is: the same VAT number
    when the invoice has one, else the same name (letter case aside), as the board matches."""
    query = select(Customer.id).where(Customer.org_id == org_id)
    if vat_id:
        query = query.where(Customer.vat_id == vat_id)
    elif name:
        query = query.where(func.lower(Customer.name) == name.lower())
    else:
        return []
    return list(await db.scalars(query))


async def claim_external_id(
    db: AsyncSession, *, org_id: str, values: dict[str, Any], record_id: str | None
) -> None:
    """Make `values["external_id"]` an organization-unique CRM key or None (when empty): 409
    `external_id_taken` when another customer of the organization has it."""
    if "external_id" not in values:
        return
    key = values["external_id"] or None
    values["external_id"] = key
    if key is None:
        return
    query = select(Customer.id).where(Customer.org_id == org_id, Customer.external_id == key)
    if record_id is not None:
        query = query.where(Customer.id != record_id)
    if (await db.scalars(query.limit(1))).first() is not None:
        raise _external_id_taken(key)


def _external_id_taken(key: str | None) -> Conflict:
    return Conflict(
        f"another customer has the external id {key!r}" if key else "the external id is taken",
        code="external_id_taken",
        details=[("external_id", "another customer has this external id")],
    )


@contextlib.asynccontextmanager
async def external_id_guard() -> AsyncIterator[None]:
    """Around a transaction that claims an external id: two requests claiming one at the same
    instant both pass `claim_external_id`'s read, and the database's unique constraint stops
    the second at its commit; it gets the same 409, not a server error."""
    try:
        yield
    except IntegrityError as exc:
        if "external_id" not in str(exc.orig):
            raise
        raise _external_id_taken(None) from None


async def org_customers(db: AsyncSession, *, org_id: str) -> list[Customer]:
    """Every customer of the organization, oldest first (the CRM import and export)."""
    query = select(Customer).where(Customer.org_id == org_id)
    return list(await db.scalars(query.order_by(Customer.created_at, Customer.id)))


async def create_customer(db: AsyncSession, *, org_id: str, values: dict[str, str]) -> Customer:
    return await create(db, Customer, org_id=org_id, values=values)
