"""A period's draft content from the template's document: pure, so a retried run computes the
very same content (line ids derive from the run's id) and writing it again changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final

from collab.invoice.document import (
    ADJUSTMENT_ID,
    LINE_ID,
    ROOT_ADJUSTMENTS,
    ROOT_INVOICE,
    ROOT_LINES,
)
from collab.invoice.recurrence import PERIOD_PREFIXES, Period, payment_delay, period_text

# What a period's draft takes from the template's header: who is billed, for what, on which
# terms. Not the dates (its own), not what concerned the template alone: its prepaid and
# rounding amounts, its type as a corrective invoice and the invoice it corrected.
NOT_COPIED: Final = frozenset(
    {"issue_date", "due_date", "notes", "prepaid", "rounding", "type_code"}
    | {"preceding_number", "preceding_date"}
)


def draft_content(
    template: Mapping[str, Any],
    *,
    each: Period,
    run_id: str,
    language: str,
    template_issue_date: str | None,
    default_delay: int | None = None,
) -> dict[str, Any]:
    """The draft of period `each`: the template's customer, lines, currency and terms, dated
    the run date, due after the template's delay (its due date less its issue date: the
    document's, else `template_issue_date`, the one the workflow gave it at issue), its notes
    beginning with the period. Without a delay on the template, `default_delay` days (the
    seller's payment terms), else no due date."""
    header: Mapping[str, Any] = template.get(ROOT_INVOICE) or {}
    new_header = {k: v for k, v in header.items() if k not in NOT_COPIED}
    new_header["issue_date"] = each.run_date.isoformat()
    delay = payment_delay(header.get("issue_date") or template_issue_date, header.get("due_date"))
    delay = default_delay if delay is None else delay
    if delay is not None:
        new_header["due_date"] = (each.run_date + timedelta(days=delay)).isoformat()
    new_header["notes"] = _notes(period_text(each, language), header.get("notes"))

    def renamed(old: object) -> str:
        return str(uuid.uuid5(uuid.UUID(run_id), str(old)))

    lines = [
        {**dict(line), LINE_ID: renamed(line.get(LINE_ID))} for line in _rows(template, ROOT_LINES)
    ]
    adjustments = []
    for row in _rows(template, ROOT_ADJUSTMENTS):
        moved = {**dict(row), ADJUSTMENT_ID: renamed(f"adjustment:{row.get(ADJUSTMENT_ID)}")}
        if row.get("line"):
            moved["line"] = renamed(row["line"])
        adjustments.append(moved)
    return {ROOT_INVOICE: new_header, ROOT_LINES: lines, ROOT_ADJUSTMENTS: adjustments}


def is_empty(document: Mapping[str, Any]) -> bool:
    """Whether a draft holds nothing yet (its content is still to be written)."""
    return not document.get(ROOT_INVOICE) and not document.get(ROOT_LINES)


def _rows(document: Mapping[str, Any], root: str) -> list[Mapping[str, Any]]:
    return [row for row in document.get(root) or [] if isinstance(row, Mapping)]


def _notes(period: str, template_notes: object) -> str:
    """The period first, then the template's notes without the period line it may carry (a
    template that is itself a period's draft)."""
    rest = str(template_notes or "")
    first, _, after = rest.partition("\n")
    if first.startswith(PERIOD_PREFIXES):
        rest = after
    return f"{period}\n{rest}".rstrip("\n") if rest.strip() else period
