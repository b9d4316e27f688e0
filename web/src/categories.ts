// What each EN 16931 VAT category allows, as collab/invoice/categories.py says it: its rate
// (BR-x-05) and its exemption reason (BR-x-10). An exemption is typed on each line of an exempt
// category; a VAT breakdown states the distinct reasons of its lines and their one VATEX code.

import { Dec } from './decimal'
import { RATES_BY_CATEGORY } from './tables'

export type RateRule = 'positive' | 'zero' | 'none' | 'any'

export const RATE_RULES: Readonly<Record<string, RateRule>> = {
  S: 'positive',
  B: 'positive',
  Z: 'zero',
  E: 'zero',
  AE: 'zero',
  K: 'zero',
  G: 'zero',
  O: 'none',
  L: 'any',
  M: 'any'
}
const RULE_IDS: Readonly<Record<string, string>> = { S: 'S', B: 'B', Z: 'Z', E: 'E', AE: 'AE', K: 'IC', G: 'G' }

/** Categories whose VAT breakdown must say why no VAT is charged (BR-E-10, BR-AE-10, ...). */
export const EXEMPT_CATEGORIES: ReadonlySet<string> = new Set(['E', 'AE', 'K', 'G', 'O'])
/** The standard wording an export states when the lines give none. */
export const DEFAULT_EXEMPTIONS: Readonly<Record<string, Exemption>> = {
  E: { reason: 'Exempt from VAT', code: '' },
  AE: { reason: 'Reverse charge', code: 'VATEX-EU-AE' },
  K: { reason: 'Intra-Community supply', code: 'VATEX-EU-IC' },
  G: { reason: 'Export outside the EU', code: 'VATEX-EU-G' },
  O: { reason: 'Not subject to VAT', code: 'VATEX-EU-O' }
}

export interface Exemption {
  reason: string
  code: string
}

/** Why `rate` does not suit `category`, or null when it does. */
export function rateProblem(category: string, rate: Dec | null): string | null {
  const rule = RATE_RULES[category]
  if (rule === 'none') {
    return rate !== null && !rate.isZero() ? `category O (not subject to VAT) has no VAT rate, not ${rate.toString()} % (BR-O-05)` : null
  }
  if (rate === null || rule === undefined || rule === 'any') return null
  if (rule === 'positive' && rate.sign() <= 0) return `category ${category} needs a VAT rate above 0 % (BR-${RULE_IDS[category]}-05)`
  if (rule === 'zero' && !rate.isZero()) return `category ${category} has a 0 % VAT rate, not ${rate.toString()} % (BR-${RULE_IDS[category]}-05)`
  return null
}

/** A rate no tax of the category has in force: most likely a typo, reported, not refused. */
export function unusualRate(category: string, rate: Dec | null): boolean {
  const known = RATES_BY_CATEGORY[category]
  if (known === undefined || rate === null) return false
  return !known.includes(rate.normalized().toString())
}

/** The exemption a breakdown of `category` states, from its lines' (in order). */
export function exemptionOf(category: string, lines: Iterable<Exemption>): Exemption {
  if (!EXEMPT_CATEGORIES.has(category)) return { reason: '', code: '' }
  const given = [...lines]
  const reasons = [...new Set(given.map((line) => line.reason).filter(Boolean))]
  const code = given.find((line) => line.code)?.code ?? ''
  if (!reasons.length && !code) return DEFAULT_EXEMPTIONS[category]!
  return { reason: reasons.join('; '), code }
}
