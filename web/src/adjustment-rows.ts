// Reading the draft's allowances and charges (the `adjustments` root) for the money engine, as
// collab/invoice/adjustment_rows.py reads them: each row becomes an Adjustment or, when its
// amounts cannot be used, messages on its fields and no adjustment. What EN 16931 requires beyond
// the amounts (a reason or a reason code, BR-33/38/42/44; codes from UNTDID 5189 and 7161,
// BR-CL-19/20) is reported as an error, but the row still counts: its amount is known.

import { makeAdjustment, type Adjustment } from './adjustments'
import { RATE_RULES, rateProblem, unusualRate } from './categories'
import { Dec } from './decimal'
import { MoneyError } from './decimals'
import { TAX_CATEGORIES } from './inputs'
import { empty, isObject, makeIssue, readNumber, readOptional, type Issue, type Json } from './issues'
import { ADJUSTMENT_ID, DEFAULT_TAX_CATEGORY } from './schema'
import { ALLOWANCE_REASONS, CHARGE_REASONS } from './tables'

const TYPES: ReadonlyMap<string, boolean> = new Map([['', false], ['allowance', false], ['charge', true]])
const AMOUNTS = ['amount', 'percent', 'base'] as const

/** The usable rows: the document's (BG-20/21) and each line's (BG-27/28), in row order. */
export interface Adjustments {
  document: Adjustment[]
  byLine: Map<string, Adjustment[]>
  /** Rows whose amounts are not usable. */
  dropped: number
}

/** The document's adjustment rows, read; `lineIds` are the ids of the document's lines. */
export function readAdjustments(rows: readonly unknown[], lineIds: ReadonlySet<string>, issues: Issue[]): Adjustments {
  const found: Adjustments = { document: [], byLine: new Map(), dropped: 0 }
  for (const row of rows) {
    if (!isObject(row)) continue
    const line = String(row.line || '')
    const adjustment = read(row, line, lineIds, issues)
    if (adjustment === null) found.dropped += 1
    else if (line) found.byLine.set(line, [...(found.byLine.get(line) ?? []), adjustment])
    else found.document.push(adjustment)
  }
  return found
}

function read(row: Json, line: string, lineIds: ReadonlySet<string>, issues: Issue[]): Adjustment | null {
  const key = String(row[ADJUSTMENT_ID])
  const prefix = `adjustments.${key}`
  const kind = row.type || ''
  const charge = typeof kind === 'string' ? TYPES.get(kind) : undefined
  if (charge === undefined) {
    issues.push(makeIssue(`${prefix}.type`, 'invalid_type', `${JSON.stringify(kind)} is neither an allowance nor a charge`))
  } else {
    checkReason(row, prefix, charge, issues)
  }
  if (line && !lineIds.has(line)) {
    issues.push(makeIssue(`${prefix}.line`, 'unknown_line', `bound to line ${JSON.stringify(line)}, which is not on the invoice`))
    return null
  }
  const before = issues.length
  if (empty(row.amount) && empty(row.percent)) {
    issues.push(makeIssue(`${prefix}.amount`, 'required', 'an amount or a percent is required'))
  } else if (!empty(row.amount) && !empty(row.percent)) {
    issues.push(makeIssue(`${prefix}.percent`, 'amount_and_percent', 'an amount or a percent, not both'))
  }
  const [amount, percent, base] = AMOUNTS.map((name) => readOptional(row[name], `${prefix}.${name}`, issues)) as [Dec | null, Dec | null, Dec | null]
  let usable = charge !== undefined && issues.length === before
  let category = DEFAULT_TAX_CATEGORY
  let rate: Dec | null = null
  if (!line) {
    const bound = boundTo(row, prefix, issues)
    ;[category, rate] = bound
    usable = usable && bound[2]
  }
  if (!usable || charge === undefined) return null
  try {
    return makeAdjustment({ charge, amount, percent, base, taxCategory: category, taxRate: rate, key })
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error
    issues.push(makeIssue(`${prefix}.${error.field ?? 'amount'}`, error.code, error.message))
    return null
  }
}

function checkReason(row: Json, prefix: string, charge: boolean, issues: Issue[]): void {
  const reason = row.reason
  const code = row.reason_code
  if (!(typeof reason === 'string' && reason.trim()) && !code) {
    const message = `say why: a reason or a reason code is required for ${charge ? 'a charge' : 'an allowance'}`
    issues.push(makeIssue(`${prefix}.reason`, 'reason_required', message))
  }
  const [codes, listName] = charge ? [CHARGE_REASONS, '7161'] : [ALLOWANCE_REASONS, '5189']
  if (code && !codes.has(code as string)) {
    issues.push(makeIssue(`${prefix}.reason_code`, 'unknown_reason_code', `${JSON.stringify(code)} is not a UNTDID ${listName} reason code`))
  }
}

/** A document-level row's VAT category and rate (BT-95/96, BT-102/103), read as a line's, and
 * whether they are usable: a rate unfit for its category is reported, yet counts. */
function boundTo(row: Json, prefix: string, issues: Issue[]): [string, Dec | null, boolean] {
  const category = String(row.tax_category || DEFAULT_TAX_CATEGORY)
  if (!TAX_CATEGORIES.has(category)) {
    const message = `unknown tax category ${JSON.stringify(category)}: expected one of ${[...TAX_CATEGORIES].sort().join(', ')}`
    issues.push(makeIssue(`${prefix}.tax_category`, 'unknown_category', message))
    return [category, null, false]
  }
  const noRate = RATE_RULES[category] === 'none'
  if (noRate && empty(row.tax_rate)) return [category, null, true]
  const rate = readNumber(row.tax_rate, `${prefix}.tax_rate`, issues)
  if (rate === null) return [category, null, false]
  const problem = rateProblem(category, rate)
  if (problem !== null) issues.push(makeIssue(`${prefix}.tax_rate`, 'rate_not_allowed', problem))
  else if (unusualRate(category, rate)) {
    issues.push(makeIssue(`${prefix}.tax_rate`, 'unknown_tax_rate', `${rate.toString()} % is not a ${category} rate in force (likely a typo)`, 'warning'))
  }
  // "0" on an O row says the same as no rate; anything else was reported just above.
  return [category, noRate ? null : rate, true]
}
