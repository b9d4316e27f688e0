// Validation messages and totals of a draft, computed in the browser as collab/validation.py
// computes them on the server, so that totals move as people type. The server's answer stays
// the reference: checks that need its tables of identifiers (EU VAT numbers, SIREN) are left
// to it, and the editor shows the server's messages once it has seen the same content.

import { Dec } from './decimal'
import { minorUnits } from './currencies'
import { computeTotals, makeDiscount, makeLine, MoneyError, parseDecimal, type Discount, type Line, type Totals } from './money'
import { DEFAULT_CURRENCY, DEFAULT_TAX_CATEGORY, DEFAULT_UNIT, LINE_ID } from './schema'
import { UNIT_CODES, VAT_RATES } from './tables'

export interface Issue {
  path: string
  code: string
  message: string
}

export interface Evaluation {
  totals: Totals | null
  complete: boolean
  issues: Issue[]
  /** Ids of the lines counted in `totals.lines`, in order. */
  counted: string[]
}

/** Codes only the server can decide (it holds the identifier checksums). */
export const SERVER_ONLY_CODES: ReadonlySet<string> = new Set(['invalid_vat_id', 'invalid_siren'])

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
const VAT_RATE_SET = new Set(VAT_RATES)

export function evaluate(document: { invoice?: unknown; lines?: unknown }): Evaluation {
  const header = isObject(document.invoice) ? document.invoice : {}
  const lines = Array.isArray(document.lines) ? document.lines : []
  const issues: Issue[] = []
  checkHeader(header, issues)
  const currency = typeof header.currency === 'string' && header.currency ? header.currency : DEFAULT_CURRENCY
  const valid: Line[] = []
  const ids: string[] = []
  for (const line of lines) {
    if (!isObject(line)) continue
    const checked = checkLine(line, issues)
    if (checked) {
      valid.push(checked)
      ids.push(String(line[LINE_ID]))
    }
  }
  let complete = valid.length === lines.length
  if (minorUnits(currency) === undefined) return { totals: null, complete: false, issues, counted: [] }
  let discount = readDiscount(header.discount, 'invoice.discount', issues)
  for (;;) {
    try {
      const totals = computeTotals({ lines: valid, currency, discount })
      return { totals, complete, issues, counted: ids }
    } catch (error) {
      if (!(error instanceof MoneyError)) throw error
      complete = false
      if (error.line === null) {
        issues.push({ path: 'invoice.discount.value', code: error.code, message: error.message })
        discount = null
      } else {
        const [lineId] = ids.splice(error.line, 1)
        valid.splice(error.line, 1)
        issues.push({ path: `lines.${lineId}.${error.field ?? 'discount.value'}`, code: error.code, message: error.message })
      }
    }
  }
}

function checkHeader(header: Json, issues: Issue[]): void {
  const currency = header.currency
  if (currency !== undefined && (typeof currency !== 'string' || minorUnits(currency) === undefined)) {
    issues.push({ path: 'invoice.currency', code: 'unknown_currency', message: `unknown currency code ${JSON.stringify(currency)}` })
  }
  const issue = readDate(header.issue_date, 'invoice.issue_date', issues)
  const due = readDate(header.due_date, 'invoice.due_date', issues)
  if (issue && due && due < issue) {
    issues.push({ path: 'invoice.due_date', code: 'due_before_issue', message: 'the due date is before the issue date' })
  }
  const customer = isObject(header.customer) ? header.customer : {}
  const email = customer.email
  if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(email))) {
    issues.push({ path: 'invoice.customer.email', code: 'invalid_email', message: `${JSON.stringify(email)} is not an email address` })
  }
  const address = isObject(customer.address) ? customer.address : {}
  if (address.country && !/^[A-Z]{2}$/.test(String(address.country))) {
    issues.push({
      path: 'invoice.customer.address.country',
      code: 'invalid_country',
      message: `${JSON.stringify(address.country)} is not a two-letter country code (ISO 3166-1, e.g. FR)`
    })
  }
}

function readDate(value: unknown, path: string, issues: Issue[]): string | null {
  if (value === undefined || value === null || value === '') return null
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    issues.push({ path, code: 'invalid_date', message: `${JSON.stringify(value)} is not a date like 2026-12-31` })
    return null
  }
  const [year, month, day] = value.split('-').map(Number) as [number, number, number]
  const date = new Date(Date.UTC(year, month - 1, day))
  if (year < 1 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    issues.push({ path, code: 'invalid_date', message: `${value} is not a real date` })
    return null
  }
  return value // ISO dates compare as strings
}

function checkLine(line: Json, issues: Issue[]): Line | null {
  const prefix = `lines.${String(line[LINE_ID])}`
  const before = issues.length
  const quantity = readNumber(line.quantity, `${prefix}.quantity`, issues)
  const unitPrice = readNumber(line.unit_price, `${prefix}.unit_price`, issues)
  const taxRate = readNumber(line.tax_rate, `${prefix}.tax_rate`, issues)
  const unit = typeof line.unit === 'string' && line.unit ? line.unit : DEFAULT_UNIT
  if (!(unit in UNIT_CODES)) {
    issues.push({ path: `${prefix}.unit`, code: 'unknown_unit', message: `${JSON.stringify(unit)} is not a known UN/ECE unit code` })
  }
  if (taxRate && !VAT_RATE_SET.has(taxRate.normalized().toString())) {
    issues.push({ path: `${prefix}.tax_rate`, code: 'unknown_tax_rate', message: `${taxRate.toString()} % is not a known VAT rate` })
  }
  const discount = readDiscount(line.discount, `${prefix}.discount`, issues)
  if (!quantity || !unitPrice || !taxRate || issues.length > before) return null
  try {
    const category = typeof line.tax_category === 'string' && line.tax_category ? line.tax_category : DEFAULT_TAX_CATEGORY
    return makeLine(quantity, unitPrice, taxRate, category, discount)
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error
    issues.push({ path: `${prefix}.${error.field ?? 'quantity'}`, code: error.code, message: error.message })
    return null
  }
}

function readNumber(value: unknown, path: string, issues: Issue[]): Dec | null {
  if (value === undefined || value === null || value === '') {
    issues.push({ path, code: 'required', message: 'required' })
    return null
  }
  try {
    return parseDecimal(String(value))
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error
    issues.push({ path, code: error.code, message: error.message })
    return null
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
    issues.push({ path: `${path}.${(error.field ?? 'value').split('.').pop()}`, code: error.code, message: error.message })
    return null
  }
}
