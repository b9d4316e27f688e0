"""What an admin (`member.manage`) does to an organization: members, roles and the security
policy; each change checked, audited and applied at once to open sockets.

The caller's right is checked first: a role name is parsed only afterwards, so that a member
without the right gets 403 (another organization's id 404) whatever role they send.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.audit.service import AuditKind
from server.auth import api_tokens, invitations, members
from server.auth.access import Access, Principal
from server.auth.invitations import Invited
from server.auth.members import Listed
from server.auth.permissions import Capability
from server.core.context import AppContext
from server.core.errors import NotFound


@dataclass(frozen=True, slots=True)
class Admin:
    """The caller acting on organization `org_id`, from `ip`."""

    caller: Principal
    org_id: str
    ip: str | None


async def list_members(ctx: AppContext, admin: Admin) -> list[Listed]:
    async with ctx.sessions() as db:
        await _require(db, admin)
        return await members.list_members(db, admin.org_id)


async def add_member(
    ctx: AppContext, access: Access, admin: Admin, *, email: str, role: str, name: str | None
) -> Invited:
    """Invite someone to the organization: they become a member only once they accept. The
    answer is the same whether the email has an account or not."""
    async with ctx.sessions.begin() as db:
        await _require(db, admin)
        parsed = members.parse_role(role)
        invited = await invitations.invite(
            db,
            org_id=admin.org_id,
            email=email,
            role=parsed,
            name=name or "",
            invited_by=admin.caller.user_id,
            ttl=access.settings.invite_ttl,
        )
        _record(db, admin, AuditKind.MEMBER_INVITED, invited.email, f"role {parsed}")
    return invited


async def change_role(
    ctx: AppContext, access: Access, admin: Admin, *, user_id: str, role: str
) -> Listed:
    """Change a member's role, applied at once to their open sockets; the member as now listed."""
    async with ctx.sessions.begin() as db:
        await _require(db, admin)
        parsed = members.parse_role(role)
        previous = await members.change_role(db, org_id=admin.org_id, user_id=user_id, role=parsed)
        _record(db, admin, AuditKind.ROLE_CHANGED, user_id, f"{previous} -> {parsed}")
    await access.live.apply_membership(user_id=user_id, org_id=admin.org_id, role=parsed)
    async with ctx.sessions() as db:
        listed = [m for m in await members.list_members(db, admin.org_id) if m.user.id == user_id]
    if not listed:
        raise NotFound("no such member")  # removed meanwhile
    return listed[0]


async def pending_invitations(ctx: AppContext, admin: Admin) -> list[invitations.Outstanding]:
    async with ctx.sessions() as db:
        await _require(db, admin)
        return await invitations.pending_in(db, admin.org_id)


async def revoke_invitation(ctx: AppContext, admin: Admin, *, invitation_id: str) -> None:
    """Withdraw a pending invitation: its link stops working at once; audited."""
    async with ctx.sessions.begin() as db:
        await _require(db, admin)
        gone = await invitations.revoke(db, org_id=admin.org_id, invitation_id=invitation_id)
        _record(db, admin, AuditKind.INVITATION_REVOKED, gone.email, f"was {gone.role}")


async def remove_member(ctx: AppContext, access: Access, admin: Admin, *, user_id: str) -> None:
    async with ctx.sessions.begin() as db:
        await _require(db, admin)
        previous = await members.remove(db, org_id=admin.org_id, user_id=user_id)
        _record(db, admin, AuditKind.MEMBER_REMOVED, user_id, f"was {previous}")
        # Their API tokens go with them (they would come back to life if they were re-invited).
        for token in await api_tokens.revoke_created_by(
            db, org_id=admin.org_id, user_id=user_id, by=admin.caller.user_id
        ):
            _record(
                db, admin, AuditKind.API_TOKEN_REVOKED, token.id, f"{token.name} (creator removed)"
            )
    await access.live.apply_membership(user_id=user_id, org_id=admin.org_id, role=None)


async def require_totp(ctx: AppContext, admin: Admin) -> bool:
    async with ctx.sessions() as db:
        await _require(db, admin)
        return await members.require_totp(db, admin.org_id)


async def set_require_totp(ctx: AppContext, access: Access, admin: Admin, *, value: bool) -> None:
    """Set the policy. Members it concerns who have no second factor yet keep their sessions
    and their other organizations; only this organization is closed to them until they enrol
    (their open sockets on its invoices close now)."""
    async with ctx.sessions.begin() as db:
        await _require(db, admin)
        suspended = await members.set_require_totp(db, admin.org_id, value)
        _record(db, admin, AuditKind.POLICY_CHANGED, None, f"require_totp={str(value).lower()}")
    for user_id in suspended:
        await access.live.apply_membership(user_id=user_id, org_id=admin.org_id, role=None)


async def _require(db: AsyncSession, admin: Admin) -> None:
    await members.require(
        db, user_id=admin.caller.user_id, org_id=admin.org_id, capability=Capability.MEMBER_MANAGE
    )


def _record(
    db: AsyncSession, admin: Admin, kind: AuditKind, target: str | None, detail: str
) -> None:
    audit.record(
        db,
        kind,
        actor_id=admin.caller.user_id,
        ip=admin.ip,
        org_id=admin.org_id,
        target=target,
        detail=detail,
    )
