"""/api/orgs/{org}/profile and /api/orgs/{org}/series: the seller profile (members read it,
admins change it) and the legal number series (admins). Another organization's id is the same
404 as an unknown one."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, date, datetime

from fastapi import APIRouter, Request

from collab.invoice.numbering import Reset
from server.auth import service as auth
from server.auth.service import Caller, Capability
from server.core.api import Ctx, client_ip, errors
from server.core.errors import BadRequest, NotFound
from server.organization import service as organization
from server.organization.branding import MAX_LOGO_BYTES, image_type
from server.organization.schemas import (
    Address,
    BrandingModel,
    LegalMentions,
    Profile,
    ProfileIn,
    Series,
    SeriesList,
    SeriesUpdate,
)

router = APIRouter(prefix="/api/orgs/{org}", tags=["organization"], responses=errors(401, 404))


def _out(found: organization.Profile) -> Profile:
    return Profile.model_validate({**found.as_dict(), "missing": organization.missing(found)})


@router.get(
    "/profile",
    response_model=Profile,
    summary="The seller profile stamped into issued invoices (any member)",
    description="404 with code `no_profile` while an admin has not set it up yet.",
)
async def read_profile(caller: Caller, ctx: Ctx, org: str) -> Profile:
    async with ctx.sessions() as db:
        await auth.require(
            db, user_id=caller.user_id, org_id=org, capability=Capability.INVOICE_READ
        )
        found = await organization.profile(db, org)
    if found is None:
        raise NotFound("the organization has no seller profile yet", code="no_profile")
    return _out(found)


@router.put(
    "/profile",
    response_model=Profile,
    responses=errors(400, 403),
    summary="Set the seller profile (admins); identifiers are checked and stored compact",
)
async def write_profile(
    caller: Caller, ctx: Ctx, org: str, body: ProfileIn, request: Request
) -> Profile:
    new = _profile(body)
    async with ctx.sessions.begin() as db:
        await auth.require(
            db, user_id=caller.user_id, org_id=org, capability=Capability.ORG_SETTINGS
        )
        saved = await organization.save_profile(
            db, org_id=org, actor_id=caller.user_id, ip=client_ip(request), new=new
        )
    return _out(saved)


def _profile(body: ProfileIn) -> organization.Profile:
    address: Address = body.address
    mentions: LegalMentions = body.legal_mentions or LegalMentions()
    return organization.Profile(
        legal_name=body.legal_name,
        address=organization.Address(
            line1=address.line1,
            line2=address.line2,
            postcode=address.postcode,
            city=address.city,
            country=address.country,
        ),
        siren=body.siren,
        vat_id=body.vat_id,
        iban=body.iban,
        bic=body.bic,
        currency=body.currency,
        payment_terms=body.payment_terms,
        payment_days=body.payment_days,
        legal_mentions=mentions.model_dump(exclude_none=True),
        vat_on_debits=body.vat_on_debits,
    )


@router.get(
    "/branding",
    response_model=BrandingModel,
    summary="The colour and logo of the organization's PDFs (any member)",
)
async def read_branding(caller: Caller, ctx: Ctx, org: str) -> BrandingModel:
    async with ctx.sessions() as db:
        await auth.require(
            db, user_id=caller.user_id, org_id=org, capability=Capability.INVOICE_READ
        )
        found = await organization.branding(db, org)
    logo = None
    if found.logo is not None:
        logo = f"data:{found.logo_type};base64,{base64.b64encode(found.logo).decode()}"
    return BrandingModel(color=found.color, logo=logo)


@router.put(
    "/branding",
    response_model=BrandingModel,
    responses=errors(400, 403),
    summary="Set the colour and logo of the organization's PDFs (admins); audited",
)
async def write_branding(
    caller: Caller, ctx: Ctx, org: str, body: BrandingModel, request: Request
) -> BrandingModel:
    logo, kind = _logo(body.logo)
    new = organization.Branding(color=body.color, logo=logo, logo_type=kind)
    async with ctx.sessions.begin() as db:
        await auth.require(
            db, user_id=caller.user_id, org_id=org, capability=Capability.ORG_SETTINGS
        )
        await organization.save_branding(
            db, org_id=org, actor_id=caller.user_id, ip=client_ip(request), new=new
        )
    return body


def _logo(value: str | None) -> tuple[bytes | None, str | None]:
    """Decode a data URI logo; 400 unless it is a PNG or JPEG (by its bytes) within the limit."""
    if value is None:
        return None, None
    head, _, data = value.partition(",")
    if not head.startswith("data:") or not head.endswith(";base64"):
        raise BadRequest("`logo` must be a data URI: data:image/png;base64,...")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("`logo` is not valid base64") from None
    if len(raw) > MAX_LOGO_BYTES:
        raise BadRequest(f"`logo` is {len(raw)} bytes: at most {MAX_LOGO_BYTES}")
    kind = image_type(raw)
    if kind is None:
        raise BadRequest("`logo` must be a PNG or a JPEG image")
    return raw, kind


@router.get(
    "/series",
    response_model=SeriesList,
    responses=errors(403),
    summary="The legal number series: pattern, reset, counter, next number (admins)",
)
async def read_series(caller: Caller, ctx: Ctx, org: str) -> SeriesList:
    today = datetime.now(UTC).date()
    async with ctx.sessions() as db:
        await auth.require(
            db, user_id=caller.user_id, org_id=org, capability=Capability.ORG_SETTINGS
        )
        found = await organization.list_series(db, org_id=org, today=today)
    return _series_out(found, today)


@router.put(
    "/series",
    response_model=SeriesList,
    responses=errors(400, 403, 409),
    summary="Configure number series (admins); a counter only moves forward",
    description="409 when `next_value` would give a number twice (the counter never goes back).",
)
async def write_series(
    caller: Caller, ctx: Ctx, org: str, body: SeriesUpdate, request: Request
) -> SeriesList:
    today = datetime.now(UTC).date()
    async with ctx.sessions.begin() as db:
        await auth.require(
            db, user_id=caller.user_id, org_id=org, capability=Capability.ORG_SETTINGS
        )
        for item in body.items:
            await organization.configure_series(
                db,
                org_id=org,
                actor_id=caller.user_id,
                ip=client_ip(request),
                kind=organization.SeriesKind(item.kind),
                pattern=item.pattern,
                reset=Reset(item.reset),
                next_value=item.next_value,
                year=item.year,
                today=today,
            )
        found = await organization.list_series(db, org_id=org, today=today)
    return _series_out(found, today)


def _series_out(found: list[organization.SeriesState], today: date) -> SeriesList:
    return SeriesList(
        items=[
            Series(
                kind=s.kind.value,
                pattern=s.pattern,
                reset=s.reset.value,
                year=s.year,
                next_value=s.next_value,
                next_number=s.next_number(today),
                configured=s.configured,
            )
            for s in found
        ]
    )
