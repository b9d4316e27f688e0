"""What binds an approval to content, and what an invoice needs before it can be submitted.

`content_hash` is SHA-256 over a canonical JSON encoding of the document's exact content (the
`invoice`, `lines` and `adjustments` roots as the server reads them with `to_py`). Exact on
purpose: "12.5" and "12.50" are the same money but not the same document, and the approver
approved the document; any change, even one the money engine would call equal, voids the
approval. Only key order (meaningless in a Y.Map) and the absence of a root versus an empty one
do not count: an empty `adjustments` root is left out of the encoding, so documents without
allowances or charges hash as they did before that root existed (approvals made then stay
valid).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from collab.invoice.document import ROOT_ADJUSTMENTS, ROOT_INVOICE, ROOT_LINES
from collab.invoice.validation import ERROR, Evaluation, evaluate

# Changing the encoding changes every hash: bump the tag so old approvals fail loudly.
HASH_TAG: Final = b"cofacture.invoice-content.v1\n"

# SPEC section 4: "a complete customer" — who is billed and where, as EN 16931 requires of the
# buyer (BT-44 name, BG-8 address with at least a country; line 1, postcode and city are needed
# for a postal invoice).
CUSTOMER_REQUIRED: Final = (
    "name",
    "address.line1",
    "address.postcode",
    "address.city",
    "address.country",
)


def content_hash(document: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the invoice content. Raises TypeError/ValueError on a value JSON cannot
    carry exactly (a Decimal, NaN): the document holds strings, so that is a caller's bug."""
    content = {
        ROOT_INVOICE: document.get(ROOT_INVOICE) or {},
        ROOT_LINES: document.get(ROOT_LINES) or [],
    }
    if document.get(ROOT_ADJUSTMENTS):
        content[ROOT_ADJUSTMENTS] = document[ROOT_ADJUSTMENTS]
    encoded = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()
    return hashlib.sha256(HASH_TAG + encoded).hexdigest()


@dataclass(frozen=True, slots=True)
class Readiness:
    """Field paths that stop a submit: blocking validation issues and missing customer fields.
    They feed workflow.Context(blocking=..., missing_customer=...)."""

    blocking: tuple[str, ...]
    missing_customer: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.blocking and not self.missing_customer


def readiness(document: Mapping[str, Any], evaluation: Evaluation | None = None) -> Readiness:
    """Every error validation reports blocks a submit (warnings are only shown); so does an
    invoice without lines. Pass the evaluation when the caller already has it."""
    evaluation = evaluation if evaluation is not None else evaluate(dict(document))
    blocking = [issue.path for issue in evaluation.issues if issue.severity == ERROR]
    if not document.get(ROOT_LINES):
        blocking.append(ROOT_LINES)
    return Readiness(tuple(dict.fromkeys(blocking)), missing_customer(document))


def missing_customer(document: Mapping[str, Any]) -> tuple[str, ...]:
    header = document.get(ROOT_INVOICE)
    customer = header.get("customer") if isinstance(header, Mapping) else None
    return tuple(
        f"{ROOT_INVOICE}.customer.{path}"
        for path in CUSTOMER_REQUIRED
        if not _filled(_at(customer, path.split(".")))
    )


def _at(value: object, keys: list[str]) -> object:
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _filled(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
