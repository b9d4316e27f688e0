// BT-3 and BG-3 in the browser engine: the same messages as collab/invoice/invoice_type.py
// (tests/test_invoice_types.py works the cases out and compares both engines on them).

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { evaluate } from '../src/evaluate'

const row = { id: 'a', quantity: '2', unit_price: '100.00', tax_rate: '20' }
const issuesOf = (header: Record<string, unknown>): [string, string, string | undefined][] =>
  evaluate({ invoice: { currency: 'EUR', issue_date: '2026-03-02', ...header }, lines: [row] }).issues.map((i) => [i.path, i.code, i.severity])

test('an invoice, a prepayment invoice and a complete corrective invoice say nothing', () => {
  assert.deepEqual(issuesOf({}), [])
  assert.deepEqual(issuesOf({ type_code: '386' }), [])
  assert.deepEqual(issuesOf({ type_code: '384', preceding_number: 'F-7', preceding_date: '2026-03-02' }), [])
})

test('381 and unknown codes are refused: a credit note comes from the credit-note flow', () => {
  assert.deepEqual(issuesOf({ type_code: '381' }), [['invoice.type_code', 'invalid_type_code', 'error']])
})

test('a corrective invoice needs the number (error) and should give the date (warning)', () => {
  assert.deepEqual(issuesOf({ type_code: '384' }), [
    ['invoice.preceding_number', 'preceding_required', 'error'],
    ['invoice.preceding_date', 'preceding_date_missing', 'warning']
  ])
  assert.deepEqual(issuesOf({ type_code: '384', preceding_number: 'F-7', preceding_date: '2026-03-03' }), [
    ['invoice.preceding_date', 'preceding_after_issue', 'error']
  ])
})

test('any invoice may refer to another; a date alone is a warning', () => {
  assert.deepEqual(issuesOf({ preceding_number: 'A-1' }), [])
  assert.deepEqual(issuesOf({ preceding_date: '2026-01-05' }), [['invoice.preceding_number', 'preceding_required', 'warning']])
})

test('the type does not change the totals', () => {
  const plain = evaluate({ invoice: { currency: 'EUR' }, lines: [row] }).totals
  const corrective = evaluate({ invoice: { currency: 'EUR', type_code: '384', preceding_number: 'F-7' }, lines: [row] }).totals
  assert.deepEqual(corrective, plain)
  assert.equal(plain?.gross, '240.00')
})
