// The VAT rate of a line: a text input whose suggestions follow the line's category (the EU VAT
// rates for S and B, IGIC for L, IPSI for M, 0 for the zero-rated and exempt ones, nothing for O,
// which has no rate: BR-O-05). Any rate can still be typed: one the tables do not know is only
// reported (validation), never refused.

import { h } from '../dom'
import { formatRate } from '../format'
import { RATE_RULES } from '../categories'
import { RATES_BY_CATEGORY } from '../tables'

function ratesFor(category: string): readonly string[] {
  const rule = RATE_RULES[category] ?? 'positive'
  if (rule === 'none') return []
  if (rule === 'zero') return ['0']
  return RATES_BY_CATEGORY[category] ?? RATES_BY_CATEGORY.S!
}

function listFor(category: string): string {
  // One shared list per category; the labels follow the locale the page had when it was built.
  const id = `rates-${category || 'S'}`
  if (!document.getElementById(id)) {
    const rates = ratesFor(category)
    document.body.append(h('datalist', { id }, ...rates.map((rate) => h('option', { value: rate, label: formatRate(rate) }))))
  }
  return id
}

export function rateInput(): HTMLInputElement {
  return h('input', { type: 'text', inputmode: 'decimal', class: 'num rate', autocomplete: 'off', list: listFor('S') })
}

/** Point the input's suggestions at `category`'s rates; an O line shows that it takes none. */
export function adaptRate(input: HTMLInputElement, category: string, noRate: string): void {
  input.setAttribute('list', listFor(category))
  input.placeholder = RATE_RULES[category] === 'none' ? noRate : ''
}
