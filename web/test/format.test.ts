import assert from 'node:assert/strict'
import { test } from 'node:test'

import { readDecimal } from '../src/decimal-input'

test('decimal input accepts either decimal separator and stores a dot', () => {
  const cases: [string, string][] = [
    ['12,5', '12.5'],
    ['12.5', '12.5'],
    ['1 234,50', '1234.50'],
    ['1.234,50', '1234.50'],
    ['1,234.50', '1234.50'],
    ['-3', '-3'],
    ['12,', '12.'],
    ['', ''],
    ['abc', 'abc'],
    [' 7 ', '7']
  ]
  for (const locale of ['en-GB', 'fr-FR']) {
    for (const [typed, stored] of cases) assert.deepEqual(readDecimal(typed, locale), { ok: true, value: stored }, `${locale} ${typed}`)
  }
})
