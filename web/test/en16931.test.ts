// Issue 12's engine defects and VAT categories in the browser engine, on the hand-worked figures
// of tests/test_money_en16931.py (the derivations are written out there).

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { exemptionOf } from '../src/categories'
import { Dec } from '../src/decimal'
import { evaluate } from '../src/evaluate'
import { computeTotals, makeDiscount, makeLine, MoneyError, type Discount, type Line } from '../src/money'

const D = (text: string): Dec => Dec.parse(text)
const line = (quantity: string, price: string, rate: string | null, category = 'S', discount: Discount | null = null): Line =>
  makeLine(D(quantity), D(price), rate === null ? null : D(rate), category, discount)
const eur = (lines: Line[], discount: Discount | null = null) => computeTotals({ lines, currency: 'EUR', discount })
const row = (id: string, fields: Record<string, unknown> = {}) => ({ id, quantity: '1', unit_price: '10', tax_rate: '20', ...fields })
const issuesOf = (lines: Record<string, unknown>[]): Record<string, [string, string | undefined]> =>
  Object.fromEntries(evaluate({ invoice: {}, lines }).issues.map((i) => [i.path, [i.code, i.severity]]))

test('a: a line with an unknown unit or rate is counted and the code reported as a warning', () => {
  const result = evaluate({
    invoice: { currency: 'EUR' },
    lines: [row('a', { quantity: '2', unit_price: '10.00', unit: 'BOX' }), row('b', { unit_price: '50.00', tax_rate: '19.6' })]
  })
  assert.ok(result.complete)
  assert.deepEqual(result.counted, ['a', 'b'])
  assert.deepEqual([result.totals?.net, result.totals?.tax, result.totals?.gross], ['70.00', '13.80', '83.80'])
  assert.deepEqual(
    result.issues.map((i) => [i.path, i.code, i.severity]),
    [
      ['lines.a.unit', 'unknown_unit', 'warning'],
      ['lines.b.tax_rate', 'unknown_tax_rate', 'warning']
    ]
  )
})

test('b: a document discount is not inflated by a credit line in another group', () => {
  const amount = eur([line('1', '100.00', '20'), line('-1', '50.00', '5.5')], makeDiscount('amount', D('10.00')))
  assert.deepEqual(
    amount.tax_breakdown.map((g) => [g.rate, g.base, g.amount]),
    [
      ['5.5', '-50.00', '-2.75'],
      ['20', '90.00', '18.00']
    ]
  )
  assert.deepEqual([amount.net, amount.tax, amount.gross], ['40.00', '15.25', '55.25'])
  const percent = eur([line('1', '100.00', '20'), line('-1', '50.00', '5.5')], makeDiscount('percent', D('10')))
  assert.deepEqual([percent.document_discount, percent.net, percent.tax, percent.gross], ['5.00', '45.00', '16.25', '61.25'])
  const credit = eur([line('-2', '100.00', '20'), line('1', '30.00', '5.5'), line('-1', '100.00', '10')], makeDiscount('percent', D('10')))
  assert.deepEqual(credit.tax_breakdown.map((g) => g.base), ['30.00', '-91.00', '-182.00'])
  assert.deepEqual([credit.net, credit.tax, credit.gross], ['-243.00', '-43.85', '-286.85'])
})

test('c: an amount allowance is subtracted whatever the sign; a percent follows its base', () => {
  const amount = eur([line('-3', '45.00', '21', 'S', makeDiscount('amount', D('60')))])
  assert.deepEqual(amount.lines[0], { extended: '-135.00', discount: '60.00', allowances: '0.00', charges: '0.00', net: '-195.00', adjustments: [] })
  assert.deepEqual([amount.net, amount.tax, amount.gross], ['-195.00', '-40.95', '-235.95'])
  const percent = eur([line('-3', '45.00', '21', 'S', makeDiscount('percent', D('10')))])
  assert.equal(percent.lines[0]!.discount, '-13.50')
  assert.deepEqual([percent.net, percent.tax, percent.gross], ['-121.50', '-25.52', '-147.02'])
  const document = eur([line('-1', '100.00', '20')], makeDiscount('amount', D('10.00')))
  assert.deepEqual([document.document_discount, document.net, document.tax, document.gross], ['10.00', '-110.00', '-22.00', '-132.00'])
  for (const quantity of ['1', '-1']) {
    assert.throws(
      () => eur([line(quantity, '5', '20', 'S', makeDiscount('amount', D('5.01')))]),
      (error: unknown) => error instanceof MoneyError && error.code === 'discount_exceeds_base'
    )
  }
})

