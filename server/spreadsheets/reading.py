"""Reading an uploaded CSV file into a header and rows of clean text.

Decisions:
- Encodings: UTF-8 (a leading BOM, as Excel's "CSV UTF-8" writes, is dropped), else
  Windows-1252, what Excel's plain "CSV" writes on a French or English Windows. Bytes that are
  neither (cp1252 leaves five undefined) refuse the file rather than guessing.
- Separators: `,` `;` (Excel in French) or a tab, chosen by the standard library's
  `csv.Sniffer` over the first lines, restricted to those three.
- Every cell is NFC-normalised and loses control and invisible format characters (bidi
  overrides, zero-width spaces, a stray BOM): a name that looks like "ACME" is stored as
  "ACME". Each cell is bounded, as are the file, the row count and the column count.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from typing import Final

DELIMITERS: Final = ",;\t"
MAX_COLUMNS: Final = 200
MAX_CELL: Final = 10_000  # characters: longer is a broken file, not a field
_SNIFF_BYTES: Final = 64 * 1024


class CsvError(Exception):
    """A file that cannot be read as a table; `code` is the API's error code."""

    def __init__(self, message: str, *, code: str = "unreadable_csv") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # each padded or cut to the header's width
    numbers: tuple[int, ...]  # each row's number as a spreadsheet shows it (the header's: 1)
    encoding: str  # "utf-8" or "windows-1252"
    delimiter: str

    def records(self) -> list[dict[str, str]]:
        return [dict(zip(self.header, row, strict=True)) for row in self.rows]


def decode(body: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read with."""
    if b"\x00" in body:
        raise CsvError("the file holds NUL bytes: it is not a CSV text file", code="not_text")
    try:
        return body.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return body.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise CsvError(
            "the file is neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8",
            code="bad_encoding",
        ) from None


def sniff(text: str) -> str:
    """The separator of `text`: `,`, `;` or a tab."""
    sample = "\n".join(text[:_SNIFF_BYTES].splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        # One column, or a sample the sniffer cannot decide: the most frequent separator of
        # the first line, else a comma.
        first = sample.partition("\n")[0]
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def clean(value: str) -> str:
    """NFC text without control or invisible format characters, blanks collapsed."""
    value = unicodedata.normalize("NFC", value)
    kept = "".join(
        " " if char in "\t\r\n" else char
        for char in value
        if char in "\t\r\n" or unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co")
    )
    return " ".join(kept.split())


def read_table(body: bytes, *, max_bytes: int, max_rows: int) -> Table:
    """The header (first non-empty row) and the data rows of a CSV file; blank rows skipped.

    Raises:
        CsvError: too large, not text, no header, duplicate or empty header names, too many
            rows or columns, or malformed quoting.
    """
    if len(body) > max_bytes:
        raise CsvError(f"the file is larger than {max_bytes} bytes", code="too_large")
    if not body.strip():
        raise CsvError("the file is empty", code="empty")
    text, encoding = decode(body)
    delimiter = sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    header: tuple[str, ...] | None = None
    rows: list[tuple[str, ...]] = []
    numbers: list[int] = []
    try:
        for number, raw in enumerate(reader, start=1):
            if len(raw) > MAX_COLUMNS:
                raise CsvError(f"a row has more than {MAX_COLUMNS} columns", code="too_wide")
            if any(len(cell) > MAX_CELL for cell in raw):
                raise CsvError(f"a cell is longer than {MAX_CELL} characters", code="too_wide")
            cells = tuple(clean(cell) for cell in raw)
            if not any(cells):
                continue
            if header is None:
                header = _header(cells)
                continue
            if len(rows) >= max_rows:
                raise CsvError(f"the file has more than {max_rows} rows", code="too_many_rows")
            width = len(header)
            rows.append((cells + ("",) * width)[:width])
            numbers.append(number)
    except csv.Error as exc:
        raise CsvError(f"unreadable CSV: {exc}") from None
    if header is None:
        raise CsvError("the file has no header row", code="empty")
    return Table(
        header=header,
        rows=tuple(rows),
        numbers=tuple(numbers),
        encoding=encoding,
        delimiter=delimiter,
    )


def _header(cells: tuple[str, ...]) -> tuple[str, ...]:
    names = list(cells)
    while names and not names[-1]:
        names.pop()  # a trailing separator
    if not names or any(not name for name in names):
        raise CsvError("every column of the header row needs a name", code="bad_header")
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise CsvError(f"the header names {name!r} twice", code="bad_header")
        seen.add(name.casefold())
    if any(len(name) > 200 for name in names):
        raise CsvError("a column name is longer than 200 characters", code="bad_header")
    return tuple(names)
