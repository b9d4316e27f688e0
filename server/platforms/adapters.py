"""The interface every e-invoicing platform adapter implements, and the file-drop adapter.

No accredited platform is reachable from here; each has its own API (most accept the CII or
Factur-X of an invoice and answer a deposit id). An adapter turns one `Submission` into a
`Receipt` or raises `TransmissionError`; it must be idempotent on the submission's key: the
outbox delivers at least once (a crash between the platform's answer and our commit sends the
same invoice again), so a second delivery of the same submission must not make a second
invoice at the platform.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import anyio.to_thread


@dataclass(frozen=True, slots=True)
class Submission:
    """One issued invoice as a platform receives it."""

    key: str  # idempotency key: the transmission's id, stable across retries
    invoice_id: str
    org_id: str
    number: str  # the legal number (BT-1)
    syntax: str  # "cii" (UN/CEFACT CII, the XML inside Factur-X)
    xml: bytes


@dataclass(frozen=True, slots=True)
class Receipt:
    external_id: str  # what the platform calls the deposit


class TransmissionError(Exception):
    """The platform did not take the invoice. `retry`: worth trying again later (the platform
    was unreachable or busy); otherwise it refused the invoice for good."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


class Adapter(Protocol):
    name: str

    async def transmit(self, submission: Submission) -> Receipt: ...


_SAFE = re.compile(r"[^A-Za-z0-9+\-_]")


class FileDrop:
    """Writes each invoice into a directory a platform's connector (or an operator) collects:
    `<root>/<org id>/<number>.xml` plus `<number>.json` (what it is, its SHA-256), each written
    to a temporary file, flushed to disk and renamed, so a reader never sees half a file.

    Idempotent: the same submission again finds the same bytes and answers the same receipt; a
    different invoice under an existing name is refused for good (numbers never repeat, so that
    is a misconfiguration, never overwritten)."""

    name = "filedrop"

    def __init__(self, root: Path) -> None:
        self.root = root

    async def transmit(self, submission: Submission) -> Receipt:
        return await anyio.to_thread.run_sync(self._write, submission)

    def _write(self, submission: Submission) -> Receipt:
        folder = self.root / _SAFE.sub("_", submission.org_id)
        stem = _SAFE.sub("_", submission.number)  # "/" is legal in a number, not in a name
        xml_path = folder / f"{stem}.xml"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if xml_path.exists():
                if xml_path.read_bytes() != submission.xml:
                    raise TransmissionError(
                        f"{xml_path} holds another invoice: refusing to overwrite it", retry=False
                    )
            else:
                _atomic_write(xml_path, submission.xml)
            manifest = {
                "invoice_id": submission.invoice_id,
                "number": submission.number,
                "syntax": submission.syntax,
                "sha256": hashlib.sha256(submission.xml).hexdigest(),
                "key": submission.key,
            }
            _atomic_write(folder / f"{stem}.json", json.dumps(manifest, indent=2).encode())
        except OSError as exc:  # a full or missing disk: worth another try later
            raise TransmissionError(f"cannot write to {folder}: {exc}", retry=True) from None
        return Receipt(external_id=str(xml_path.relative_to(self.root)))


def _atomic_write(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
