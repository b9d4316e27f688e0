"""Mapping a document and checking it in both syntaxes: what the issue gate, the exports and
the drafts' continuous check share (docs/e-invoices.md, "The validation gate")."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from datetime import date
from functools import partial
from typing import Any, Literal

from collab.invoice.en16931 import (
    MappingError,
    SemanticInvoice,
    Sources,
    to_cii,
    to_semantic,
    to_ubl,
)
from collab.invoice.en16931.paths import field_path
from server.core.errors import Conflict
from server.exports.validation import Finding, Report, check_cii, check_ubl

Syntax = Literal["cii", "ubl"]


async def check_document(
    document: dict[str, Any],
    *,
    number: str | None,
    issue_date: date,
    seller: Mapping[str, Any],
    type_code: str | None = None,
    preceding: tuple[str, date] | None = None,
) -> Report:
    """Map `document` as it would be issued and check it as CII and as UBL: one report with the
    findings of both (a rule broken in both syntaxes is listed once). For the issue-time gate:
    any fatal finding should refuse the issue. The mapping runs in a worker thread: a draft of
    a thousand lines takes tens of milliseconds to evaluate and map, too long for the loop."""
    semantic = await asyncio.to_thread(
        partial(
            semantic_of,
            document,
            number=number,
            issue_date=issue_date,
            seller=seller,
            type_code=type_code,
            preceding=preceding,
        )
    )
    return await check_semantic(semantic)


async def check_semantic(semantic: SemanticInvoice) -> Report:
    """Write the model as CII and as UBL and check both: one report (a rule broken in both
    syntaxes listed once)."""
    _, cii = await write_and_check(semantic, "cii")
    _, ubl = await write_and_check(semantic, "ubl")
    return Report(fatal=_merge(cii.fatal, ubl.fatal), warnings=_merge(cii.warnings, ubl.warnings))


def semantic_of(
    document: dict[str, Any],
    *,
    number: str | None,
    issue_date: date,
    seller: Mapping[str, Any],
    type_code: str | None,
    preceding: tuple[str, date] | None,
) -> SemanticInvoice:
    try:
        return to_semantic(
            document,
            number=number,
            issue_date=issue_date,
            seller=seller,
            type_code=type_code,
            preceding=preceding,
        )
    except MappingError as exc:
        raise Conflict(f"the invoice cannot be exported: {exc}", code="not_exportable") from None


async def write_and_check(semantic: SemanticInvoice, syntax: Syntax) -> tuple[bytes, Report]:
    """Write the XML (in a worker thread: lxml serialising hundreds of lines) and check it."""
    if syntax == "cii":
        xml = await asyncio.to_thread(to_cii, semantic)
        return xml, await check_cii(xml)
    xml = await asyncio.to_thread(to_ubl, semantic)
    return xml, await check_ubl(xml)


def _merge(first: tuple[Finding, ...], second: tuple[Finding, ...]) -> tuple[Finding, ...]:
    seen = {finding.rule for finding in first}
    return first + tuple(finding for finding in second if finding.rule not in seen)


def placed(findings: Sequence[Finding], sources: Sources) -> list[tuple[str, str]]:
    """Findings as (where, "RULE: message"): the document field to fix when the rule names one
    (collab/invoice/en16931/paths.py), else the XPath the validator reported."""
    return [
        (
            field_path(f.message, f.location, sources) or f.location,
            f"{f.rule}: {_RULE_PREFIX.sub('', f.message)}",
        )
        for f in findings
    ]


# The Schematron's messages start with their own id ("[BR-IC-02]-..."), said once already.
_RULE_PREFIX = re.compile(r"^\[[A-Za-z0-9-]+\]-\s*")
