// The countries a person may choose for an address: EN 16931's ISO 3166-1 list (tables.ts),
// named in the UI's language by the browser (Intl.DisplayNames), offered as a datalist so that
// a code can still be typed ("fr" is stored as "FR").

import { h } from './dom'
import { locale } from './i18n'
import { COUNTRY_CODES } from './tables'

/** The id of the one list on the page; `countryList()` makes it. */
export const COUNTRY_LIST = 'country-codes'

/** "FR" → "France" (or "France" in French); the code itself when the browser has no name. */
export function countryName(code: string): string {
  try {
    return new Intl.DisplayNames([locale()], { type: 'region', fallback: 'code' }).of(code) ?? code
  } catch {
    return code // "1A" (Kosovo in EN 16931) is not a region code the browser knows
  }
}

/** A `<datalist>` of every code with its name, sorted by name in the UI's language. */
export function countryList(): HTMLDataListElement {
  const named = [...COUNTRY_CODES].map((code) => [code, countryName(code)] as const)
  named.sort((a, b) => a[1].localeCompare(b[1], locale()))
  return h('datalist', { id: COUNTRY_LIST }, ...named.map(([code, name]) => h('option', { value: code }, name)))
}
