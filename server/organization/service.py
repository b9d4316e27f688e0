"""An organization's seller profile and legal number series: the only way in for other features.

- `profile(db, org_id)` and `issue_ready(db, org_id)`: what the workflow stamps into an issued
  invoice, and what is still missing before anything can be issued.
- `allocate_number(db, org_id=, series=, issue_date=)`: the next legal number, taken in the
  caller's transaction (series.py says how it stays gapless on SQLite and PostgreSQL).
- `save_profile`, `list_series`, `configure_series`: the admin's settings, each change audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.service import AuditKind, record
from server.organization.branding import Branding as Branding
from server.organization.branding import branding as branding
from server.organization.branding import save_branding as save_branding
from server.organization.models import SellerProfile
from server.organization.series import (
    DEFAULT_SERIES,
    SeriesKind,
    SeriesState,
    allocate_number,
    configure_series,
    insert_missing,
    list_series,
)

__all__ = [
    "DEFAULT_SERIES",
    "LEGAL_MENTIONS",
    "Address",
    "Profile",
    "SeriesKind",
    "SeriesState",
    "allocate_number",
    "configure_series",
    "issue_ready",
    "list_series",
    "missing",
    "profile",
    "save_profile",
]

# The legal mentions a profile may hold; France requires the first three on every invoice
# between businesses (Code de commerce L441-9 and L441-10).
LEGAL_MENTIONS = ("late_payment_rate", "recovery_indemnity", "early_payment_discount", "text")
_REQUIRED_IN = {"FR": LEGAL_MENTIONS[:3]}
# Changes to these are written to the audit log with their old and new values: a changed bank
# account is the first thing one looks for after a payment went astray.
_TRACED = ("siren", "vat_id", "iban", "bic")


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    postcode: str
    city: str
    country: str  # ISO 3166 alpha-2
    line2: str = ""


@dataclass(frozen=True, slots=True)
class Profile:
    """The seller as issued invoices name it; identifiers compact (as python-stdnum checked)."""

    legal_name: str
    address: Address
    siren: str  # SIREN, or a SIRET
    vat_id: str
    iban: str
    bic: str
    currency: str = "EUR"
    payment_terms: str = ""
    payment_days: int = 30
    legal_mentions: Mapping[str, str] = field(default_factory=dict)
    vat_on_debits: bool = False  # the seller's option to pay VAT on debits (French mention)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able copy, in the shape of `GET /api/orgs/{org}/profile` (without `missing`):
        what the workflow stamps into an issued invoice."""
        out = asdict(self)
        out["legal_mentions"] = dict(self.legal_mentions)
        return out


def missing(found: Profile | None) -> list[str]:
    """Field paths issuing still needs, in a stable order; `["profile"]` without a profile."""
    if found is None:
        return ["profile"]
    needed = [
        name
        for name in ("legal_name", "siren", "vat_id", "iban", "bic", "currency")
        if not getattr(found, name)
    ]
    needed += [
        f"address.{name}"
        for name in ("line1", "postcode", "city", "country")
        if not getattr(found.address, name)
    ]
    needed += [
        f"legal_mentions.{name}"
        for name in _REQUIRED_IN.get(found.address.country, ())
        if not found.legal_mentions.get(name)
    ]
    return needed


async def profile(db: AsyncSession, org_id: str) -> Profile | None:
    row = await db.get(SellerProfile, org_id)
    return None if row is None else _of(row)


async def issue_ready(db: AsyncSession, org_id: str) -> list[str]:
    """What the organization's profile lacks before an invoice can be issued; empty: ready."""
    return missing(await profile(db, org_id))


async def save_profile(
    db: AsyncSession, *, org_id: str, actor_id: str, ip: str | None, new: Profile
) -> Profile:
    """Create or replace the profile in the caller's transaction; the change is audited."""
    values = _columns(new)
    now = datetime.now(UTC)
    created = await insert_missing(
        db, SellerProfile, {"org_id": org_id, **values, "updated_at": now, "updated_by": actor_id}
    )
    if created:
        detail = "created"
    else:
        # Locked (PostgreSQL) or under the write lock the INSERT took (SQLite): two admins
        # saving at once are applied one after the other, each audited against the one before.
        query = select(SellerProfile).where(SellerProfile.org_id == org_id).with_for_update()
        row = (await db.scalars(query.execution_options(populate_existing=True))).one()
        old = _columns(_of(row))
        changed = [name for name in values if values[name] != old[name]]
        if not changed:
            return new
        for name in changed:
            setattr(row, name, values[name])
        row.updated_at, row.updated_by = now, actor_id
        traced = [f"{n}: {old[n]} -> {values[n]}" for n in _TRACED if n in changed]
        detail = "; ".join([f"changed {', '.join(changed)}", *traced])
    await db.flush()
    record(
        db,
        AuditKind.PROFILE_CHANGED,
        actor_id=actor_id,
        ip=ip,
        org_id=org_id,
        target=f"org:{org_id}/profile",
        detail=detail,
    )
    return new


def _columns(found: Profile) -> dict[str, Any]:
    address = {f.name: getattr(found.address, f.name) for f in fields(Address)}
    mentions = {k: v for k, v in found.legal_mentions.items() if k in LEGAL_MENTIONS and v}
    return {
        **{f.name: getattr(found, f.name) for f in fields(Profile) if f.name != "address"},
        **address,
        "legal_mentions": mentions,
    }


def _of(row: SellerProfile) -> Profile:
    return Profile(
        legal_name=row.legal_name,
        address=Address(
            line1=row.line1,
            line2=row.line2,
            postcode=row.postcode,
            city=row.city,
            country=row.country,
        ),
        siren=row.siren,
        vat_id=row.vat_id,
        iban=row.iban,
        bic=row.bic,
        currency=row.currency,
        payment_terms=row.payment_terms,
        payment_days=row.payment_days,
        legal_mentions=dict(row.legal_mentions or {}),
        vat_on_debits=row.vat_on_debits,
    )
