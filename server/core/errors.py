"""Errors raised by services, turned into HTTP answers in one place (server/core/api.py)."""

from __future__ import annotations


class ApiError(Exception):
    status = 400
    headers: dict[str, str] | None = None

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details  # (path, message) pairs: the body's `details`


class BadRequest(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class Unprocessable(ApiError):
    """Well-formed but unusable: an amount that is zero, negative or too precise for its
    currency (server/payments)."""

    status = 422
