// Validation messages and totals of a draft, computed in the browser as collab/invoice/validation.py
// computes them on the server, so that totals move as people type. The server's answer stays
// the reference: checks that need its tables of identifiers (EU VAT numbers, SIREN) are left
// to it, and the editor shows the server's messages once it has seen the same content.
// A line counts when its amounts are valid; a unit or rate outside the tables, or a rate that
// does not suit the category, is only reported on its field. Allowances and charges (the
// `adjustments` root) are read in src/adjustment-rows.ts and count with their line.

import { readAdjustments } from './adjustment-rows'
import { type Adjustment } from './adjustments'
import { EXEMPT_CATEGORIES, RATE_RULES, rateProblem, unusualRate } from './categories'
import { minorUnits } from './currencies'
import { Dec } from './decimal'
import { empty, isObject, makeIssue, readNumber, readOptional, text, type Issue, type Json, type Severity } from './issues'
import { computeTotals, groupKey, makeDiscount, makeLine, MoneyError, paidAmount, roundingAmount, UNIT_PRICE_PLACES, type Discount, type Line, type Totals } from './money'
import { itemNetPrice } from './prices'
import { CORRECTIVE_INVOICE, DEFAULT_CURRENCY, DEFAULT_TAX_CATEGORY, DEFAULT_UNIT, INVOICE_TYPES, LINE_ID, OPERATIONS, ROOT_ADJUSTMENTS } from './schema'
import { COUNTRY_CODES, UNIT_CODES, VATEX_CODES } from './tables'

export type { Issue, Severity }

export interface Evaluation {
  totals: Totals | null
  complete: boolean
  issues: Issue[]
  /** Ids of the lines counted in `totals.lines`, in order. */
  counted: string[]
}

/** Codes only the server can decide (it holds the identifier checksums). */
export const SERVER_ONLY_CODES: ReadonlySet<string> = new Set(['invalid_vat_id', 'invalid_siren'])

export function evaluate(document: { invoice?: unknown; lines?: unknown; [ROOT_ADJUSTMENTS]?: unknown }): Evaluation {
  const header = isObject(document.invoice) ? document.invoice : {}
  const lines = Array.isArray(document.lines) ? document.lines : []
  const issues: Issue[] = []
  checkHeader(header, issues)
  const currency = typeof header.currency === 'string' && header.currency ? header.currency : DEFAULT_CURRENCY
  const valid: Line[] = []
  const ids: string[] = []
  const rows: Json[] = []
  for (const line of lines) {
    if (!isObject(line)) continue
    const checked = checkLine(line, issues)
    if (checked) {
      valid.push(checked)
      ids.push(String(line[LINE_ID]))
      rows.push(line)
    }
  }
  const lineIds = new Set(lines.filter(isObject).map((line) => String(line[LINE_ID])))
  const adjustments = readAdjustments(Array.isArray(document[ROOT_ADJUSTMENTS]) ? document[ROOT_ADJUSTMENTS] : [], lineIds, issues)
  // A line's allowances and charges count with it; those of a line left out are left out.
  valid.forEach((line, index) => (valid[index] = { ...line, adjustments: adjustments.byLine.get(ids[index]!) ?? [] }))
  const documentAdjustments = adjustments.document
  let complete = valid.length === lines.length && !adjustments.dropped
  if (minorUnits(currency) === undefined) return { totals: null, complete: false, issues, counted: [] }
  let discount = readDiscount(header.discount, 'invoice.discount', issues)
  // An unusable paid or rounding amount is reported and left out (collab/invoice/validation.py).
  const prepaid = readAmount(header, 'prepaid', currency, issues)
  const rounding = readAmount(header, 'rounding', currency, issues)
  for (;;) {
    try {
      const totals = computeTotals({ lines: valid, currency, discount, prepaid, rounding, adjustments: documentAdjustments })
      checkExemptions(valid, rows, issues)
      return { totals, complete, issues, counted: ids }
    } catch (error) {
      if (!(error instanceof MoneyError)) throw error
      complete = false
      if (error.adjustment !== null) {
        dropAdjustment(error, valid, documentAdjustments, issues)
      } else if (error.line === null) {
        issues.push(makeIssue('invoice.discount.value', error.code, error.message))
        discount = null
      } else {
        const [lineId] = ids.splice(error.line, 1)
        valid.splice(error.line, 1)
        rows.splice(error.line, 1)
        issues.push(makeIssue(`lines.${lineId}.${error.field ?? 'discount.value'}`, error.code, error.message))
      }
    }
  }
}

