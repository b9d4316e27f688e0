// Reference tables of collab/invoice/tables.py (tests/test_web_tables.py checks that they agree):
// the code lists come from the same JSON files in collab/invoice/codes, bundled into the app.

import codelists from '../../collab/invoice/codes/codelists.json'
import unitNames from '../../collab/invoice/codes/unit_names.json'

export const VAT_RATES: readonly string[] = [
  '0', '2.1', '2.5', '2.6', '3', '3.8', '4', '4.8', '5', '5.5', '6', '7', '8', '8.1', '9', '9.5', '10', '11', '12', '13', '13.5', '14', '15', '16', '17', '18', '19', '20', '21', '22', '23', '24', '25', '25.5', '27'
]
// The Canary Islands' IGIC (category L) and Ceuta's and Melilla's IPSI (category M).
export const IGIC_RATES: readonly string[] = ['0', '1', '3', '5', '7', '9.5', '15', '20']
export const IPSI_RATES: readonly string[] = ['0', '0.5', '1', '2', '3', '4', '5', '6', '8', '10']
/** The rates in force per category, for the categories that have more than 0 (or none). */
export const RATES_BY_CATEGORY: Readonly<Record<string, readonly string[]>> = { S: VAT_RATES, B: VAT_RATES, L: IGIC_RATES, M: IPSI_RATES }

/** Every unit EN 16931 accepts (BR-CL-23): UN/ECE Recommendation 20 with its Rec 21 extension. */
export const UNIT_CODES: ReadonlySet<string> = new Set(codelists.units)
/** The CEF VATEX exemption reason codes (BR-CL-22). */
export const VATEX_CODES: ReadonlySet<string> = new Set(codelists.vatex)
/** ISO 3166-1 alpha-2 country codes as EN 16931 lists them (BR-CL-14), "1A" (Kosovo) included. */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(codelists.countries)
/** UNTDID 5189 allowance reason codes (BR-CL-19) and UNTDID 7161 charge reason codes (BR-CL-20). */
export const ALLOWANCE_REASONS: ReadonlySet<string> = new Set(codelists.allowance_reasons)
export const CHARGE_REASONS: ReadonlySet<string> = new Set(codelists.charge_reasons)
/** The units the editor offers first, in order, with their English and French names. */
export const COMMON_UNITS: readonly { code: string; en: string; fr: string }[] = unitNames.common
