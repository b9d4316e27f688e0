// Allowances and charges as EN 16931 states them, beside the lines (collab/invoice/adjustments.py):
// on the document (BG-20/21) each one is bound to one VAT category and rate and moves that group's
// taxable base only; on a line (BG-27/28) it moves the line's net. Either is a fixed amount or a
// percent of a base: the stated one, else the line's amount before allowances (quantity × net
// price) or, on the document, the line nets of its VAT group; rounded half-up to minor units.

import { Dec } from './decimal'
import { checked, MoneyError } from './decimals'

export interface Adjustment {
  /** An allowance (false) or a charge. */
  charge: boolean
  /** Exactly one of `amount` and `percent`. */
  amount: Dec | null
  percent: Dec | null
  /** The stated base (any sign), or null for the default one. */
  base: Dec | null
  /** Document level: the VAT group it joins (rate null for category O only). */
  taxCategory: string
  taxRate: Dec | null
  /** The caller's name for it (a document row id), echoed in the result. */
  key: string
}

/** AdjustmentJSON of collab/invoice/totals.py. */
export interface AdjustmentAmounts {
  id: string
  charge: boolean
  amount: string
  base: string | null
  percent: string | null
  /** Document level only. */
  category: string | null
  /** Document level only, and never for category O. */
  rate: string | null
}

/** A checked adjustment, as collab.invoice.adjustments.Adjustment's constructor checks it (the
 * bounds that depend on the currency or the precision are the invoice's: inputs.ts). */
export function makeAdjustment(fields: Partial<Adjustment> & { charge: boolean }): Adjustment {
  const item: Adjustment = { amount: null, percent: null, base: null, taxCategory: 'S', taxRate: null, key: '', ...fields }
  if ((item.amount === null) === (item.percent === null)) {
    const both = item.amount !== null
    throw new MoneyError(
      'an allowance or charge is an amount or a percent, exactly one of them',
      both ? 'amount_and_percent' : 'required',
      both ? 'percent' : 'amount'
    )
  }
  if (item.amount !== null) item.amount = checked(item.amount, 'amount', Dec.zero())
  if (item.percent !== null) item.percent = checked(item.percent, 'percent', Dec.zero())
  if (item.base !== null) item.base = checked(item.base, 'base')
  return item
}

/** The adjustment's amount, as stated or round_half_up(base × percent / 100), with the base a
 * percent used (or the one stated beside an amount). Bases have at most `places` decimals. */
export function adjustmentAmount(item: Adjustment, defaultBase: Dec, places: number): { amount: Dec; base: Dec | null } {
  // A stated base is given back with the currency's minor units ("50" → "50.00"), as amounts are.
  const stated = item.base === null ? null : item.base.round(places)
  if (item.amount !== null) return { amount: item.amount.round(places), base: stated }
  const base = stated ?? defaultBase
  return { amount: base.mul(item.percent!).percent().round(places), base }
}

export function adjustmentJson(item: Adjustment, amount: Dec, base: Dec | null, category: string | null = null, rate: Dec | null = null): AdjustmentAmounts {
  return {
    id: item.key,
    charge: item.charge,
    amount: amount.toString(),
    base: base === null ? null : base.toString(),
    percent: item.percent === null ? null : item.percent.toString(),
    category,
    rate: rate === null ? null : rate.toString()
  }
}
