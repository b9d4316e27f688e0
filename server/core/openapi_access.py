"""OpenAPI paths of the access-control routes (merged into server/openapi.py's OPENAPI)."""

from __future__ import annotations

from typing import Any

from server.core.openapi_schema import BOOLEAN as _B
from server.core.openapi_schema import INTEGER as _I
from server.core.openapi_schema import STRING as _S
from server.core.openapi_schema import error as _error
from server.core.openapi_schema import json_content as _json
from server.core.openapi_schema import obj as _object

_ROLE = {
    "type": "string",
    "enum": ["viewer", "reviewer", "editor", "approver", "accountant", "admin"],
}
_TOKENS = _object(
    access_token=_S,
    token_type={"const": "bearer"},
    expires_in=_I,
    refresh_token=_S,
    refresh_expires_in=_I,
)
_MEMBER = _object(user_id=_S, email=_S, name=_S, role=_ROLE, totp_enabled=_B)
_UNAUTHORIZED = _error("Missing, bad, expired or revoked token")
_THROTTLED = {
    "description": "Too many failures; see Retry-After",
    **_json({"$ref": "#/components/schemas/Error"}),
}
_ORG = {"name": "org", "in": "path", "required": True, "schema": _S}
_USER = {"name": "user_id", "in": "path", "required": True, "schema": _S}
_ADMIN_ERRORS = {
    "401": _UNAUTHORIZED,
    "403": _error("The caller's role lacks member.manage"),
    "404": _error("No such organization (or not the caller's)"),
}


def _post(summary: str, body: dict[str, Any] | None, ok: dict[str, Any], **errors: Any) -> Any:
    operation: dict[str, Any] = {"summary": summary, "responses": {**ok, **errors}}
    if body is not None:
        operation["requestBody"] = _json(body)
    return {"post": operation}