/** Leave out the allowance or charge the engine refused, with its message on its row. */
function dropAdjustment(error: MoneyError, lines: Line[], document: Adjustment[], issues: Issue[]): void {
  let dropped: Adjustment
  if (error.line === null) {
    dropped = document.splice(error.adjustment!, 1)[0]!
  } else {
    const owner = lines[error.line]!
    const kept = [...owner.adjustments]
    dropped = kept.splice(error.adjustment!, 1)[0]!
    lines[error.line] = { ...owner, adjustments: kept }
  }
  issues.push(makeIssue(`adjustments.${dropped.key}.${error.field ?? 'amount'}`, error.code, error.message))
}

function checkHeader(header: Json, issues: Issue[]): void {
  const currency = header.currency
  if (currency !== undefined && (typeof currency !== 'string' || minorUnits(currency) === undefined)) {
    issues.push(makeIssue('invoice.currency', 'unknown_currency', `unknown currency code ${JSON.stringify(currency)}`))
  }
  const issue = readDate(header.issue_date, 'invoice.issue_date', issues)
  const due = readDate(header.due_date, 'invoice.due_date', issues)
  if (issue && due && due < issue) {
    issues.push(makeIssue('invoice.due_date', 'due_before_issue', 'the due date is before the issue date'))
  }
  const customer = isObject(header.customer) ? header.customer : {}
  const email = customer.email
  if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(email))) {
    issues.push(makeIssue('invoice.customer.email', 'invalid_email', `${JSON.stringify(email)} is not an email address`))
  }
  const address = isObject(customer.address) ? customer.address : {}
  checkCountry(address.country, 'invoice.customer.address.country', issues)
  // The French mentions of September 2026 (collab/invoice/validation.py says why).
  const siren = String(customer.siren || '').replace(/ /g, '')
  if (customer.vat_id && !siren && address.country === 'FR') {
    const message = 'required on French e-invoices from September 2026 for a French business'
    issues.push(makeIssue('invoice.customer.siren', 'siren_required', message, 'warning'))
  }
  if (isObject(header.delivery)) checkDelivery(header.delivery, issues)
  const operations = header.operations
  if (operations && !(OPERATIONS as readonly unknown[]).includes(operations)) {
    const message = `${JSON.stringify(operations)} is not a nature of operations (goods, services or mixed)`
    issues.push(makeIssue('invoice.operations', 'invalid_operations', message))
  }
  checkType(header, issue, issues)
}

/** BT-3 and BG-3, as collab/invoice/invoice_type.py: a corrective invoice (384) names the
 * invoice it corrects; any type may refer to one (EN 16931 allows BG-3 on every invoice). */
function checkType(header: Json, issued: string | null, issues: Issue[]): void {
  const code = header.type_code
  if (!empty(code) && !(INVOICE_TYPES as readonly unknown[]).includes(code)) {
    const message = `${JSON.stringify(code)} is not an invoice type (380 invoice, 384 corrective invoice, 386 prepayment invoice)`
    issues.push(makeIssue('invoice.type_code', 'invalid_type_code', message))
  }
  const corrective = code === CORRECTIVE_INVOICE
  const hasNumber = text(header.preceding_number).trim() !== ''
  const stated = readDate(header.preceding_date, 'invoice.preceding_date', issues)
  const given = !empty(header.preceding_date)
  if (corrective && !hasNumber) {
    issues.push(makeIssue('invoice.preceding_number', 'preceding_required', 'a corrective invoice names the invoice it corrects: give its number'))
  } else if (given && !hasNumber) {
    const message = "the preceding invoice's date is left out of the e-invoice without its number"
    issues.push(makeIssue('invoice.preceding_number', 'preceding_required', message, 'warning'))
  }
  if (corrective && !given) {
    issues.push(makeIssue('invoice.preceding_date', 'preceding_date_missing', 'give the date of the invoice this one corrects', 'warning'))
  }
  if (stated && issued && stated > issued) {
    issues.push(makeIssue('invoice.preceding_date', 'preceding_after_issue', "the original invoice is dated after this invoice's issue date"))
  }
}

