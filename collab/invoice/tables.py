"""Reference tables for validation: VAT rates in force, the UN/ECE unit codes, the VATEX codes,
the ISO 3166-1 country codes.

The code lists are data (collab/invoice/codes/, shared with the browser, which imports the same
JSON): `codelists.json` is extracted from the official EN 16931 Schematron by
scripts/extract_codelists.py, `unit_names.json` names the common units the editor offers first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from importlib import resources
from types import MappingProxyType
from typing import Any, Final


def _data(name: str) -> Any:
    return json.loads(resources.files("collab.invoice").joinpath("codes", name).read_text("utf-8"))


def _rates(text: str) -> frozenset[Decimal]:
    return frozenset(Decimal(rate).normalize() for rate in text.split())


# Standard, reduced and super-reduced VAT rates of the EU member states, the UK and Switzerland
# (2025), plus 0 for exempt and zero-rated supplies. A rate outside this set is most likely a typo;
# it is reported, not refused.
VAT_RATES: Final = _rates(
    "0 2.1 2.5 2.6 3 3.8 4 4.8 5 5.5 6 7 8 8.1 9 9.5 10 11 12 13 13.5 14 15 16 17 18 19 20 21 "
    "22 23 24 25 25.5 27"
)
# The Canary Islands' IGIC (category L) and Ceuta's and Melilla's IPSI (category M) are not VAT
# and have rates of their own (2025); 0 is allowed for both (BR-AF-05, BR-AG-05).
IGIC_RATES: Final = _rates("0 1 3 5 7 9.5 15 20")
IPSI_RATES: Final = _rates("0 0.5 1 2 3 4 5 6 8 10")
RATES_BY_CATEGORY: Final[Mapping[str, frozenset[Decimal]]] = MappingProxyType(
    {"S": VAT_RATES, "B": VAT_RATES, "L": IGIC_RATES, "M": IPSI_RATES}
)

_CODELISTS: Final = _data("codelists.json")
# Every unit EN 16931 accepts (BR-CL-23): UN/ECE Recommendation 20 with the Recommendation 21
# extension, a little over two thousand codes.
UNIT_CODES: Final = frozenset(_CODELISTS["units"])
# The CEF VATEX exemption reason codes (BR-CL-22).
VATEX_CODES: Final = frozenset(_CODELISTS["vatex"])
# ISO 3166-1 alpha-2 country codes as EN 16931 lists them (BR-CL-14), "1A" (Kosovo) included.
COUNTRY_CODES: Final = frozenset(_CODELISTS["countries"])
# UNTDID 5189 allowance reason codes (BR-CL-19) and UNTDID 7161 charge reason codes (BR-CL-20).
ALLOWANCE_REASONS: Final = frozenset(_CODELISTS["allowance_reasons"])
CHARGE_REASONS: Final = frozenset(_CODELISTS["charge_reasons"])
# The categories the Schematron allows (BR-CL-17), for tests to hold money.TAX_CATEGORIES to.
SCHEMATRON_CATEGORIES: Final = frozenset(_CODELISTS["vat_categories"])

# The units offered first, in order, with their names: {code: {"en": ..., "fr": ...}}.
COMMON_UNITS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        unit["code"]: {"en": unit["en"], "fr": unit["fr"]}
        for unit in _data("unit_names.json")["common"]
    }
)
