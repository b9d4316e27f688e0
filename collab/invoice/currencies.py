"""ISO 4217 currencies and their minor units (the number of decimals an amount carries).

Only active currencies an invoice can be issued in are listed: no funds (BOV, CHE, ...), no
precious metals (XAU, ...), no test or "no currency" codes (XTS, XXX), and no withdrawn codes
(HRK, SLL, ZWL, ...), so a stale code is caught instead of silently priced in cents.
The minor units are ISO 4217's, not everyday practice: ISK, UGX, VND are 0, HUF and IDR are 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["MINOR_UNITS", "UnknownCurrency", "minor_units"]


class UnknownCurrency(ValueError):
    """The code is not an active ISO 4217 currency that Cofacture can invoice in."""

    def __init__(self, code: object) -> None:
        self.code = code
        super().__init__(_explain(code))


_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"  # accounting units (Unidad de Fomento, Unidad Previsional)
_TWO = (
    # Euro area and the other EU currencies first: they are most of Cofacture's invoices.
    "EUR BGN CZK DKK HUF PLN RON SEK "
    "CHF GBP NOK USD CAD AUD NZD CNY HKD SGD "
    "AED AFN ALL AMD ANG AOA ARS AWG AZN BAM BBD BDT BMD BND BOB BRL BSD BTN BWP BYN BZD "
    "CDF COP CRC CUP CVE DOP DZD EGP ERN ETB FJD FKP GEL GHS GIP GMD GTQ GYD HNL HTG IDR "
    "ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT "
    "MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NPR PAB PEN PGK PHP PKR QAR RSD RUB SAR "
    "SBD SCR SDG SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH "
    "UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
)


def _table() -> dict[str, int]:
    table: dict[str, int] = {}
    for units, codes in ((2, _TWO), (0, _ZERO), (3, _THREE), (4, _FOUR)):
        for code in codes.split():
            # A code in two groups would get whichever came last: refuse to start instead.
            if code in table:
                raise RuntimeError(f"currency {code} listed twice")
            table[code] = units
    return dict(sorted(table.items()))


MINOR_UNITS: Mapping[str, int] = MappingProxyType(_table())
"""Read-only map from ISO 4217 alphabetic code to its number of minor-unit decimals."""


def minor_units(code: str) -> int:
    """Return how many decimals amounts in `code` carry (EUR 2, JPY 0, KWD 3).

    Codes are matched exactly: "eur" is refused rather than guessed, because the code is written
    to the legal document as given.

    Raises:
        UnknownCurrency: `code` is not an active ISO 4217 currency code.
    """
    if not isinstance(code, str):
        raise UnknownCurrency(code)
    try:
        return MINOR_UNITS[code]
    except KeyError:
        raise UnknownCurrency(code) from None


def _explain(code: object) -> str:
    if not isinstance(code, str):
        return f"currency code must be a string, not {type(code).__name__}"
    if code.upper() in MINOR_UNITS and code != code.upper():
        return f"currency code {code!r} must be upper case: {code.upper()!r}"
    return f"unknown currency code {code!r}: expected an active ISO 4217 code such as 'EUR'"
