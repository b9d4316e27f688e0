"""Reference tables for validation: VAT rates in force and UN/ECE recommendation 20 unit codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

# Standard, reduced and super-reduced VAT rates of the EU member states, the UK and Switzerland
# (2025), plus 0 for exempt and zero-rated supplies. A rate outside this set is most likely a typo;
# it is reported, not refused.
_RATES = (
    "0 2.1 2.5 2.6 3 3.8 4 4.8 5 5.5 6 7 8 8.1 9 9.5 10 11 12 13 13.5 14 15 16 17 18 19 20 21 "
    "22 23 24 25 25.5 27"
)
VAT_RATES: Final = frozenset(Decimal(rate).normalize() for rate in _RATES.split())

# The unit codes invoicing actually uses (UN/ECE recommendation 20 and 21), with their names.
UNIT_CODES: Final = {
    "C62": "one",
    "H87": "piece",
    "EA": "each",
    "SET": "set",
    "PR": "pair",
    "XPK": "package",
    "LS": "lump sum",
    "E48": "service unit",
    "P1": "percent",
    "SEC": "second",
    "MIN": "minute",
    "HUR": "hour",
    "DAY": "day",
    "WEE": "week",
    "MON": "month",
    "ANN": "year",
    "GRM": "gram",
    "KGM": "kilogram",
    "TNE": "tonne",
    "MMT": "millimetre",
    "CMT": "centimetre",
    "MTR": "metre",
    "KMT": "kilometre",
    "MTK": "square metre",
    "MTQ": "cubic metre",
    "MLT": "millilitre",
    "LTR": "litre",
    "KWH": "kilowatt hour",
    "MWH": "megawatt hour",
    "ZZ": "mutually defined",
}
