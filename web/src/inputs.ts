// The money engine's inputs, checked as collab/invoice/inputs.py checks them: discounts, lines,
// allowances and charges, and the invoice (the bounds that depend on its currency).

import { type Adjustment } from './adjustments'
import { Dec } from './decimal'
import { checked, checkPlaces, MoneyError } from './decimals'

export const QUANTITY_PLACES = 4
export const UNIT_PRICE_PLACES = 6
export const PERCENT_PLACES = 4
// UNTDID 5305 codes EN 16931 allows (BR-CL-17/18), as collab/invoice/inputs.py lists them.
export const TAX_CATEGORIES: ReadonlySet<string> = new Set(['S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M', 'B'])
/** BR-O-05: "not subject to VAT" lines have no VAT rate. */
export const NO_RATE_CATEGORY = 'O'
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
  /** BG-27 / BG-28 besides `discount`, in order. */
  adjustments: readonly Adjustment[]
}

export interface InvoiceInput {
  lines: readonly Line[]
  currency: string
  discount: Discount | null
  prepaid?: Dec
  rounding?: Dec
  /** The document's allowances and charges (BG-20 / BG-21), each bound to its VAT group. */
  adjustments?: readonly Adjustment[]
}

/** A checked discount, as collab.invoice.inputs.Discount's constructor checks it. */
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

/** A checked line, as collab.invoice.inputs.Line's constructor checks it. */
export function makeLine(
  quantity: Dec,
  unitPrice: Dec,
  taxRate: Dec | null,
  taxCategory: string,
  discount: Discount | null,
  baseQuantity: Dec = Dec.of(1n),
  adjustments: readonly Adjustment[] = []
): Line {
  checked(quantity, 'quantity')
  checkPlaces(quantity, QUANTITY_PLACES, 'quantity')
  checked(unitPrice, 'unit_price', Dec.zero())
  checkPlaces(unitPrice, UNIT_PRICE_PLACES, 'unit_price')
  checkCategory(taxCategory)
  checkedRate(taxRate, taxCategory)
  checked(baseQuantity, 'base_quantity')
  checkPlaces(baseQuantity, QUANTITY_PLACES, 'base_quantity')
  if (baseQuantity.sign() <= 0) {
    throw new MoneyError(`a price is for a positive number of units, not ${baseQuantity.toString()}`, 'out_of_range', 'base_quantity')
  }
  return { quantity, unitPrice, taxRate, taxCategory, discount, baseQuantity, adjustments }
}

function checkCategory(category: string): void {
  if (!TAX_CATEGORIES.has(category)) {
    throw new MoneyError(`unknown tax category ${JSON.stringify(category)}`, 'unknown_category', 'tax_category')
  }
}

function checkedRate(taxRate: Dec | null, taxCategory: string): void {
  if (taxRate === null) {
    if (taxCategory !== NO_RATE_CATEGORY) throw new MoneyError(`category ${taxCategory} needs a VAT rate`, 'required', 'tax_rate')
    return
  }
  checked(taxRate, 'tax_rate', Dec.zero(), HUNDRED)
  checkPlaces(taxRate, PERCENT_PLACES, 'tax_rate')
  if (taxCategory === NO_RATE_CATEGORY && !taxRate.isZero()) {
    throw new MoneyError(`category O (not subject to VAT) has no VAT rate, got ${taxRate.toString()} % (BR-O-05)`, 'rate_not_allowed', 'tax_rate')
  }
}

/** What collab.invoice.inputs.InvoiceInput checks on construction, in its order, but for the
 * paid and rounding amounts (money.ts checks them next). `places`: the currency's minor units. */
export function checkInvoice(invoice: InvoiceInput, places: number): void {
  const currency = invoice.currency
  invoice.lines.forEach((line, index) => {
    checkAmountDiscount(line.discount, places, currency, index)
    line.adjustments.forEach((item, number) => checkAdjustment(item, places, currency, index, number))
  })
  ;(invoice.adjustments ?? []).forEach((item, number) => {
    checkAdjustment(item, places, currency, null, number)
    withIndex(null, number, () => {
      checkCategory(item.taxCategory)
      checkedRate(item.taxRate, item.taxCategory)
    })
  })
  checkAmountDiscount(invoice.discount, places, currency, null)
}

function checkAmountDiscount(discount: Discount | null, places: number, currency: string, line: number | null): void {
  if (discount?.kind === 'amount') checkPlaces(discount.value, places, 'discount.value', currency, line)
}

/** Bounds that need the currency: amounts and bases in minor units, percents to 4 places, an
 * allowance at most 100 %. */
function checkAdjustment(item: Adjustment, places: number, currency: string, line: number | null, number: number): void {
  withIndex(line, number, () => {
    if (item.amount !== null) checkPlaces(item.amount, places, 'amount', currency)
    if (item.base !== null) checkPlaces(item.base, places, 'base', currency)
    if (item.percent !== null) {
      checkPlaces(item.percent, PERCENT_PLACES, 'percent')
      if (!item.charge && item.percent.cmp(HUNDRED) > 0) {
        throw new MoneyError(`a percent allowance cannot exceed 100, got ${item.percent.toString()}`, 'out_of_range', 'percent')
      }
    }
  })
}

/** Runs `check`, naming the line and adjustment on the error it throws. */
function withIndex(line: number | null, number: number, check: () => void): void {
  try {
    check()
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error
    throw new MoneyError(error.message, error.code, error.field, line, number)
  }
}
