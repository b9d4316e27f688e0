// Item price details (BG-29) in the browser engine, on the figures worked by hand in
// tests/test_money_prices.py: BT-146 = BT-148 − BT-147; BT-131 = quantity × BT-146 / BT-149.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Dec } from '../src/decimal'
import { evaluate } from '../src/evaluate'
import { computeTotals, makeLine } from '../src/money'

const D = (text: string): Dec => Dec.parse(text)

test('the line net is per base quantity, rounded half-up', () => {
  const cases: [string, string, string, string][] = [
    ['250', '10.00', '100', '25.00'], // 250 × 10.00 / 100
    ['7', '1.00', '3', '2.33'], // 2.333…
    ['8', '1.00', '3', '2.67'], // 2.666…
    ['1', '0.05', '2', '0.03'], // 0.025, half-up
    ['-1', '0.05', '2', '-0.03'], // ties away from zero
    ['1.5', '2.5', '0.5', '7.50']
  ]
  for (const [quantity, price, base, net] of cases) {
    const totals = computeTotals({ lines: [makeLine(D(quantity), D(price), D('20'), 'S', null, D(base))], currency: 'EUR', discount: null })
    assert.equal(totals.lines[0]!.net, net, `${quantity} × ${price} / ${base}`)
  }
})

test('a gross price and discount give the net price; contradictions are reported', () => {
  const row = (fields: Record<string, string>) => ({ id: 'a', quantity: '250', tax_rate: '20', ...fields })
  // 12.50 − 2.50 = 10.00 per 100 → 25.00, VAT 5.00
  const priced = evaluate({ invoice: {}, lines: [row({ gross_price: '12.50', price_discount: '2.50', base_quantity: '100' })] })
  assert.deepEqual([priced.issues.length, priced.totals?.net, priced.totals?.tax], [0, '25.00', '5.00'])
  const cases: [Record<string, string>, string, string][] = [
    [{ gross_price: '12.50', unit_price: '12.50', price_discount: '2.50' }, 'unit_price', 'price_mismatch'],
    [{ gross_price: '-1' }, 'gross_price', 'negative'],
    [{ gross_price: '10', price_discount: '10.01' }, 'price_discount', 'discount_exceeds_base'],
    [{ price_discount: '1', unit_price: '9' }, 'gross_price', 'required'],
    [{ unit_price: '1', base_quantity: '0' }, 'base_quantity', 'out_of_range'],
    [{}, 'unit_price', 'required']
  ]
  for (const [fields, path, code] of cases) {
    const result = evaluate({ invoice: {}, lines: [row(fields)] })
    assert.deepEqual(result.issues.map((i) => [i.path, i.code]), [[`lines.a.${path}`, code]])
    assert.deepEqual(result.counted, [])
  }
})
