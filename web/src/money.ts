// The EN 16931 money engine of collab/invoice/money.py, in the browser: the same three rounding
// points (a line's quantity × unit price, each discount, the VAT of each (category, rate) group),
// half-up to the currency's minor units, everything else exact. Tests in test/money.test.ts use
// the same worked examples as tests/test_money.py and tests/test_money_en16931.py, and
// tests/test_web_money.py compares both engines on random drafts, so they agree to the cent.
// An allowance is subtracted (BT-131 = quantity × price − allowance): an amount as stated, a
// percent with its base's sign; the document discount goes to the groups that go the invoice's way.

import { Dec } from './decimal'
import { minorUnits } from './currencies'

export const QUANTITY_PLACES = 4
export const UNIT_PRICE_PLACES = 6
export const PERCENT_PLACES = 4
/** BT-114: |rounding| < 1 unit of the currency (collab/invoice/money.py MAX_ROUNDING says why). */
export const MAX_ROUNDING = Dec.of(1n)
export const MAX_TEXT_LENGTH = 40
// UNTDID 5305 codes EN 16931 allows (BR-CL-17/18), as collab/invoice/money.py lists them.
export const TAX_CATEGORIES: ReadonlySet<string> = new Set(['S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M', 'B'])
/** BR-O-05: "not subject to VAT" lines have no VAT rate. */
export const NO_RATE_CATEGORY = 'O'
const MAX_MAGNITUDE = Dec.of(10n ** 15n)
const HUNDRED = Dec.of(100n)

export type DiscountKind = 'percent' | 'amount'

export interface Discount {
  kind: DiscountKind
  value: Dec
}

export interface Line {
  quantity: Dec
  unitPrice: Dec
  /** A percent; null for category O only. */
  taxRate: Dec | null
  taxCategory: string
  discount: Discount | null
  /** BT-149: the unit price is for this many units (1 unless stated). */
  baseQuantity: Dec
}

export interface InvoiceInput {
  lines: readonly Line[]
  currency: string
  discount: Discount | null
  prepaid?: Dec
  rounding?: Dec
}

/** A refused input, with a stable `code` and the field it concerns (relative to its owner). */
export class MoneyError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly field: string | null = null,
    readonly line: number | null = null
  ) {
    super(message)
  }
}

export interface LineAmounts {
  extended: string
  discount: string
  net: string
}

export interface TaxGroup {
  category: string
  rate: string
  base: string
  amount: string
}

export interface Totals {
  currency: string
  lines: LineAmounts[]
  line_total: string
  document_discount: string
  net: string
  tax: string
  gross: string
  prepaid: string
  rounding: string
  due: string
  tax_breakdown: TaxGroup[]
}

/** Reads a decimal string as it travels in the document, like collab.money.parse_decimal. */
export function parseDecimal(text: string): Dec {
  if (text.length > MAX_TEXT_LENGTH || !/^-?[0-9]+(\.[0-9]+)?$/.test(text)) {
    const [reason, code] = diagnose(text)
    const shown = JSON.stringify(text.length <= MAX_TEXT_LENGTH ? text : text.slice(0, MAX_TEXT_LENGTH) + '...')
    throw new MoneyError(`${shown} ${reason}`, code)
  }
  const value = Dec.parse(text)
  return value.isZero() ? value.abs() : value
}