ACCESS_PATHS: dict[str, Any] = {
    "/api/auth/login": {
        "post": {
            "summary": "Exchange email, password (and a second factor) for tokens",
            "security": [],
            "requestBody": _json(
                _object(
                    ["email", "password"],
                    email=_S,
                    password=_S,
                    totp={"type": "string", "description": "TOTP or recovery code"},
                )
            ),
            "responses": {
                "200": {"description": "Tokens", **_json(_TOKENS)},
                "400": _error("Malformed request"),
                "401": _error("Bad credentials, `totp_required`, or an invalid code"),
                "403": _error("`totp_enrollment_required` by the organization's policy"),
                "429": _THROTTLED,
            },
        }
    },
    "/api/auth/refresh": _post(
        "Rotate a refresh token for new tokens",
        _object(["refresh_token"], refresh_token=_S),
        {"200": {"description": "Tokens", **_json(_TOKENS)}},
        **{"401": _error("Invalid, expired, revoked or reused refresh token")},
    ),
    "/api/auth/logout": _post(
        "Revoke the caller's session",
        None,
        {"204": {"description": "Signed out"}},
        **{"401": _UNAUTHORIZED},
    ),
    "/api/auth/password": _post(
        "Change the password; every session of the user is revoked",
        _object(["current_password", "new_password"], current_password=_S, new_password=_S),
        {"204": {"description": "Changed"}},
        **{"400": _error("New password too short"), "401": _UNAUTHORIZED, "429": _THROTTLED},
    ),
    "/api/auth/accept-invitation": _post(
        "Set the password of an invited user",
        _object(["token", "password"], token=_S, password=_S),
        {"204": {"description": "Password set"}},
        **{"400": _error("Invalid or expired invitation, or a too short password")},
    ),
    "/api/auth/2fa/enroll": _post(
        "Start a TOTP enrolment (bearer, or email and password before any token)",
        _object(email=_S, password=_S),
        {
            "200": {
                "description": "The secret",
                **_json(_object(secret=_S, otpauth_uri=_S, qr_svg=_S)),
            }
        },
        **{"401": _UNAUTHORIZED, "409": _error("Already enabled")},
    ),
    "/api/auth/2fa/confirm": _post(
        "Confirm the enrolment with a first code; returns 10 recovery codes, shown once",
        _object(["code"], code=_S, email=_S, password=_S),
        {
            "200": {
                "description": "Recovery codes",
                **_json(_object(recovery_codes={"type": "array", "items": _S})),
            }
        },
        **{
            "400": _error("Invalid code"),
            "401": _UNAUTHORIZED,
            "409": _error("No enrolment"),
            "429": _THROTTLED,
        },
    ),
    "/api/auth/2fa/disable": _post(
        "Turn two-factor off with a fresh TOTP or recovery code",
        _object(["code"], code=_S),
        {"204": {"description": "Disabled"}},
        **{
            "400": _error("Invalid code"),
            "401": _UNAUTHORIZED,
            "409": _error("Not enabled, or mandatory"),
            "429": _THROTTLED,
        },
    ),
    "/api/auth/oidc/login": {
        "get": {
            "summary": "Single sign-on: redirect to the OpenID provider",
            "security": [],
            "responses": {
                "302": {"description": "To the provider"},
                "404": _error("Not configured"),
            },
        }
    },
    "/api/auth/oidc/callback": {
        "get": {
            "summary": "Single sign-on: the provider's answer, exchanged for tokens",
            "security": [],
            "responses": {
                "200": {"description": "Tokens", **_json(_TOKENS)},
                "401": _error("The sign-on failed"),
                "403": _error("Unverified email, no membership, or `totp_required`"),
            },
        }
    },
    "/api/me": {
        "get": {
            "summary": "The caller, their second factor and their memberships with capabilities",
            "responses": {
                "200": {
                    "description": "The caller",
                    **_json(
                        _object(
                            id=_S,
                            email=_S,
                            name=_S,
                            totp_enabled=_B,
                            recovery_codes_left=_I,
                            memberships={
                                "type": "array",
                                "items": _object(
                                    org_id=_S,
                                    org_name=_S,
                                    role=_ROLE,
                                    capabilities={"type": "array", "items": _S},
                                ),
                            },
                        )
                    ),
                },
                "401": _UNAUTHORIZED,
            },
        }
    },
    "/api/orgs/{org}/members": {
        "parameters": [_ORG],
        "get": {
            "summary": "Members of the organization (admins)",
            "responses": {
                "200": {
                    "description": "Members",
                    **_json(_object(items={"type": "array", "items": _MEMBER})),
                },
                **_ADMIN_ERRORS,
            },
        },
        "post": {
            "summary": "Add a user, or invite a new one (the answer holds an invitation_token)",
            "requestBody": _json(_object(["email", "role"], email=_S, role=_ROLE, name=_S)),
            "responses": {
                "201": {"description": "Added", **_json(_MEMBER)},
                "400": _error("Bad email or role"),
                "409": _error("Already a member"),
                **_ADMIN_ERRORS,
            },
        },
    },
    "/api/orgs/{org}/members/{user_id}": {
        "parameters": [_ORG, _USER],
        "patch": {
            "summary": "Change a member's role; applies at once to open WebSockets",
            "requestBody": _json(_object(["role"], role=_ROLE)),
            "responses": {
                "200": {"description": "Changed", **_json(_MEMBER)},
                "400": _error("Bad role"),
                "409": _error("The last admin"),
                **_ADMIN_ERRORS,
            },
        },
        "delete": {
            "summary": "Remove a member; their open WebSockets are closed (1008)",
            "responses": {
                "204": {"description": "Removed"},
                "409": _error("The last admin"),
                **_ADMIN_ERRORS,
            },
        },
    },
    "/api/orgs/{org}/security": {
        "parameters": [_ORG],
        "get": {
            "summary": "The security policy",
            "responses": {
                "200": {"description": "Policy", **_json(_object(require_totp=_B))},
                **_ADMIN_ERRORS,
            },
        },
        "patch": {
            "summary": "Make two-factor mandatory for approvers and admins (or not)",
            "requestBody": _json(_object(["require_totp"], require_totp=_B)),
            "responses": {
                "200": {"description": "Policy", **_json(_object(require_totp=_B))},
                "400": _error("Bad body"),
                **_ADMIN_ERRORS,
            },
        },
    },
    "/api/orgs/{org}/audit": {
        "parameters": [
            _ORG,
            {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
            },
        ],
        "get": {
            "summary": "Authentication and authorization events, newest first",
            "responses": {
                "200": {
                    "description": "Events",
                    **_json(
                        _object(
                            items={
                                "type": "array",
                                "items": _object(
                                    id=_I,
                                    at=_S,
                                    event=_S,
                                    actor_id=_S,
                                    org_id=_S,
                                    target=_S,
                                    ip=_S,
                                    detail=_S,
                                ),
                            }
                        )
                    ),
                },
                "400": _error("Bad limit"),
                **_ADMIN_ERRORS,
            },
        },
    },
}
