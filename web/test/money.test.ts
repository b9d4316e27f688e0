// The browser's money engine on the worked examples of tests/test_money.py and
// tests/test_validation.py: the same inputs must give the same strings as the server.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Dec } from '../src/decimal'
import { evaluate } from '../src/evaluate'
import { allocate, computeTotals, makeDiscount, makeLine, MoneyError, parseDecimal, type Discount, type Line } from '../src/money'

const D = (text: string): Dec => Dec.parse(text)
const line = (quantity: string, price: string, rate: string, category = 'S', discount: Discount | null = null): Line =>
  makeLine(D(quantity), D(price), D(rate), category, discount)
const amountOff = (value: string): Discount => makeDiscount('amount', D(value))
const percentOff = (value: string): Discount => makeDiscount('percent', D(value))
const bases = (groups: { category: string; rate: string; base: string }[]): Record<string, string> =>
  Object.fromEntries(groups.map((g) => [`${g.category} ${g.rate}`, g.base]))

test('a line discount reduces the taxable base: 3 × 45.00 − 60.00 at 21 %', () => {
  const totals = computeTotals({ lines: [line('3', '45.00', '21', 'S', amountOff('60'))], currency: 'EUR', discount: null })
  assert.deepEqual(totals.lines[0], { extended: '135.00', discount: '60.00', allowances: '0.00', charges: '0.00', net: '75.00', adjustments: [] })
  assert.equal(totals.net, '75.00')
  assert.equal(totals.tax, '15.75')
  assert.equal(totals.gross, '90.75')
  assert.deepEqual(totals.tax_breakdown, [{ category: 'S', rate: '21', base: '75.00', amount: '15.75' }])
})

test('VAT is rounded once per rate, not per line', () => {
  const lines = [1, 2, 3].map(() => line('1', '2.49', '20'))
  const totals = computeTotals({ lines, currency: 'EUR', discount: null })
  assert.equal(totals.tax, '1.49') // 7.47 × 20 % = 1.494; per line it would be 3 × 0.50
  assert.equal(totals.gross, '8.96')
})

test('a percent line discount rounds half-up', () => {
  const totals = computeTotals({ lines: [line('1', '0.10', '0', 'Z', percentOff('25'))], currency: 'EUR', discount: null })
  assert.equal(totals.lines[0]!.discount, '0.03')
  assert.equal(totals.net, '0.07')
})

test('a JPY invoice has no minor units', () => {
  const totals = computeTotals({
    lines: [line('3', '333.5', '10'), line('1', '1250', '8')],
    currency: 'JPY',
    discount: amountOff('51'),
    prepaid: D('1000')
  })
  assert.deepEqual(totals.lines.map((l) => l.net), ['1001', '1250'])
  assert.deepEqual(bases(totals.tax_breakdown), { 'S 8': '1222', 'S 10': '978' })
  assert.deepEqual(totals.tax_breakdown.map((g) => g.amount), ['98', '98'])
  assert.deepEqual([totals.net, totals.tax, totals.gross, totals.due], ['2200', '196', '2396', '1396'])
})

test('a KWD invoice has three minor units', () => {
  const totals = computeTotals({
    lines: [line('2.5', '0.4567', '5'), line('3', '10.125', '5', 'S', percentOff('10'))],
    currency: 'KWD',
    discount: null
  })
  assert.equal(totals.lines[0]!.net, '1.142')
  assert.equal(totals.lines[1]!.discount, '3.038')
  assert.equal(totals.tax_breakdown[0]!.base, '28.479')
  assert.equal(totals.tax, '1.424')
  assert.equal(totals.gross, '29.903')
})

test('mixed 20 / 5.5 / 0 %: a document discount is allocated pro rata, remainder to the first largest', () => {
  const lines = [line('4', '25.00', '20'), line('2', '50.00', '5.5'), line('1', '100', '0', 'Z')]
  const totals = computeTotals({ lines, currency: 'EUR', discount: amountOff('10.00') })
  assert.deepEqual(bases(totals.tax_breakdown), { 'S 5.5': '96.66', 'S 20': '96.67', 'Z 0': '96.67' })
  assert.deepEqual(totals.tax_breakdown.map((g) => g.amount), ['5.32', '19.33', '0.00'])
  assert.deepEqual([totals.net, totals.tax, totals.gross], ['290.00', '24.65', '314.65'])
})

