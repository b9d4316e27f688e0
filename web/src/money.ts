// The EN 16931 money engine of collab/invoice/money.py, in the browser: the same three rounding
// points (a line's quantity × unit price, each discount, the VAT of each (category, rate) group),
// half-up to the currency's minor units, everything else exact. Tests in test/money.test.ts use
// the same worked examples as tests/test_money.py and tests/test_money_en16931.py, and
// tests/test_web_money.py compares both engines on random drafts, so they agree to the cent.
// An allowance is subtracted (BT-131 = quantity × price − allowance): an amount as stated, a
// percent with its base's sign; the document discount goes to the groups that go the invoice's way.
// Allowances and charges (src/adjustments.ts) are bound: a line's move its net, a document's move
// its own (category, rate) group only. The inputs are checked in src/inputs.ts.

import { adjustmentAmount, adjustmentJson, makeAdjustment, type Adjustment, type AdjustmentAmounts } from './adjustments'
import { minorUnits } from './currencies'
import { Dec } from './decimal'
import { checked, checkPlaces, MAX_TEXT_LENGTH, MoneyError, parseDecimal } from './decimals'
import { checkInvoice, type Discount, type InvoiceInput, type Line } from './inputs'

export { MAX_TEXT_LENGTH, MoneyError, parseDecimal, makeAdjustment, type Adjustment, type AdjustmentAmounts }
export {
  makeDiscount,
  makeLine,
  NO_RATE_CATEGORY,
  PERCENT_PLACES,
  QUANTITY_PLACES,
  TAX_CATEGORIES,
  UNIT_PRICE_PLACES,
  type Discount,
  type DiscountKind,
  type InvoiceInput,
  type Line
} from './inputs'

/** BT-114: |rounding| < 1 unit of the currency (collab/invoice/money.py MAX_ROUNDING says why). */
export const MAX_ROUNDING = Dec.of(1n)

