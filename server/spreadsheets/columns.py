"""Proposing which column of a file holds which field, from the header's names.

A name matches an alias when both are equal once normalised: letter case, accents, and
punctuation ("Organization - Name", "E-mail", "N° TVA") set aside, so "Pays/Région" matches
"pays region". Each column serves one field at most, the first field listed that names it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalise(name: str) -> str:
    """`name` lower-cased, without accents, its punctuation as single spaces."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", plain).strip()


def propose(header: Sequence[str], aliases: Mapping[str, Sequence[str]]) -> dict[str, str | None]:
    """For each field of `aliases`, the column of `header` that names it, else None."""
    by_name = {normalise(column): column for column in reversed(header)}
    taken: set[str] = set()
    proposal: dict[str, str | None] = {}
    for field, names in aliases.items():
        found = None
        for alias in names:
            column = by_name.get(normalise(alias))
            if column is not None and column not in taken:
                found = column
                break
        if found is not None:
            taken.add(found)
        proposal[field] = found
    return proposal


def matches(header: Sequence[str], required: Sequence[Sequence[str]]) -> bool:
    """Whether `header` has, for each group of `required`, a column named by one of its names."""
    names = {normalise(column) for column in header}
    return all(any(normalise(alias) in names for alias in group) for group in required)
