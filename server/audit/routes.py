"""GET /api/orgs/{org}/audit and /audit/verify: the organization's audit log and the check of its
hash chain, for admins (`member.manage`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from server.audit import service as audit
from server.audit.schemas import AuditEventOut, AuditPage, AuditQuery, AuditVerification
from server.auth import service as auth
from server.auth.service import Caller, Capability
from server.core.api import Ctx, errors

router = APIRouter(tags=["audit"], responses=errors(401))


@router.get(
    "/api/orgs/{org}/audit",
    response_model=AuditPage,
    responses=errors(400, 403, 404),
    summary="The organization's events and its members' sign-ins, newest first",
)
async def audit_log(
    caller: Caller, ctx: Ctx, org: str, query: Annotated[AuditQuery, Query()]
) -> AuditPage:
    async with ctx.sessions() as db:
        await auth.require(
            db, user_id=caller.user_id, org_id=org, capability=Capability.MEMBER_MANAGE
        )
        members = await auth.member_ids(db, org)
        events = await audit.for_org(db, org, member_ids=members, limit=query.limit)
    return AuditPage(items=[AuditEventOut.of(e) for e in events])


@router.get(
    "/api/orgs/{org}/audit/verify",
    response_model=AuditVerification,
    responses=errors(403, 404),
    summary="Walk the organization's audit hash chain and report its first broken link",
)
async def audit_verify(caller: Caller, ctx: Ctx, org: str) -> AuditVerification:
    async with ctx.sessions() as db:
        await auth.require(
            db, user_id=caller.user_id, org_id=org, capability=Capability.MEMBER_MANAGE
        )
        verdict = await audit.verify_chain(db, org_id=org)
    return AuditVerification.of(verdict)