export interface LineAmounts {
  extended: string
  discount: string
  /** The line's allowance and charge rows (BG-27/28), `discount` apart. */
  allowances: string
  charges: string
  adjustments: AdjustmentAmounts[]
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
  /** The header discount's part of `allowances`. */
  document_discount: string
  /** BT-107 and BT-108: the header discount and the document-level rows. */
  allowances: string
  charges: string
  adjustments: AdjustmentAmounts[]
  /** BT-109 */
  net: string
  tax: string
  gross: string
  prepaid: string
  rounding: string
  due: string
  tax_breakdown: TaxGroup[]
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

/** The (category, canonical rate) VAT group of a line; an O line counts at 0 (it bears no VAT). */
export function groupKey(line: Line): { category: string; rate: Dec } {
  return { category: line.taxCategory, rate: (line.taxRate ?? Dec.zero()).normalized() }
}

/** Line nets, the document discount, the allowances and charges, VAT per (category, rate) and
 * the totals. Throws MoneyError `discount_exceeds_base` when an amount discount or line
 * allowance is larger than the line or the sum of line nets it applies to. */
export function computeTotals(invoice: InvoiceInput): Totals {
  const places = knownPlaces(invoice.currency)
  checkInvoice(invoice, places)
  const prepaid = paidAmount(invoice.prepaid ?? Dec.zero(), invoice.currency)
  const rounding = roundingAmount(invoice.rounding ?? Dec.zero(), invoice.currency)
  const lines = invoice.lines.map((line, index) => lineResult(line, places, index))
  const lineTotal = sum(lines.map((line) => line.net), places)
  const documentDiscount = discountOn(invoice.discount, lineTotal, places, null)
  const groups = new Map<string, Group>()
  const groupOf = (category: string, rate: Dec): Group => {
    const key = `${category} ${rate.toString()}`
    const group = groups.get(key) ?? { category, rate, nets: null, moved: Dec.zero(places) }
    groups.set(key, group)
    return group
  }
  invoice.lines.forEach((line, index) => {
    const { category, rate } = groupKey(line)
    const group = groupOf(category, rate)
    group.nets = (group.nets ?? Dec.zero(places)).add(lines[index]!.net)
  })
  // A document allowance or charge moves its own group only; without a stated base a percent
  // applies to that group's line nets, zero when it has none.
  const adjustments = (invoice.adjustments ?? []).map((item) => {
    const rate = (item.taxRate ?? Dec.zero()).normalized()
    const { amount, base } = adjustmentAmount(item, groups.get(`${item.taxCategory} ${rate.toString()}`)?.nets ?? Dec.zero(places), places)
    return { item, amount, base, rate: item.taxRate === null ? null : rate }
  })
  for (const { item, amount, rate } of adjustments) {
    const group = groupOf(item.taxCategory, rate ?? Dec.zero())
    group.moved = item.charge ? group.moved.add(amount) : group.moved.sub(amount)
  }
  const ordered = [...groups.values()].sort((a, b) => (a.category < b.category ? -1 : a.category > b.category ? 1 : a.rate.cmp(b.rate)))
  // Only the groups that go the invoice's way share the discount (issue 12): a credit line in
  // another group must not turn part of it into an extra reduction elsewhere. The share is of
  // line nets only; the bound allowances and charges then move their own group.
  const weights = ordered.map((group) => {
    const nets = group.nets ?? Dec.zero(places)
    return nets.sign() * lineTotal.sign() > 0 ? nets : Dec.zero(places)
  })
  const shares = allocate(documentDiscount, weights, places)
  const breakdown = ordered.map((group, index) => {
    const base = (group.nets ?? Dec.zero(places)).sub(shares[index]!).add(group.moved)
    return { category: group.category, rate: group.rate, base, amount: base.mul(group.rate).percent().round(places) }
  })
  // BT-107 = the header discount + the document allowances; BT-109 = BT-106 − BT-107 + BT-108
  const allowances = documentDiscount.add(sum(adjustments.filter((a) => !a.item.charge).map((a) => a.amount), places))
  const charges = sum(adjustments.filter((a) => a.item.charge).map((a) => a.amount), places)
  const net = lineTotal.sub(allowances).add(charges)
  const tax = sum(breakdown.map((group) => group.amount), places)
  const gross = net.add(tax)
  const paid = prepaid.round(places)
  const roundingAmountDue = rounding.round(places)
  return {
    currency: invoice.currency,
    lines: lines.map((line) => ({
      extended: line.extended.toString(),
      discount: line.discount.toString(),
      allowances: line.allowances.toString(),
      charges: line.charges.toString(),
      net: line.net.toString(),
      adjustments: line.adjustments
    })),
    line_total: lineTotal.toString(),
    document_discount: documentDiscount.toString(),
    allowances: allowances.toString(),
    charges: charges.toString(),
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
    })),
    adjustments: adjustments.map(({ item, amount, base, rate }) => adjustmentJson(item, amount, base, item.taxCategory, rate))
  }
}

interface LineResult {
  extended: Dec
  discount: Dec
  allowances: Dec
  charges: Dec
  adjustments: AdjustmentAmounts[]
  net: Dec
}

function lineResult(line: Line, places: number, index: number): LineResult {
  const extended = perBase(line.quantity.mul(line.unitPrice), line.baseQuantity, places)
  const discount = discountOn(line.discount, extended, places, index)
  let allowances = Dec.zero(places)
  let charges = Dec.zero(places)
  const adjustments = line.adjustments.map((item, number) => {
    // A percent applies to the line's amount before any allowance; an amount allowance is at most it.
    if (!item.charge && item.amount !== null && item.amount.cmp(extended.abs()) > 0) {
      throw new MoneyError(
        `allowance ${item.amount.toString()} is larger than the line amount (${extended.abs().toString()})`,
        'discount_exceeds_base',
        'amount',
        index,
        number
      )
    }
    const { amount, base } = adjustmentAmount(item, extended, places)
    if (item.charge) charges = charges.add(amount)
    else allowances = allowances.add(amount)
    return adjustmentJson(item, amount, base)
  })
  // BT-131 = quantity × net price − allowances + charges
  return { extended, discount, allowances, charges, adjustments, net: extended.sub(discount).sub(allowances).add(charges) }
}

/** A VAT group: its line nets (null when it has no line), which share the header discount, and
 * what its document allowances and charges move its base by. */
interface Group {
  category: string
  rate: Dec
  nets: Dec | null
  moved: Dec
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