function checkDelivery(delivery: Json, issues: Issue[]): void {
  if (delivery.address && !isObject(delivery.address)) return
  const address = isObject(delivery.address) ? delivery.address : {}
  const path = 'invoice.delivery.address.country'
  if (address.country) {
    checkCountry(address.country, path, issues)
    return
  }
  const stated = [address.line1, address.line2, address.postcode, address.city, delivery.name]
  if (stated.some((value) => typeof value === 'string' && value.trim())) {
    issues.push(makeIssue(path, 'required', 'a delivery address needs its country (ISO 3166-1, e.g. FR)'))
  }
}

function checkCountry(country: unknown, path: string, issues: Issue[]): void {
  if (country && !COUNTRY_CODES.has(String(country))) {
    const message = `${JSON.stringify(country)} is not an ISO 3166-1 country code (two letters, e.g. FR)`
    issues.push(makeIssue(path, 'invalid_country', message))
  }
}

function readDate(value: unknown, path: string, issues: Issue[]): string | null {
  if (value === undefined || value === null || value === '') return null
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    issues.push(makeIssue(path, 'invalid_date', `${JSON.stringify(value)} is not a date like 2026-12-31`))
    return null
  }
  const [year, month, day] = value.split('-').map(Number) as [number, number, number]
  const date = new Date(Date.UTC(year, month - 1, day))
  if (year < 1 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    issues.push(makeIssue(path, 'invalid_date', `${value} is not a real date`))
    return null
  }
  return value // ISO dates compare as strings
}

function checkLine(line: Json, issues: Issue[]): Line | null {
  const prefix = `lines.${String(line[LINE_ID])}`
  const before = issues.length
  const category = text(line.tax_category) || DEFAULT_TAX_CATEGORY
  const quantity = readNumber(line.quantity, `${prefix}.quantity`, issues)
  // BG-29 (src/prices.ts): with a gross price, the unit price may be left empty.
  const [gross, off, base] = (['gross_price', 'price_discount', 'base_quantity'] as const).map((name) =>
    readOptional(line[name], `${prefix}.${name}`, issues)
  ) as [Dec | null, Dec | null, Dec | null]
  const priced = ['gross_price', 'price_discount'].some((name) => !empty(line[name]))
  const unitPrice = (priced ? readOptional : readNumber)(line.unit_price, `${prefix}.unit_price`, issues)
  const noRate = RATE_RULES[category] === 'none' && (line.tax_rate === undefined || line.tax_rate === null || line.tax_rate === '')
  const taxRate = noRate ? null : readNumber(line.tax_rate, `${prefix}.tax_rate`, issues)
  const discount = readDiscount(line.discount, `${prefix}.discount`, issues)
  const unusable = issues.length > before || !quantity || (!unitPrice && !priced)
  // Below this point only reports: a code missing from a table never drops the line's amounts.
  checkCodes(line, prefix, category, taxRate, issues)
  if (unusable || (!taxRate && !noRate)) return null
  try {
    // "0" on an O line says the same as no rate; anything else is reported above.
    const price = itemNetPrice(unitPrice, gross, off, UNIT_PRICE_PLACES)
    return makeLine(quantity!, price, RATE_RULES[category] === 'none' ? null : taxRate, category, discount, base ?? Dec.of(1n))
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error
    issues.push(makeIssue(`${prefix}.${error.field ?? 'quantity'}`, error.code, error.message))
    return null
  }
}

