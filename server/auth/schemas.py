"""Request and response bodies of the auth routes: the source of their OpenAPI description.

Length limits are those the API always had: 1000 characters for a password or an email at sign-in,
320 for a member's email, 200 for names and tokens, 20 for a two-factor code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from server.auth.api_tokens import Listed as ListedToken
from server.auth.grants import Scope
from server.auth.members import Listed
from server.auth.permissions import Capability, Role
from server.core.api import Model

Password = Annotated[str, Field(max_length=1000)]
Code = Annotated[str, Field(max_length=20, description="a TOTP code, or a recovery code")]
Token = Annotated[str, Field(max_length=200)]
Flag = Annotated[bool, Field(strict=True)]  # JSON true or false, not "yes" or 1
# Checked by the service after the caller's right (a 403 comes before a bad role's 400).
RoleName = Annotated[str, Field(max_length=20, json_schema_extra={"enum": [r.value for r in Role]})]


def _not_blank(value: str) -> str:
    if not value.strip():
        # Reported like a missing field: "`organization` is required".
        raise PydanticCustomError("missing", "is required")
    return value


NotBlank = AfterValidator(_not_blank)


# -- sign-in and sessions ----------------------------------------------------------------------


class Login(Model):
    email: Password
    password: Password
    totp: Code | None = None


class Refresh(Model):
    refresh_token: Token


class TokenPair(BaseModel):
    access_token: str
    token_type: str = Field(examples=["bearer"])
    expires_in: int = Field(description="seconds the access token is valid")
    refresh_token: str
    refresh_expires_in: int = Field(description="seconds the refresh token is valid unused")


class ChangePassword(Model):
    current_password: Password
    new_password: Password


class AcceptInvitation(Model):
    token: Token
    password: Annotated[
        str,
        Field(
            max_length=1000,
            description="a new person's first password, or an existing account's password",
        ),
    ]


# -- two-factor --------------------------------------------------------------------------------


class Credentials(Model):
    """Only before any token, for a user who must enrol: the same checks as a sign-in."""

    email: Password | None = None
    password: Password | None = None


class Confirm(Credentials):
    code: Code


class DisableTwoFactor(Model):
    code: Code


class RenewRecoveryCodes(Model):
    code: Code = Field(description="a current authenticator code, or one of the recovery codes")


class Enrolment(BaseModel):
    secret: str = Field(description="base32, for typing into an authenticator app")
    otpauth_uri: str
    qr_svg: str = Field(description="the URI as a QR code, an SVG document")


class RecoveryCodes(BaseModel):
    recovery_codes: list[str] = Field(description="10 single-use codes, shown once")


# -- the caller --------------------------------------------------------------------------------


class MembershipOut(BaseModel):
    org_id: str
    org_name: str
    role: Role
    capabilities: list[Capability]
    totp_required: bool = Field(
        description="this organization requires a second factor the user has not set up: "
        "its resources answer 403/404 until they enrol"
    )


class Me(BaseModel):
    id: str
    email: str
    name: str
    totp_enabled: bool
    recovery_codes_left: int
    memberships: list[MembershipOut]


# -- members and the security policy -----------------------------------------------------------


class AddMember(Model):
    email: Annotated[str, Field(max_length=320)]
    role: RoleName
    name: Annotated[str | None, Field(max_length=200, description="for a new user")] = None


class ChangeRole(Model):
    role: RoleName


class MemberOut(BaseModel):
    user_id: str
    email: str
    name: str
    role: Role
    totp_enabled: bool

    @classmethod
    def of(cls, member: Listed, **extra: str | None) -> Self:
        user = member.user
        return cls(
            user_id=user.id,
            email=user.email,
            name=user.name,
            role=member.role,
            totp_enabled=member.totp_enabled,
            **extra,
        )


class PendingInvitation(BaseModel):
    id: str
    email: str
    role: Role
    invited_by: str | None = Field(description="the admin who sent it")
    created_at: datetime
    expires_at: datetime


class PendingInvitations(BaseModel):
    items: list[PendingInvitation] = Field(description="unexpired, oldest first")


class InvitationSent(BaseModel):
    """The same answer whether the email has an account or not."""

    email: str
    role: Role
    invitation_token: str = Field(
        description="for the person: accept at POST /api/auth/accept-invitation (a new "
        "person sets a password, an existing one gives theirs), or sign in and accept at "
        "/api/me/invitations"
    )
    expires_in: int = Field(description="seconds the invitation stays valid")


class MyInvitation(BaseModel):
    id: str
    org_id: str
    org_name: str
    role: Role
    expires_at: datetime


class MyInvitations(BaseModel):
    items: list[MyInvitation]


class MemberList(BaseModel):
    items: list[MemberOut]


class SecurityPolicy(Model):
    require_totp: Flag


# -- first run ---------------------------------------------------------------------------------


class SetupState(BaseModel):
    needed: bool = Field(description="true while no user exists")


class Setup(Model):
    organization: Annotated[str, Field(max_length=200), NotBlank]
    email: Annotated[str, Field(max_length=320), NotBlank]
    password: Annotated[str, Field(max_length=1000), NotBlank]
    # Not limited: a longer name is cut to 200 characters, as it always was.
    name: Annotated[str | None, Field(description="cut to 200 characters")] = None


class SetupDone(BaseModel):
    org_id: str
    org_name: str
    user_id: str
    email: str


# -- API tokens --------------------------------------------------------------------------------

# Checked by the service after the caller's right, like RoleName.
ScopeName = Annotated[
    str, Field(max_length=20, json_schema_extra={"enum": [s.value for s in Scope]})
]


class CreateApiToken(Model):
    name: Annotated[
        str, Field(max_length=1000, description="1 to 80 characters, unique among live tokens")
    ]
    scopes: Annotated[
        list[ScopeName],
        Field(
            max_length=10,
            description="read: every GET of the organization; invoices:write: invoices, credit "
            "notes, comments, exceptions; payments:write: payments and reconciliation; admin: "
            "settings, members, tokens. Each acts within the creator's role at use time.",
        ),
    ]
    expires_in_days: Annotated[
        int | None, Field(strict=True, description="1 to 1825; null: the token does not expire")
    ] = None


class ApiTokenOut(BaseModel):
    id: str
    name: str
    prefix: str = Field(description="the token's first characters, to recognise it")
    scopes: list[Scope]
    created_by: str = Field(description="the admin the token acts as")
    created_by_name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(description="to the minute")

    @classmethod
    def of(cls, listed: ListedToken) -> Self:
        t = listed.token
        return cls(
            id=t.id,
            name=t.name,
            prefix=t.prefix,
            scopes=listed.scopes,
            created_by=t.created_by,
            created_by_name=listed.creator_name,
            created_at=t.created_at,
            expires_at=t.expires_at,
            last_used_at=t.last_used_at,
        )


class ApiTokenCreated(ApiTokenOut):
    token: str = Field(description="the secret, shown this once: only its hash is kept")


class ApiTokenList(BaseModel):
    items: list[ApiTokenOut]