test('the remainder of an allocation goes to the largest group', () => {
  const lines = [line('4', '25.00', '20'), line('2', '50.00', '5.5'), line('1', '100.01', '0', 'Z')]
  const totals = computeTotals({ lines, currency: 'EUR', discount: amountOff('10.00') })
  assert.deepEqual(bases(totals.tax_breakdown), { 'S 5.5': '96.67', 'S 20': '96.67', 'Z 0': '96.67' })
  assert.equal(totals.document_discount, '10.00')
})

test('mixed rates with a percent document discount', () => {
  const lines = [line('1', '120', '20'), line('1', '50', '5.5'), line('3', '10', '0', 'Z')]
  const totals = computeTotals({ lines, currency: 'EUR', discount: percentOff('10') })
  assert.equal(totals.document_discount, '20.00')
  assert.deepEqual(bases(totals.tax_breakdown), { 'S 5.5': '45.00', 'S 20': '108.00', 'Z 0': '27.00' })
  assert.deepEqual(totals.tax_breakdown.map((g) => g.amount), ['2.48', '21.60', '0.00'])
  assert.deepEqual([totals.net, totals.tax, totals.gross], ['180.00', '24.08', '204.08'])
})

test('prepaid amounts and credit lines', () => {
  const lines = [line('3', '45.00', '21', 'S', amountOff('60'))]
  assert.equal(computeTotals({ lines, currency: 'EUR', discount: null, prepaid: D('50') }).due, '40.75')
  assert.equal(computeTotals({ lines, currency: 'EUR', discount: null, prepaid: D('100.00') }).due, '-9.25')
  // An amount allowance is subtracted whatever the line's sign: -135.00 - 60.00 = -195.00
  const credit = computeTotals({ lines: [line('-3', '45.00', '21', 'S', amountOff('60'))], currency: 'EUR', discount: null })
  assert.equal(credit.lines[0]!.discount, '60.00')
  assert.deepEqual([credit.net, credit.tax, credit.gross], ['-195.00', '-40.95', '-235.95'])
})

test('rate spellings form one group; an empty invoice has zeros with minor units', () => {
  const totals = computeTotals({ lines: [line('1', '1', '20.00'), line('1', '1', '20')], currency: 'EUR', discount: null })
  assert.equal(totals.tax_breakdown.length, 1)
  assert.equal(totals.tax_breakdown[0]!.rate, '20')
  const empty = computeTotals({ lines: [], currency: 'KWD', discount: null })
  assert.deepEqual([empty.net, empty.tax, empty.due, empty.tax_breakdown], ['0.000', '0.000', '0.000', []])
})

test('refusals carry the same codes and fields as the server', () => {
  const cases: [() => unknown, string, string][] = [
    [() => line('1.00001', '1', '20'), 'too_precise', 'quantity'],
    [() => line('1', '0.0000001', '20'), 'too_precise', 'unit_price'],
    [() => line('1', '-1', '20'), 'negative', 'unit_price'],
    [() => line('1', '1', '100.5'), 'out_of_range', 'tax_rate'],
    [() => line('1', '1', '-1'), 'negative', 'tax_rate'],
    [() => line('1', '1', '20', 'X'), 'unknown_category', 'tax_category'],
    [() => line('1000000000000000', '1', '20'), 'too_large', 'quantity'],
    [() => amountOff('-1'), 'negative', 'discount.value'],
    [() => percentOff('100.01'), 'out_of_range', 'discount.value'],
    [() => makeDiscount('fixed', D('1')), 'invalid_kind', 'discount.kind'],
    [() => computeTotals({ lines: [], currency: 'XXX', discount: null }), 'unknown_currency', 'currency']
  ]
  for (const [make, code, field] of cases) {
    assert.throws(make, (error: unknown) => error instanceof MoneyError && error.code === code && error.field === field)
  }
  assert.throws(
    () => computeTotals({ lines: [line('1', '5', '20'), line('-1', '5', '20', 'S', amountOff('6'))], currency: 'EUR', discount: null }),
    (error: unknown) => error instanceof MoneyError && error.code === 'discount_exceeds_base' && error.line === 1
  )
})

