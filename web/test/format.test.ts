import assert from 'node:assert/strict'
import { test } from 'node:test'

import { toDocDecimal } from '../src/format'

test('decimal input accepts either separator and stores a dot', () => {
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
  for (const [typed, stored] of cases) assert.equal(toDocDecimal(typed), stored, typed)
})
