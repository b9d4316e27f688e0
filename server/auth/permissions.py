"""Roles and what they may do: the one table every HTTP handler and the WebSocket consult."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    REVIEWER = "reviewer"
    EDITOR = "editor"
    APPROVER = "approver"
    ACCOUNTANT = "accountant"
    ADMIN = "admin"


class Capability(StrEnum):
    INVOICE_READ = "invoice.read"
    INVOICE_COMMENT = "invoice.comment"
    INVOICE_CREATE = "invoice.create"
    INVOICE_EDIT = "invoice.edit"
    INVOICE_SUBMIT = "invoice.submit"
    INVOICE_APPROVE = "invoice.approve"
    INVOICE_ISSUE = "invoice.issue"
    CREDIT_NOTE_CREATE = "credit_note.create"  # correct an issued invoice (server/credit_notes)
    # Flag an invoice with an exception (a dispute, a refund request...: server/exceptions) and
    # be designated the expert who resolves a category of them.
    EXCEPTION_OPEN = "exception.open"
    PAYMENT_MANAGE = "payment.manage"
    MEMBER_MANAGE = "member.manage"
    LOCK_BREAK = "lock.break"
    ORG_SETTINGS = "org.settings"  # the seller profile and number series
    ACCOUNTING_EXPORT = "accounting.export"  # the chart of accounts, FEC and CSV journal
    TOKEN_MANAGE = "token.manage"  # the organization's API tokens (server/auth/api_tokens.py)


_VIEWER = frozenset({Capability.INVOICE_READ})
_REVIEWER = _VIEWER | {Capability.INVOICE_COMMENT}
_EDITOR = _REVIEWER | {
    Capability.INVOICE_CREATE,
    Capability.INVOICE_EDIT,
    Capability.INVOICE_SUBMIT,
    Capability.CREDIT_NOTE_CREATE,
    Capability.EXCEPTION_OPEN,
}
_APPROVER = _EDITOR | {Capability.INVOICE_APPROVE, Capability.INVOICE_ISSUE}
_ACCOUNTANT = _REVIEWER | {
    Capability.PAYMENT_MANAGE,
    Capability.ACCOUNTING_EXPORT,
    Capability.CREDIT_NOTE_CREATE,
    Capability.EXCEPTION_OPEN,
}

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.VIEWER: _VIEWER,
    Role.REVIEWER: _REVIEWER,
    Role.EDITOR: _EDITOR,
    Role.APPROVER: _APPROVER,
    Role.ACCOUNTANT: _ACCOUNTANT,
    Role.ADMIN: frozenset(Capability),
}


def can(role: Role, capability: Capability) -> bool:
    return capability in ROLE_CAPABILITIES[role]
