"""The browser's reference tables (web/src/currencies.ts, web/src/tables.ts) hold what collab's
hold: the same minor units per currency, VAT rates and unit codes."""

from __future__ import annotations

import re
from decimal import Decimal

from collab.invoice.currencies import MINOR_UNITS
from collab.invoice.tables import UNIT_CODES, VAT_RATES
from tests.web.build import WEB


def test_minor_units_agree() -> None:
    source = (WEB / "src" / "currencies.ts").read_text()
    block = source[source.index("const GROUPS") : source.index("}")]
    found: dict[str, int] = {}
    for units, codes in re.findall(r"(\d+):\s*((?:'[A-Z ]+'(?:\s*\+\s*)?)+)", block):
        for code in "".join(re.findall(r"'([A-Z ]+)'", codes)).split():
            found[code] = int(units)
    assert found == dict(MINOR_UNITS)


def test_vat_rates_and_unit_codes_agree() -> None:
    source = (WEB / "src" / "tables.ts").read_text()
    start = source.index("VAT_RATES")
    rates_block = source[source.index("= [", start) : source.index("\n]", start)]
    rates = {Decimal(r).normalize() for r in re.findall(r"'([0-9.]+)'", rates_block)}
    assert rates == {Decimal(r).normalize() for r in VAT_RATES}
    units_block = source[source.index("UNIT_CODES") :]
    assert dict(re.findall(r"^\s+([A-Z0-9]+): '([^']*)'", units_block, re.M)) == UNIT_CODES
