"""What each EN 16931 VAT category allows: its rate (BR-x-05) and its exemption reason (BR-x-10).

Pure rules over decimals and strings, shared by validation (messages on fields) and the EN 16931
mapping (the exemption reason and code of each VAT breakdown). web/src/categories.ts mirrors it.

Where the exemption is typed: EN 16931 binds the reason text (BT-120) and code (BT-121) to a VAT
breakdown (BG-23), one per (category, rate). The editor lets people type them on each line of
an exempt category (`exemption_reason`, `exemption_code`), next to the category they explain,
and a breakdown takes the distinct reasons of its lines, joined with "; ", and their one code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Context, Decimal
from enum import Enum
from types import MappingProxyType
from typing import Final

from collab.invoice.tables import RATES_BY_CATEGORY


class RateRule(Enum):
    POSITIVE = "positive"  # S, B: a rate above zero (BR-S-05)
    ZERO = "zero"  # Z, E, AE, K, G: exactly 0 (BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05, BR-G-05)
    NONE = "none"  # O: no rate at all (BR-O-05)
    ANY = "any"  # L, M: 0 or above (BR-AF-05, BR-AG-05)


RATE_RULES: Final[Mapping[str, RateRule]] = MappingProxyType(
    {
        "S": RateRule.POSITIVE,
        "B": RateRule.POSITIVE,
        "Z": RateRule.ZERO,
        "E": RateRule.ZERO,
        "AE": RateRule.ZERO,
        "K": RateRule.ZERO,
        "G": RateRule.ZERO,
        "O": RateRule.NONE,
        "L": RateRule.ANY,
        "M": RateRule.ANY,
    }
)
# Rates have at most 4 decimals below 100: 30 digits normalise them exactly, whatever the
# caller's decimal context says.
_CONTEXT: Final = Context(prec=30)
_RULE_IDS: Final = {"S": "S", "B": "B", "Z": "Z", "E": "E", "AE": "AE", "K": "IC", "G": "G"}

# Categories whose VAT breakdown must state why no VAT is charged (BR-E-10, BR-AE-10, BR-IC-10,
# BR-G-10, BR-O-10); the others must not (BR-S-10, BR-Z-10, BR-AF-10, BR-AG-10).
EXEMPT_CATEGORIES: Final = frozenset({"E", "AE", "K", "G", "O"})
# The text an export states when the lines give none: the standard wording the rules quote, with
# the VATEX code that means it (E has no single code: the article depends on the supply).
DEFAULT_EXEMPTIONS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "E": ("Exempt from VAT", ""),
        "AE": ("Reverse charge", "VATEX-EU-AE"),
        "K": ("Intra-Community supply", "VATEX-EU-IC"),
        "G": ("Export outside the EU", "VATEX-EU-G"),
        "O": ("Not subject to VAT", "VATEX-EU-O"),
    }
)


def rate_problem(category: str, rate: Decimal | None) -> str | None:
    """Why `rate` does not suit `category` (a message naming the rule), or None when it does."""
    rule = RATE_RULES.get(category)
    if rule is RateRule.NONE:
        if rate is not None and not rate.is_zero():
            return f"category O (not subject to VAT) has no VAT rate, not {rate} % (BR-O-05)"
        return None
    if rate is None or rule is None or rule is RateRule.ANY:
        return None
    if rule is RateRule.POSITIVE and rate <= 0:
        return f"category {category} needs a VAT rate above 0 % (BR-{_RULE_IDS[category]}-05)"
    if rule is RateRule.ZERO and not rate.is_zero():
        return f"category {category} has a 0 % VAT rate, not {rate} % (BR-{_RULE_IDS[category]}-05)"
    return None


def unusual_rate(category: str, rate: Decimal | None) -> bool:
    """A rate no tax of the category has in force: most likely a typo, reported, not refused."""
    known = RATES_BY_CATEGORY.get(category)
    if known is None or rate is None:
        return False
    return (rate.normalize(_CONTEXT) if rate else Decimal(0)) not in known


@dataclass(frozen=True, slots=True)
class Exemption:
    """BT-120 reason text and BT-121 VATEX code of one VAT breakdown."""

    reason: str = ""
    code: str = ""

    def __bool__(self) -> bool:
        return bool(self.reason or self.code)


def exemption_of(category: str, lines: Iterable[Exemption]) -> Exemption:
    """The exemption a breakdown of `category` states, from its lines' (in order).

    Distinct reasons are joined with "; "; the code is the first one given (validation reports
    lines that give another). A group whose lines give nothing gets the category's standard
    wording, so an export stays valid; categories that must not state one get none.
    """
    if category not in EXEMPT_CATEGORIES:
        return Exemption()
    given = list(lines)
    reasons = list(dict.fromkeys(line.reason for line in given if line.reason))
    code = next((line.code for line in given if line.code), "")
    if not reasons and not code:
        return Exemption(*DEFAULT_EXEMPTIONS[category])
    return Exemption("; ".join(reasons), code)
