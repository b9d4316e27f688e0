"""The EPC QR code ("girocode") of a SEPA credit transfer, as EPC069-12 v2.1 defines it.

A banking app scanning it fills in the beneficiary, IBAN, amount and reference of the transfer,
so the customer pays the right account the right amount without typing either.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

import segno

# EPC069-12 bounds: an amount between 0.01 and 999999999.99 EUR, a 70-character name, a
# 140-character unstructured remittance, a whole payload of at most 331 bytes.
_MIN: Final = Decimal("0.01")
_MAX: Final = Decimal("999999999.99")
_NAME: Final = 70
_TEXT: Final = 140
_REFERENCE: Final = 35
_PAYLOAD: Final = 331


@dataclass(frozen=True, slots=True)
class Transfer:
    """What the code asks the payer's bank to do."""

    name: str  # the beneficiary, as the account is held
    iban: str
    amount: Decimal  # in EUR, with at most 2 decimals
    text: str = ""  # unstructured remittance, when there is no structured reference
    bic: str = ""  # optional in version 002 inside the EEA
    reference: str = ""  # structured remittance: the RF creditor reference (ISO 11649)


def payload(transfer: Transfer) -> str | None:
    """The code's text, or None when no valid code can say it (nothing to pay, an amount
    out of the EPC range, a missing IBAN or name)."""
    amount = transfer.amount
    if not transfer.iban or not transfer.name.strip() or not _MIN <= amount <= _MAX:
        return None
    if amount != amount.quantize(_MIN):
        return None
    fields = [
        "BCD",  # service tag
        "002",  # version: the BIC may be left out
        "1",  # character set: UTF-8
        "SCT",  # SEPA credit transfer
        transfer.bic,
        transfer.name.strip()[:_NAME],
        transfer.iban.replace(" ", "").upper(),
        f"EUR{amount.quantize(_MIN):f}",
        "",  # purpose code
        # The structured (ISO 11649) reference, compact, or else the free text: EPC069-12
        # allows one of the two, never both.
        transfer.reference.replace(" ", "").upper()[:_REFERENCE],
        "" if transfer.reference else transfer.text[:_TEXT],
    ]
    text = "\n".join(fields).rstrip("\n")
    return text if len(text.encode()) <= _PAYLOAD else None


def svg_data_uri(text: str) -> str:
    """The QR code of `text` as an SVG data URI; error correction M as EPC069-12 requires."""
    code = segno.make_qr(text, error="m", encoding="utf-8", boost_error=False)
    uri: str = code.svg_data_uri(scale=4, border=4)
    return uri