test('parseDecimal reads one spelling per number and says why not', () => {
  assert.equal(parseDecimal('1234.50').toString(), '1234.50')
  assert.equal(parseDecimal('-0').toString(), '0')
  const codes: [string, string][] = [
    ['', 'empty'],
    ['12.', 'incomplete'],
    ['.5', 'incomplete'],
    ['-', 'incomplete'],
    ['1,5', 'separator'],
    ['+1', 'plus_sign'],
    ['1e3', 'exponent'],
    [' 1', 'whitespace'],
    ['NaN', 'not_finite'],
    ['abc', 'syntax'],
    ['9'.repeat(41), 'too_long']
  ]
  for (const [text, code] of codes) {
    assert.throws(() => parseDecimal(text), (error: unknown) => error instanceof MoneyError && error.code === code, text)
  }
})

test('allocate splits exactly', () => {
  const parts = allocate(D('0.10'), [D('1.00'), D('1.00'), D('1.00')], 2)
  assert.deepEqual(parts.map(String), ['0.04', '0.03', '0.03'])
})

test('evaluate: the worked example of tests/test_validation.py', () => {
  const result = evaluate({
    invoice: { currency: 'EUR' },
    lines: [{ id: 'a', quantity: '3', unit_price: '45.00', tax_rate: '21', discount: { kind: 'amount', value: '60.00' } }]
  })
  assert.deepEqual(result.issues, [])
  assert.ok(result.complete)
  assert.deepEqual([result.totals?.net, result.totals?.tax, result.totals?.gross], ['75.00', '15.75', '90.75'])
})

test('evaluate: half-typed and invalid values become messages and the other lines still count', () => {
  const base = { quantity: '1', unit_price: '10', tax_rate: '20' }
  const cases: [Record<string, unknown>, string, string][] = [
    [{ quantity: '12.' }, 'lines.a.quantity', 'incomplete'],
    [{ quantity: 'abc' }, 'lines.a.quantity', 'syntax'],
    [{ unit_price: '-5' }, 'lines.a.unit_price', 'negative'],
    [{ unit_price: '' }, 'lines.a.unit_price', 'required'],
    [{ quantity: '1.23456' }, 'lines.a.quantity', 'too_precise'],
    [{ discount: { kind: 'percent', value: '150' } }, 'lines.a.discount.value', 'out_of_range'],
    [{ discount: { kind: 'amount', value: '50' } }, 'lines.a.discount.value', 'discount_exceeds_base']
  ]
  for (const [fields, path, code] of cases) {
    const result = evaluate({ invoice: {}, lines: [{ id: 'a', ...base, ...fields }, { id: 'b', ...base }] })
    assert.equal(result.issues.find((i) => i.path === path)?.code, code, JSON.stringify(fields))
    assert.ok(!result.complete)
    assert.equal(result.totals?.gross, '12.00')
  }
})

test('evaluate: header problems, unknown currency, JPY with a document discount', () => {
  const line = { id: 'a', quantity: '1', unit_price: '10', tax_rate: '20' }
  const codeAt = (invoice: Record<string, unknown>, path: string): string | undefined =>
    evaluate({ invoice, lines: [line] }).issues.find((i) => i.path === path)?.code
  assert.equal(codeAt({ currency: 'EUX' }, 'invoice.currency'), 'unknown_currency')
  assert.equal(codeAt({ issue_date: '2026-12-01', due_date: '2026-11-30' }, 'invoice.due_date'), 'due_before_issue')
  assert.equal(codeAt({ due_date: '2026-02-30' }, 'invoice.due_date'), 'invalid_date')
  assert.equal(codeAt({ due_date: '31/12/2026' }, 'invoice.due_date'), 'invalid_date')
  assert.equal(codeAt({ customer: { email: 'nobody' } }, 'invoice.customer.email'), 'invalid_email')
  assert.equal(codeAt({ customer: { address: { country: 'France' } } }, 'invoice.customer.address.country'), 'invalid_country')
  const unknown = evaluate({ invoice: { currency: 'XYZ' }, lines: [line] })
  assert.ok(unknown.totals === null && !unknown.complete)
  const jpy = evaluate({
    invoice: { currency: 'JPY', discount: { kind: 'amount', value: '100' } },
    lines: [
      { id: 'a', quantity: '2', unit_price: '1000', tax_rate: '10' },
      { id: 'b', quantity: '1', unit_price: '500', tax_rate: '8' }
    ]
  })
  assert.deepEqual(jpy.issues, [])
  assert.equal(jpy.totals?.net, '2400')
  assert.equal(jpy.totals?.tax_breakdown.reduce((sum, g) => sum + Number(g.base), 0), 2400)
})