test('every category makes its own breakdown; O has no rate', () => {
  const totals = eur([
    line('1', '100', '20', 'S'),
    line('1', '10', '0', 'Z'),
    line('1', '20', '0', 'E'),
    line('1', '30', '0', 'AE'),
    line('1', '40', '0', 'K'),
    line('1', '50', '0', 'G'),
    line('1', '60', null, 'O'),
    line('1', '70', '7', 'L'),
    line('1', '80', '10', 'M'),
    line('1', '90', '22', 'B')
  ])
  assert.deepEqual(
    totals.tax_breakdown.map((g) => `${g.category} ${g.amount}`),
    ['AE 0.00', 'B 19.80', 'E 0.00', 'G 0.00', 'K 0.00', 'L 4.90', 'M 8.00', 'O 0.00', 'S 20.00', 'Z 0.00']
  )
  assert.deepEqual([totals.net, totals.tax, totals.gross], ['550.00', '52.70', '602.70'])
  assert.throws(() => line('1', '1', '20', 'O'), (e: unknown) => e instanceof MoneyError && e.code === 'rate_not_allowed')
  assert.throws(() => line('1', '1', null, 'S'), (e: unknown) => e instanceof MoneyError && e.code === 'required')
})

test('rates that do not suit the category are reported; suitable ones pass', () => {
  const wrong: [string, string, string][] = [
    ['S', '0', 'rate_not_allowed'],
    ['B', '0', 'rate_not_allowed'],
    ['Z', '5.5', 'rate_not_allowed'],
    ['E', '20', 'rate_not_allowed'],
    ['AE', '20', 'rate_not_allowed'],
    ['K', '20', 'rate_not_allowed'],
    ['G', '20', 'rate_not_allowed'],
    ['O', '20', 'rate_not_allowed'],
    ['L', '6.5', 'unknown_tax_rate'],
    ['M', '7', 'unknown_tax_rate']
  ]
  for (const [category, rate, code] of wrong) {
    assert.equal(issuesOf([row('a', { tax_category: category, tax_rate: rate })])['lines.a.tax_rate']?.[0], code, `${category} ${rate}`)
  }
  const right: [string, string][] = [['S', '20'], ['B', '22'], ['Z', '0'], ['E', '0'], ['AE', '0.00'], ['O', ''], ['O', '0'], ['L', '9.5'], ['M', '0.5']]
  for (const [category, rate] of right) {
    const result = evaluate({ invoice: {}, lines: [row('a', { tax_category: category, tax_rate: rate, exemption_reason: 'why' })] })
    assert.deepEqual(result.issues, [], `${category} ${rate}`)
    assert.ok(result.complete)
  }
})

test('exemptions: a missing reason is a warning, codes are VATEX and agree within a group', () => {
  assert.deepEqual(
    issuesOf([
      row('a', { tax_category: 'E', tax_rate: '0' }),
      row('b', { tax_category: 'E', tax_rate: '0', exemption_reason: 'Art. 261 C CGI' }),
      row('c', { tax_category: 'K', tax_rate: '0' })
    ]),
    { 'lines.c.exemption_reason': ['exemption_missing', 'warning'] }
  )
  assert.deepEqual(
    issuesOf([
      row('a', { tax_category: 'E', tax_rate: '0', exemption_code: 'VATEX-EU-132-1I' }),
      row('b', { tax_category: 'E', tax_rate: '0', exemption_code: 'VATEX-EU-132-1J' }),
      row('c', { tax_category: 'G', tax_rate: '0', exemption_code: 'VATEX-XX' })
    ]),
    { 'lines.b.exemption_code': ['exemption_conflict', 'error'], 'lines.c.exemption_code': ['unknown_exemption_code', 'error'] }
  )
  assert.deepEqual(exemptionOf('E', [{ reason: 'x', code: '' }, { reason: 'y', code: 'VATEX-EU-132' }, { reason: 'x', code: '' }]), {
    reason: 'x; y',
    code: 'VATEX-EU-132'
  })
  assert.deepEqual(exemptionOf('K', []), { reason: 'Intra-Community supply', code: 'VATEX-EU-IC' })
  assert.deepEqual(exemptionOf('S', [{ reason: 'x', code: 'y' }]), { reason: '', code: '' })
})
