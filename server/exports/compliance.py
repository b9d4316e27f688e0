"""The EN 16931 check of a draft while people type (GET /api/invoices/{id}/compliance).

The editor asks a moment after the last edit; the same mapping and official rules as the issue
gate run here, so what would refuse the issue shows next to its field long before anyone
presses Issue. Checks of one content are cached (a keyed LRU bounded in entries and bytes), and
the validator's single thread serialises the work, so a room full of typists costs one check
per distinct content, never one per keystroke per person.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Final

from collab.invoice.en16931 import SemanticInvoice, Sources, sources_of
from server.exports.checks import check_semantic, placed
from server.exports.validation import Finding, Report

MAX_ENTRIES: Final = 256
MAX_BYTES: Final = 4 * 1024 * 1024  # of cached findings' text

_cache: OrderedDict[str, tuple[Report, int]] = OrderedDict()
_state = {"bytes": 0}


def content_key(document: dict[str, Any], mapping: dict[str, Any]) -> str:
    """What a check depends on: the document and what it is mapped with (seller, date, type)."""
    encoded = json.dumps([document, mapping], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


async def check(key: str, semantic: SemanticInvoice) -> dict[str, Any]:
    """The findings of a draft's content, placed on their fields (cached by `key`)."""
    cached = _cache.get(key)
    if cached is not None:
        _cache.move_to_end(key)
        report = cached[0]
    else:
        report = await check_semantic(semantic)
        _remember(key, report)
    lines = sources_of(semantic)
    return {
        "checked": key,
        "valid": report.ok,
        "fatal": _json(report.fatal, lines),
        "warnings": _json(report.warnings, lines),
    }


def _json(findings: Sequence[Finding], lines: Sources) -> list[dict[str, str]]:
    return [
        {"path": path, "rule": finding.rule, "message": message.partition(": ")[2]}
        for finding, (path, message) in zip(findings, placed(findings, lines), strict=True)
    ]


def _remember(key: str, report: Report) -> None:
    size = sum(len(f.message) + len(f.location) + 16 for f in (*report.fatal, *report.warnings))
    _cache[key] = (report, size)
    _state["bytes"] += size
    while len(_cache) > MAX_ENTRIES or _state["bytes"] > MAX_BYTES:
        _, (_, dropped) = _cache.popitem(last=False)
        _state["bytes"] -= dropped
