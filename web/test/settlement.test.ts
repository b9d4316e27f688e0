// Paid amount (BT-113) and rounding amount (BT-114) in the browser engine, on the figures worked
// by hand in tests/test_money_settlement.py: BR-CO-16 BT-115 = BT-112 − BT-113 + BT-114.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Dec } from '../src/decimal'
import { evaluate } from '../src/evaluate'
import { computeTotals, makeLine, MoneyError } from '../src/money'

const D = (text: string): Dec => Dec.parse(text)

test('the amount due is gross minus paid plus rounding', () => {
  // 3 × 33.33 = 99.99 at 20 % → 20.00; BT-112 = 119.99; BT-115 = 119.99 − 50.00 + 0.01 = 70.00
  const totals = computeTotals({ lines: [makeLine(D('3'), D('33.33'), D('20'), 'S', null)], currency: 'EUR', discount: null, prepaid: D('50.00'), rounding: D('0.01') })
  assert.deepEqual([totals.gross, totals.prepaid, totals.rounding, totals.due], ['119.99', '50.00', '0.01', '70.00'])
  // CHF: 99.75 at 8.1 % → 8.08; BT-112 = 107.83, rounded down to the 0.05 coin: 107.80
  const chf = computeTotals({ lines: [makeLine(D('1'), D('99.75'), D('8.1'), 'S', null)], currency: 'CHF', discount: null, rounding: D('-0.03') })
  assert.deepEqual([chf.gross, chf.due], ['107.83', '107.80'])
})

test('the engine refuses a rounding of a unit or more, and amounts past the minor units', () => {
  const refuses = (currency: string, field: 'prepaid' | 'rounding', value: string, code: string): void => {
    assert.throws(
      () => computeTotals({ lines: [], currency, discount: null, [field]: D(value) }),
      (error: unknown) => error instanceof MoneyError && error.code === code && error.field === field
    )
  }
  refuses('EUR', 'rounding', '1.00', 'out_of_range')
  refuses('EUR', 'rounding', '-1', 'out_of_range')
  refuses('EUR', 'rounding', '0.001', 'too_precise')
  refuses('JPY', 'rounding', '0.5', 'too_precise')
  refuses('EUR', 'prepaid', '-0.01', 'negative')
  refuses('KWD', 'prepaid', '1.0001', 'too_precise')
  assert.equal(computeTotals({ lines: [], currency: 'KWD', discount: null, rounding: D('0.999') }).rounding, '0.999')
})

test('validation reports them on their field and leaves refused ones out of the amount due', () => {
  const draft = (header: Record<string, string>) => ({
    invoice: { currency: 'EUR', ...header },
    lines: [{ id: 'a', quantity: '1', unit_price: '100.00', tax_rate: '20' }]
  })
  const cases: [Record<string, string>, string, string, string][] = [
    // 100.00 + 20.00 = 120.00
    [{ prepaid: '12.' }, 'invoice.prepaid', 'incomplete', '120.00'],
    [{ prepaid: '-5' }, 'invoice.prepaid', 'negative', '120.00'],
    [{ rounding: '2', prepaid: '20' }, 'invoice.rounding', 'out_of_range', '100.00'],
    [{ rounding: '0.005' }, 'invoice.rounding', 'too_precise', '120.00']
  ]
  for (const [header, path, code, due] of cases) {
    const result = evaluate(draft(header))
    assert.deepEqual(result.issues.map((i) => [i.path, i.code]), [[path, code]])
    assert.equal(result.totals?.due, due)
  }
  // 120.00 − 100.00 − 0.50 = 19.50
  const valid = evaluate(draft({ prepaid: '100', rounding: '-0.50' }))
  assert.deepEqual([valid.issues.length, valid.totals?.prepaid, valid.totals?.rounding, valid.totals?.due], [0, '100.00', '-0.50', '19.50'])
})
