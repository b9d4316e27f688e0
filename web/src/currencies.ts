// ISO 4217 minor units, the same table as collab/currencies.py (tests/test_web_tables.py checks it).

const GROUPS: Record<number, string> = {
  0:
    'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF',
  2:
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN ' +
    'BWP BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD ' +
    'FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR ' +
    'KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN ' +
    'MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD ' +
    'SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD ' +
    'TZS UAH USD UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG',
  3:
    'BHD IQD JOD KWD LYD OMR TND',
  4:
    'CLF UYW',
}

export const MINOR_UNITS: ReadonlyMap<string, number> = new Map(
  Object.entries(GROUPS).flatMap(([units, codes]) =>
    codes.split(' ').map((code): [string, number] => [code, Number(units)])
  )
)

/** Decimals of an amount in `code`, or undefined for a code that is not an active currency. */
export function minorUnits(code: string): number | undefined {
  return MINOR_UNITS.get(code)
}

// The currencies offered first in the editor; any other code can still be typed.
export const COMMON_CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'SEK', 'DKK', 'NOK', 'PLN', 'CZK', 'CAD', 'KWD']
