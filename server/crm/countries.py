"""A country as CRMs write it ("France", "Allemagne", "United Kingdom", "GB") to its ISO
3166-1 alpha-2 code, from the CLDR names Babel ships in English and French."""

from __future__ import annotations

from functools import cache

from babel import Locale

from collab.invoice.tables import COUNTRY_CODES
from server.spreadsheets.columns import normalise

# Names CRMs use that CLDR spells otherwise.
_EXTRA = {
    "usa": "US",
    "us": "US",
    "united states of america": "US",
    "etats unis d amerique": "US",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "angleterre": "GB",
    "grande bretagne": "GB",
    "holland": "NL",
    "hollande": "NL",
}


@cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in ("en", "fr"):
        for code, name in Locale.parse(language).territories.items():
            if code in COUNTRY_CODES:
                names.setdefault(normalise(name), code)
    for name, code in _EXTRA.items():
        names.setdefault(name, code)
    return names


def country_code(value: str) -> str | None:
    """The alpha-2 code `value` names or is; None when it names no country."""
    text = value.strip()
    if len(text) == 2 and text.upper() in COUNTRY_CODES:
        return text.upper()
    return _names().get(normalise(text))
