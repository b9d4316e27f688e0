"""Signed, expiring bearer tokens (JWT, HS256) naming a user and their sign-in session."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry

_ALGORITHM = "HS256"
_ISSUER = "cofacture"


class InvalidToken(Exception):
    pass


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: str
    token_id: str
    expires_at: int
    session_id: str = ""  # the sign-in session (server/auth/sessions.py) the token belongs to


class TokenSigner:
    def __init__(self, secret: str, *, ttl_seconds: int) -> None:
        self._key = OctKey.import_key(secret.encode())
        self.ttl_seconds = ttl_seconds
        self._registry = JWTClaimsRegistry(
            iss={"essential": True, "value": _ISSUER},
            sub={"essential": True},
            exp={"essential": True},
            typ={"essential": True, "value": "access"},
            sid={"essential": True},
        )

    def issue(self, user_id: str, *, session_id: str) -> str:
        now = int(time.time())
        claims = {
            "iss": _ISSUER,
            "sub": user_id,
            "iat": now,
            "exp": now + self.ttl_seconds,
            "jti": uuid.uuid4().hex,
            "typ": "access",
            "sid": session_id,
        }
        return jwt.encode({"alg": _ALGORITHM}, claims, self._key)

    def verify(self, token: str) -> TokenClaims:
        try:
            decoded = jwt.decode(token, self._key, algorithms=[_ALGORITHM])
            self._registry.validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise InvalidToken(str(exc) or type(exc).__name__) from exc
        claims = decoded.claims
        return TokenClaims(
            str(claims["sub"]), str(claims.get("jti", "")), int(claims["exp"]), str(claims["sid"])
        )
