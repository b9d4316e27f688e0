"""Routes under /api/orgs/{org}, for admins (`member.manage`): members and roles, the security
policy. Another organization's id is the same 404 as an unknown one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from server.auth import admin
from server.auth.access import AuthState, Caller
from server.auth.admin import Admin
from server.auth.schemas import (
    AddMember,
    ChangeRole,
    InvitationSent,
    MemberList,
    MemberOut,
    PendingInvitation,
    PendingInvitations,
    SecurityPolicy,
)
from server.core.api import Ctx, client_ip, errors

router = APIRouter(
    prefix="/api/orgs/{org}",
    tags=["members"],
    responses=errors(401, 403, 404),
)


def _admin(caller: Caller, org: str, request: Request) -> Admin:
    return Admin(caller=caller, org_id=org, ip=client_ip(request))


# The caller acting on the organization of the path; each service function checks their right.
Acting = Annotated[Admin, Depends(_admin)]


@router.get("/members", response_model=MemberList, summary="The organization's members")
async def list_members(acting: Acting, ctx: Ctx) -> MemberList:
    found = await admin.list_members(ctx, acting)
    return MemberList(items=[MemberOut.of(m) for m in found])


@router.post(
    "/members",
    status_code=201,
    response_model=InvitationSent,
    responses=errors(400, 409),
    summary="Invite someone: they become a member once they accept",
    description="The same answer whether the email has an account or not; 409 only when it "
    "is already a member of this organization.",
)
async def add_member(
    body: AddMember, acting: Acting, ctx: Ctx, access: AuthState
) -> InvitationSent:
    sent = await admin.add_member(
        ctx, access, acting, email=body.email, role=body.role, name=body.name
    )
    return InvitationSent(
        email=sent.email, role=sent.role, invitation_token=sent.token, expires_in=sent.expires_in
    )


@router.get(
    "/invitations",
    response_model=PendingInvitations,
    summary="The organization's pending invitations (admins); never their tokens",
)
async def list_invitations(acting: Acting, ctx: Ctx) -> PendingInvitations:
    found = await admin.pending_invitations(ctx, acting)
    return PendingInvitations(
        items=[PendingInvitation.model_validate(i, from_attributes=True) for i in found]
    )


@router.delete(
    "/invitations/{invitation_id}",
    status_code=204,
    response_class=Response,
    responses=errors(404),
    summary="Withdraw a pending invitation (admins): its link stops working; audited",
)
async def revoke_invitation(acting: Acting, ctx: Ctx, invitation_id: str) -> Response:
    await admin.revoke_invitation(ctx, acting, invitation_id=invitation_id)
    return Response(status_code=204)


@router.patch(
    "/members/{user_id}",
    response_model=MemberOut,
    responses=errors(400, 409),
    summary="Change a member's role; applies at once to their open WebSockets",
)
async def change_role(
    body: ChangeRole, acting: Acting, ctx: Ctx, access: AuthState, user_id: str
) -> MemberOut:
    changed = await admin.change_role(ctx, access, acting, user_id=user_id, role=body.role)
    return MemberOut.of(changed)


@router.delete(
    "/members/{user_id}",
    status_code=204,
    response_class=Response,
    responses=errors(409),
    summary="Remove a member; their open WebSockets close",
)
async def remove_member(acting: Acting, ctx: Ctx, access: AuthState, user_id: str) -> Response:
    await admin.remove_member(ctx, access, acting, user_id=user_id)
    return Response(status_code=204)


@router.get("/security", response_model=SecurityPolicy, summary="The security policy")
async def get_security(acting: Acting, ctx: Ctx) -> SecurityPolicy:
    value = await admin.require_totp(ctx, acting)
    return SecurityPolicy(require_totp=value)


@router.patch(
    "/security",
    response_model=SecurityPolicy,
    responses=errors(400),
    summary="Set the policy; members it concerns reach this organization only with a second "
    "factor (their sessions and other organizations are not affected)",
)
async def set_security(
    body: SecurityPolicy, acting: Acting, ctx: Ctx, access: AuthState
) -> SecurityPolicy:
    await admin.set_require_totp(ctx, access, acting, value=body.require_totp)
    return SecurityPolicy(require_totp=body.require_totp)
