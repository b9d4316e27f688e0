"""The feature packages of `server/`, in one list: app assembly and migrations walk it."""

from __future__ import annotations

import importlib
from typing import Final

FEATURES: Final = (
    "auth",
    "audit",
    "invoices",
    "comments",
    "catalog",
    "organization",
    "workflow",
    "credit_notes",
    "platforms",
    "exports",
    "imports",
    "board",
    "exceptions",
    "payments",
    "reports",
    "jobs",
    "mail",
    "recurring",
    "reminders",
    "paypage",
    "reconciliation",
    "chat",
    "accounting",
    "events",
    "webhooks",
    "crm",
    "timesheets",
)


def import_models() -> None:
    """Import every feature's tables, so that they are all in `Base.metadata`."""
    for feature in FEATURES:
        importlib.import_module(f"server.{feature}.models")