function checkCodes(line: Json, prefix: string, category: string, rate: Dec | null, issues: Issue[]): void {
  const unit = text(line.unit) || DEFAULT_UNIT
  if (!UNIT_CODES.has(unit)) {
    issues.push(makeIssue(`${prefix}.unit`, 'unknown_unit', `${JSON.stringify(unit)} is not a UN/ECE recommendation 20 or 21 unit code`, 'warning'))
  }
  const problem = rateProblem(category, rate)
  if (problem !== null) issues.push(makeIssue(`${prefix}.tax_rate`, 'rate_not_allowed', problem))
  else if (unusualRate(category, rate)) {
    issues.push(makeIssue(`${prefix}.tax_rate`, 'unknown_tax_rate', `${rate!.toString()} % is not a ${category} rate in force (likely a typo)`, 'warning'))
  }
  const code = text(line.exemption_code)
  if (EXEMPT_CATEGORIES.has(category) && code && !VATEX_CODES.has(code)) {
    issues.push(makeIssue(`${prefix}.exemption_code`, 'unknown_exemption_code', `${JSON.stringify(code)} is not a VATEX exemption code (such as VATEX-EU-132-1I)`))
  }
}

/** One VAT breakdown per (category, rate) states one reason code and needs a reason or a code
 * (BR-E-10, ...): report lines that contradict their group or leave it without. */
function checkExemptions(lines: Line[], rows: Json[], issues: Issue[]): void {
  const keyOf = (line: Line): string => {
    const { category, rate } = groupKey(line)
    return `${category} ${rate.toString()}`
  }
  const firstCode = new Map<string, [string, string]>()
  const explained = new Set<string>()
  lines.forEach((line, index) => {
    if (!EXEMPT_CATEGORIES.has(line.taxCategory)) return
    const row = rows[index]!
    const key = keyOf(line)
    const code = text(row.exemption_code)
    if (code || text(row.exemption_reason).trim()) explained.add(key)
    if (!code) return
    const seen = firstCode.get(key) ?? [code, String(row[LINE_ID])]
    firstCode.set(key, seen)
    if (seen[0] !== code) {
      const message = `lines of category ${line.taxCategory} share one exemption code: line ${seen[1]} gives ${seen[0]}, this one ${code}`
      issues.push(makeIssue(`lines.${String(row[LINE_ID])}.exemption_code`, 'exemption_conflict', message))
    }
  })
  lines.forEach((line, index) => {
    if (EXEMPT_CATEGORIES.has(line.taxCategory) && !explained.has(keyOf(line))) {
      const message = `say why category ${line.taxCategory} bears no VAT (exemption reason or VATEX code); the standard wording is used until then`
      issues.push(makeIssue(`lines.${String(rows[index]![LINE_ID])}.exemption_reason`, 'exemption_missing', message, 'warning'))
    }
  })
}

/** BT-113 `prepaid` or BT-114 `rounding`: empty is zero; an invalid one is reported, zero. */
function readAmount(header: Json, name: 'prepaid' | 'rounding', currency: string, issues: Issue[]): Dec {
  const value = header[name]
  if (value === undefined || value === null || value === '') return Dec.zero()
  const number = readNumber(value, `invoice.${name}`, issues)
  if (!number) return Dec.zero()
  try {
    return name === 'prepaid' ? paidAmount(number, currency) : roundingAmount(number, currency)
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error
    issues.push(makeIssue(`invoice.${name}`, error.code, error.message))
    return Dec.zero()
  }
}

function readDiscount(value: unknown, path: string, issues: Issue[]): Discount | null {
  if (!isObject(value) || value.value === undefined || value.value === null || value.value === '') return null
  const amount = readNumber(value.value, `${path}.value`, issues)
  if (!amount) return null
  try {
    return makeDiscount(typeof value.kind === 'string' && value.kind ? value.kind : 'percent', amount)
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error
    issues.push(makeIssue(`${path}.${(error.field ?? 'value').split('.').pop()}`, error.code, error.message))
    return null
  }
}
