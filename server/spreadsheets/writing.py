"""Writing CSV that spreadsheets open safely.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets (CSV injection, OWASP): such a cell is written with a leading
apostrophe, which spreadsheets show as text and never evaluate. The file is UTF-8 with a BOM,
which is how Excel recognises UTF-8 (without it, "Société" opens as "SociÃ©tÃ©"), and rows
end with CRLF (RFC 4180).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Final

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r", "\n")
BOM: Final = "\ufeff"


def safe_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_bytes(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, delimiter: str = ","
) -> bytes:
    """The table as UTF-8 CSV with a BOM, every cell made formula-safe."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return (BOM + out.getvalue()).encode("utf-8")
