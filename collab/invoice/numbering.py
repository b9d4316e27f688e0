"""Legal invoice number formats: a small pattern language, checked once when a series is set up.

A pattern is literal text and placeholders:

- literal characters: `A-Z a-z 0-9 + - _ /` only (what the number itself may hold);
- `{YYYY}`: the issue date's year, 4 digits; `{MM}`: its month, 2 digits;
- `{SEQ}`: the sequence number, `{SEQ:n}`: the same zero-padded to n digits (1 ≤ n ≤ 9);
  exactly one per pattern. A sequence outgrows its padding rather than failing
  (`{SEQ:3}` gives `1000` after `999`), up to MAX_SEQ.

`check_pattern` accepts a pattern only if every number it can produce, for every sequence in
1..MAX_SEQ and every date, matches NUMBER_RE: the worst case is counted with the sequence at 9
digits. Since the sequence is the only part of variable width, a number determines its sequence
and date fields, so numbers of one period are distinct for distinct sequences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

NUMBER_RE: Final = re.compile(r"^[A-Za-z0-9+\-_/]{1,35}$")  # SPEC section 4
MAX_LENGTH: Final = 35
MAX_SEQ_DIGITS: Final = 9
MAX_SEQ: Final = 10**MAX_SEQ_DIGITS - 1

_TOKEN = re.compile(r"\{([^{}]*)\}|([A-Za-z0-9+\-_/]+)|(.)", re.ASCII | re.DOTALL)
_PLACEHOLDER = re.compile(r"(YYYY|MM|SEQ)(?::([1-9][0-9]*))?", re.ASCII)
_WIDTH: Final = {"YYYY": 4, "MM": 2}


class Reset(StrEnum):
    """When a series starts again at 1."""

    NEVER = "never"
    YEARLY = "yearly"


@dataclass(frozen=True, slots=True)
class _Part:
    kind: str  # "text", "YYYY", "MM" or "SEQ"
    text: str = ""
    pad: int = 1


def check_pattern(pattern: str) -> str | None:
    """Why the pattern is unusable, or None when every number it produces is valid."""
    parsed = _parse(pattern)
    return parsed if isinstance(parsed, str) else None


def check_reset(pattern: str, reset: Reset) -> str | None:
    """Why a series resetting at `reset` would repeat numbers with this pattern, or None: a
    series that starts again each year must show the year, or F-000001 comes back next year."""
    parsed = _parse(pattern)
    if isinstance(parsed, str):
        return parsed
    kinds = {part.kind for part in parsed}
    if reset is Reset.YEARLY and "YYYY" not in kinds:
        return "a series that resets yearly needs {YYYY} in its pattern, or numbers repeat"
    return None


def period(reset: Reset, issue_date: date) -> int:
    """The counter an issue on `issue_date` draws from: its year, or 0 for a series that never
    resets (server/organization's `NumberSeries.year`)."""
    return issue_date.year if reset is Reset.YEARLY else 0


def format_number(pattern: str, *, seq: int, issue_date: date) -> str:
    """The number for sequence `seq` issued on `issue_date`. Raises ValueError for a pattern
    check_pattern refuses or a sequence outside 1..MAX_SEQ."""
    parsed = _parse(pattern)
    if isinstance(parsed, str):
        raise ValueError(f"invalid number pattern {pattern!r}: {parsed}")
    if isinstance(seq, bool) or not 1 <= seq <= MAX_SEQ:
        raise ValueError(f"sequence {seq!r} is outside 1..{MAX_SEQ}")
    out: list[str] = []
    for part in parsed:
        if part.kind == "text":
            out.append(part.text)
        elif part.kind == "YYYY":
            out.append(f"{issue_date.year:04d}")
        elif part.kind == "MM":
            out.append(f"{issue_date.month:02d}")
        else:
            out.append(str(seq).zfill(part.pad))
    return "".join(out)


def _parse(pattern: str) -> list[_Part] | str:
    """The pattern's parts, or why it is invalid."""
    if not pattern:
        return "the pattern is empty"
    parts: list[_Part] = []
    for match in _TOKEN.finditer(pattern):
        placeholder, text, other = match.groups()
        if text is not None:
            parts.append(_Part("text", text))
        elif other is not None:
            return f"{other!r} cannot appear in an invoice number (only A-Z a-z 0-9 + - _ /)"
        else:
            part = _placeholder(placeholder)
            if isinstance(part, str):
                return part
            parts.append(part)
    seqs = sum(part.kind == "SEQ" for part in parts)
    if seqs != 1:
        return f"the pattern needs exactly one {{SEQ}} or {{SEQ:n}} (it has {seqs})"
    worst = sum(
        len(p.text) if p.kind == "text" else _WIDTH.get(p.kind, MAX_SEQ_DIGITS) for p in parts
    )
    if worst > MAX_LENGTH:
        return (
            f"numbers could be {worst} characters long (a 9-digit sequence counted), "
            f"over the limit of {MAX_LENGTH}"
        )
    return parts


def _placeholder(inner: str) -> _Part | str:
    match = _PLACEHOLDER.fullmatch(inner)
    if match is None:
        return f"unknown placeholder {{{inner}}} (use {{YYYY}}, {{MM}}, {{SEQ}} or {{SEQ:n}})"
    name, pad = match.groups()
    if pad is None:
        return _Part(name)
    if name != "SEQ":
        return f"only {{SEQ}} takes a width, not {{{inner}}}"
    if not 1 <= int(pad) <= MAX_SEQ_DIGITS:
        return f"the sequence width must be 1 to {MAX_SEQ_DIGITS}, not {pad}"
    return _Part(name, pad=int(pad))