function diagnose(text: string): [string, string] {
  const body = text.startsWith('-') ? text.slice(1) : text
  if (text === '') return ['is empty: expected a number such as 1234.50', 'empty']
  if (text.length > MAX_TEXT_LENGTH) return [`is longer than ${MAX_TEXT_LENGTH} characters`, 'too_long']
  if (text !== text.trim()) return ['has spaces around it', 'whitespace']
  if (['nan', 'snan', 'inf', 'infinity'].includes(body.toLowerCase())) return ['is not a finite number', 'not_finite']
  if (text.includes(',')) return ["contains a comma: use '.' for decimals and no thousands separators", 'separator']
  if ([' ', '_', "'"].some((s) => text.includes(s))) return ['contains a digit separator', 'separator']
  if (text.startsWith('+')) return ["starts with '+': write the number without it", 'plus_sign']
  if (/^-?[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+$/.test(text)) return ['uses exponent notation: write the digits out', 'exponent']
  if (body.endsWith('.') && /^[0-9]+$/.test(body.slice(0, -1))) return ['is incomplete: add digits after the decimal point', 'incomplete']
  if (body.startsWith('.') && /^[0-9]+$/.test(body.slice(1))) return [`needs a digit before the decimal point, such as 0${body}`, 'incomplete']
  if (body === '') return ["is incomplete: digits expected after '-'", 'incomplete']
  return ["is not a number: expected digits, optionally '-' and '.', as in 1234.50", 'syntax']
}

function checked(value: Dec, field: string, minimum?: Dec, maximum?: Dec): Dec {
  if (value.abs().cmp(MAX_MAGNITUDE) >= 0) throw new MoneyError(`${field} is too large: ${value.toString()}`, 'too_large', field)
  if (minimum && value.cmp(minimum) < 0) {
    const code = minimum.isZero() ? 'negative' : 'out_of_range'
    throw new MoneyError(`${field} cannot be below ${minimum.toString()}, got ${value.toString()}`, code, field)
  }
  if (maximum && value.cmp(maximum) > 0) {
    throw new MoneyError(`${field} cannot exceed ${maximum.toString()}, got ${value.toString()}`, 'out_of_range', field)
  }
  return value
}

function checkPlaces(value: Dec, places: number, field: string, currency?: string, line: number | null = null): void {
  if (value.places() > places) {
    const what = currency ? `${currency} amounts have` : `${field} has`
    throw new MoneyError(`${field} ${value.toString()} has too many decimals: ${what} at most ${places}`, 'too_precise', field, line)
  }
}

/** A checked discount, as collab.money.Discount's constructor checks it. */
export function makeDiscount(kind: string, value: Dec): Discount {
  if (kind !== 'percent' && kind !== 'amount') {
    throw new MoneyError(`discount kind must be 'percent' or 'amount', not ${JSON.stringify(kind)}`, 'invalid_kind', 'discount.kind')
  }
  checked(value, 'discount.value', Dec.zero())
  if (kind === 'percent') {
    checkPlaces(value, PERCENT_PLACES, 'discount.value')
    if (value.cmp(HUNDRED) > 0) {
      throw new MoneyError(`a percent discount cannot exceed 100, got ${value.toString()}`, 'out_of_range', 'discount.value')
    }
  }
  return { kind, value }
}

/** BT-113 checked as collab.money.paid_amount checks it: not negative, the currency's minor units. */
export function paidAmount(value: Dec, currency: string): Dec {
  checked(value, 'prepaid', Dec.zero())
  checkPlaces(value, knownPlaces(currency), 'prepaid', currency)
  return value
}

/** BT-114 checked as collab.money.rounding_amount checks it: below one currency unit either way. */
export function roundingAmount(value: Dec, currency: string): Dec {
  checked(value, 'rounding')
  checkPlaces(value, knownPlaces(currency), 'rounding', currency)
  if (value.abs().cmp(MAX_ROUNDING) >= 0) {
    throw new MoneyError(`a rounding amount is below ${MAX_ROUNDING.toString()} ${currency} either way, got ${value.toString()}`, 'out_of_range', 'rounding')
  }
  return value
}

function knownPlaces(currency: string): number {
  const places = minorUnits(currency)
  if (places === undefined) throw new MoneyError(`unknown currency code ${JSON.stringify(currency)}`, 'unknown_currency', 'currency')
  return places
}

/** A checked line, as collab.money.Line's constructor checks it. */
export function makeLine(quantity: Dec, unitPrice: Dec, taxRate: Dec | null, taxCategory: string, discount: Discount | null, baseQuantity: Dec = Dec.of(1n)): Line {
  checked(quantity, 'quantity')
  checkPlaces(quantity, QUANTITY_PLACES, 'quantity')
  checked(unitPrice, 'unit_price', Dec.zero())
  checkPlaces(unitPrice, UNIT_PRICE_PLACES, 'unit_price')
  if (!TAX_CATEGORIES.has(taxCategory)) {
    throw new MoneyError(`unknown tax category ${JSON.stringify(taxCategory)}`, 'unknown_category', 'tax_category')
  }
  if (taxRate === null) {
    if (taxCategory !== NO_RATE_CATEGORY) throw new MoneyError(`category ${taxCategory} needs a VAT rate`, 'required', 'tax_rate')
  } else {
    checked(taxRate, 'tax_rate', Dec.zero(), HUNDRED)
    checkPlaces(taxRate, PERCENT_PLACES, 'tax_rate')
    if (taxCategory === NO_RATE_CATEGORY && !taxRate.isZero()) {
      throw new MoneyError(`category O (not subject to VAT) has no VAT rate, got ${taxRate.toString()} % (BR-O-05)`, 'rate_not_allowed', 'tax_rate')
    }
  }
  checked(baseQuantity, 'base_quantity')
  checkPlaces(baseQuantity, QUANTITY_PLACES, 'base_quantity')
  if (baseQuantity.sign() <= 0) {
    throw new MoneyError(`a price is for a positive number of units, not ${baseQuantity.toString()}`, 'out_of_range', 'base_quantity')
  }
  return { quantity, unitPrice, taxRate, taxCategory, discount, baseQuantity }
}

/** The (category, canonical rate) VAT group of a line; an O line counts at 0 (it bears no VAT). */
export function groupKey(line: Line): { category: string; rate: Dec } {
  return { category: line.taxCategory, rate: (line.taxRate ?? Dec.zero()).normalized() }
}

/** Line nets, the document discount, VAT per (category, rate) and the totals. */
export function computeTotals(invoice: InvoiceInput): Totals {
  const places = minorUnits(invoice.currency)
  if (places === undefined) {
    throw new MoneyError(`unknown currency code ${JSON.stringify(invoice.currency)}`, 'unknown_currency', 'currency')
  }
  invoice.lines.forEach((line, index) => checkAmountDiscount(line.discount, places, invoice.currency, index))
  checkAmountDiscount(invoice.discount, places, invoice.currency, null)
  const prepaid = paidAmount(invoice.prepaid ?? Dec.zero(), invoice.currency)
  const rounding = roundingAmount(invoice.rounding ?? Dec.zero(), invoice.currency)
  const lines = invoice.lines.map((line, index) => {
    const extended = perBase(line.quantity.mul(line.unitPrice), line.baseQuantity, places)
    const discount = discountOn(line.discount, extended, places, index)
    return { extended, discount, net: extended.sub(discount) }
  })
  const lineTotal = sum(lines.map((line) => line.net), places)
  const documentDiscount = discountOn(invoice.discount, lineTotal, places, null)
  const groups = new Map<string, { category: string; rate: Dec; base: Dec }>()
  invoice.lines.forEach((line, index) => {
    const { category, rate } = groupKey(line)
    const key = `${category} ${rate.toString()}`
    const group = groups.get(key) ?? { category, rate, base: Dec.zero(places) }
    group.base = group.base.add(lines[index]!.net)
    groups.set(key, group)
  })
  const ordered = [...groups.values()].sort((a, b) => (a.category < b.category ? -1 : a.category > b.category ? 1 : a.rate.cmp(b.rate)))
  // Only the groups that go the invoice's way share the discount (issue 12): a credit line in
  // another group must not turn part of it into an extra reduction elsewhere.
  const weights = ordered.map((group) => (group.base.sign() * lineTotal.sign() > 0 ? group.base : Dec.zero(places)))
  const shares = allocate(documentDiscount, weights, places)
  const breakdown = ordered.map((group, index) => {
    const base = group.base.sub(shares[index]!)
    return { category: group.category, rate: group.rate, base, amount: base.mul(group.rate).percent().round(places) }
  })
  const net = lineTotal.sub(documentDiscount)
  const tax = sum(breakdown.map((group) => group.amount), places)
  const gross = net.add(tax)
  const paid = prepaid.round(places)
  const roundingAmountDue = rounding.round(places)
  return {
    currency: invoice.currency,
    lines: lines.map((line) => ({ extended: line.extended.toString(), discount: line.discount.toString(), net: line.net.toString() })),
    line_total: lineTotal.toString(),
    document_discount: documentDiscount.toString(),
    net: net.toString(),
    tax: tax.toString(),
    gross: gross.toString(),
    prepaid: paid.toString(),
    rounding: roundingAmountDue.toString(),
    // BT-115 = BT-112 − BT-113 + BT-114 (BR-CO-16)
    due: gross.sub(paid).add(roundingAmountDue).toString(),
    tax_breakdown: breakdown.map((group) => ({
      category: group.category,
      rate: group.rate.toString(),
      base: group.base.toString(),
      amount: group.amount.toString()
    }))
  }
}

function checkAmountDiscount(discount: Discount | null, places: number, currency: string, line: number | null): void {
  if (discount?.kind === 'amount') checkPlaces(discount.value, places, 'discount.value', currency, line)
}

/** The allowance on `base`, to be subtracted from it: a percent has the base's sign, an amount is
 * positive whatever that sign; either at most as large as the base. */
function discountOn(discount: Discount | null, base: Dec, places: number, line: number | null): Dec {
  if (discount === null) return Dec.zero(places)
  if (discount.kind === 'percent') return base.mul(discount.value).percent().round(places)
  if (discount.value.cmp(base.abs()) > 0) {
    const where = line !== null ? 'the line amount' : 'the sum of the line nets'
    throw new MoneyError(
      `discount ${discount.value.toString()} is larger than ${where} (${base.abs().toString()})`,
      'discount_exceeds_base',
      'discount.value',
      line
    )
  }
  return discount.value.round(places)
}

/** round(amount / base) half-up, exactly, on integers (BT-131 = quantity × net price / base
 * quantity), as collab/invoice/money.py `_per_base`. */
function perBase(amount: Dec, base: Dec, places: number): Dec {
  const amountPlaces = amount.places()
  const basePlaces = base.places()
  const numerator = amount.toUnits(amountPlaces) * 10n ** BigInt(basePlaces + places)
  const denominator = base.toUnits(basePlaces) * 10n ** BigInt(amountPlaces)
  return Dec.of(divideHalfUp(numerator, denominator), places)
}

function sum(values: Dec[], places: number): Dec {
  return values.reduce((total, value) => total.add(value), Dec.zero(places))
}

/** Splits `total` over `weights` pro rata; the parts sum to `total` exactly, the rounding
 * remainder going to the weight largest in absolute value (the first one on a tie). */
export function allocate(total: Dec, weights: readonly Dec[], places: number): Dec[] {
  const units = total.toUnits(places)
  const weightUnits = weights.map((weight) => weight.toUnits(places))
  const whole = weightUnits.reduce((a, b) => a + b, 0n)
  if (units === 0n) return weights.map(() => Dec.zero(places))
  if (whole === 0n) throw new Error(`cannot allocate ${total.toString()} over weights that sum to zero`)
  const parts = weightUnits.map((weight) => divideHalfUp(units * weight, whole))
  let largest = 0
  weightUnits.forEach((weight, index) => {
    if (absBig(weight) > absBig(weightUnits[largest]!)) largest = index
  })
  parts[largest] = parts[largest]! + units - parts.reduce((a, b) => a + b, 0n)
  return parts.map((part) => Dec.of(part, places))
}

function absBig(value: bigint): bigint {
  return value < 0n ? -value : value
}

function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  const n = absBig(numerator)
  const d = absBig(denominator)
  let quotient = n / d
  if (2n * (n % d) >= d) quotient += 1n
  return numerator < 0n === denominator < 0n ? quotient : -quotient
}
