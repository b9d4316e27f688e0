// Typing numbers (issue 13): a thousands separator never changes an amount silently. The table
// is worked by hand; the property formats random amounts as each locale writes them and reads
// them back.

import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Dec } from '../src/decimal'
import { readDecimal } from '../src/decimal-input'
import { datePattern, formatDateInput, readDateInput } from '../src/date-input'

const REFUSED = null
const GROUPING = 'grouping'

// [locale, typed, stored | REFUSED (ambiguous) | GROUPING (misplaced separators)]
const TABLE: [string, string, string | null][] = [
  // English: "," groups thousands, "." is the decimal separator.
  ['en-GB', '1,000', '1000'],
  ['en-GB', '12,000', '12000'],
  ['en-GB', '1,234.5', '1234.5'],
  ['en-GB', '1,000,000', '1000000'],
  ['en-GB', '1,000.000', '1000.000'],
  ['en-GB', '1.000', REFUSED], // one, or a thousand written the continental way
  ['en-GB', '-12.500', REFUSED],
  ['en-GB', '1.5', '1.5'],
  ['en-GB', '1.50', '1.50'],
  ['en-GB', '1.0000', '1.0000'],
  ['en-GB', '0.500', '0.500'], // "0,500" is no thousands grouping: only a decimal
  ['en-GB', '1234.567', '1234.567'],
  ['en-GB', '12,5', '12.5'], // not a group of three: the decimal comma
  ['en-GB', '1.000.000', '1000000'], // a decimal separator appears once: grouping
  ['en-GB', '1.234,56', '1234.56'],
  ['en-GB', '1 000', '1000'],
  ['en-GB', '1,2,3', GROUPING],
  ['en-GB', '12,34,567', GROUPING],
  ['en-GB', '1,0000.5', GROUPING],
  ['en-GB', '12 5', GROUPING],
  ['en-GB', '1.000,000.5', GROUPING],
  // French: a (narrow) space groups thousands, "," is the decimal separator.
  ['fr-FR', '1,000', REFUSED], // one, or a thousand written the English way
  ['fr-FR', '1.000', REFUSED],
  ['fr-FR', '999,999', REFUSED],
  ['fr-FR', '1 000', '1000'],
  ['fr-FR', '1\u202f000,50', '1000.50'],
  ['fr-FR', '1\u00a0234\u00a0567', '1234567'],
  ['fr-FR', '12,5', '12.5'],
  ['fr-FR', '12.5', '12.5'],
  ['fr-FR', '1,00', '1.00'],
  ['fr-FR', '1,0000', '1.0000'],
  ['fr-FR', '1234,567', '1234.567'],
  ['fr-FR', '0,250', '0.250'],
  ['fr-FR', '1.000.000', '1000000'],
  ['fr-FR', '1.234,5', '1234.5'],
  ['fr-FR', '1,234.5', '1234.5'],
  ['fr-FR', '12,', '12.'], // half-typed: the field says it is incomplete
  ['fr-FR', '1 00', GROUPING],
  ['fr-FR', '1,2,3', GROUPING]
]

test('typed numbers: saved, or refused when ambiguous (worked by hand)', () => {
  for (const [locale, typed, expected] of TABLE) {
    const reading = readDecimal(typed, locale)
    const label = `${locale} ${JSON.stringify(typed)}`
    if (expected === REFUSED) assert.equal(reading.ok ? reading.value : reading.reason, 'ambiguous', label)
    else if (expected === GROUPING) assert.equal(reading.ok ? reading.value : reading.reason, 'grouping', label)
    else assert.deepEqual(reading, { ok: true, value: expected }, label)
  }
})

test('an ambiguous number names its two readings', () => {
  assert.deepEqual(readDecimal('1.000', 'en-GB'), { ok: false, reason: 'ambiguous', readings: ['1', '1000'] })
  assert.deepEqual(readDecimal('-12,500', 'fr-FR'), { ok: false, reason: 'ambiguous', readings: ['-12.5', '-12500'] })
})

/** A small seeded generator (mulberry32), so that a failure is reproducible from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let x = Math.imul(state ^ (state >>> 15), 1 | state)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

function randomAmount(next: () => number): Dec {
  const digits = 1 + Math.floor(next() * 12)
  let whole = ''
  for (let i = 0; i < digits; i++) whole += String(Math.floor(next() * 10))
  const places = Math.floor(next() * 5) // 0 to 4 decimals
  let fraction = ''
  for (let i = 0; i < places; i++) fraction += String(Math.floor(next() * 10))
  const sign = next() < 0.2 ? '-' : ''
  return Dec.parse(`${sign}${whole.replace(/^0+(?=.)/, '')}${places ? `.${fraction}` : ''}`)
}

test('property: an amount formatted for a locale reads back as the same amount, or is refused', () => {
  for (const seed of [1, 2, 3, 13, 2026]) {
    const next = random(seed)
    for (let i = 0; i < 2000; i++) {
      const amount = randomAmount(next)
      for (const locale of ['en-GB', 'en-US', 'fr-FR', 'fr-CA', 'fr-BE']) {
        for (const useGrouping of [true, false]) {
          const places = amount.scale
          const format = new Intl.NumberFormat(locale, { minimumFractionDigits: places, maximumFractionDigits: places, useGrouping })
          const typed = format.format(amount.toString() as unknown as number).replace('\u2212', '-')
          const reading = readDecimal(typed, locale)
          const label = `seed ${seed}: ${amount.toString()} in ${locale} as ${JSON.stringify(typed)}`
          if (!reading.ok) {
            // Refused only in the ambiguous shape: one separator then exactly three digits.
            assert.equal(reading.reason, 'ambiguous', label)
            assert.equal(places, 3, label)
            continue
          }
          assert.equal(Dec.parse(reading.value).cmp(amount), 0, label)
          assert.equal(reading.value, amount.toString(), label)
        }
      }
    }
  }
})

test('property: money (two decimals) always reads back, whatever the grouping', () => {
  const next = random(42)
  for (let i = 0; i < 5000; i++) {
    const amount = randomAmount(next).round(2)
    for (const locale of ['en-GB', 'fr-FR']) {
      const typed = new Intl.NumberFormat(locale, { minimumFractionDigits: 2 }).format(amount.toString() as unknown as number)
      assert.deepEqual(readDecimal(typed.replace('\u2212', '-'), locale), { ok: true, value: amount.toString() }, `${locale} ${typed}`)
    }
  }
})

test('dates: one text field in the locale order, stored as ISO', () => {
  assert.equal(formatDateInput('2026-11-27', 'fr-FR'), '27/11/2026')
  assert.equal(formatDateInput('2026-11-27', 'en-GB'), '27/11/2026')
  assert.equal(formatDateInput('2026-11-27', 'en-US'), '11/27/2026')
  assert.equal(formatDateInput('27/11/20', 'fr-FR'), '27/11/20') // not a date: as stored
  assert.equal(readDateInput('27/11/2026', 'fr-FR'), '2026-11-27')
  assert.equal(readDateInput('7.3.2026', 'fr-FR'), '2026-03-07')
  assert.equal(readDateInput('11/27/2026', 'en-US'), '2026-11-27')
  assert.equal(readDateInput('2026-3-7', 'en-GB'), '2026-03-07')
  assert.equal(readDateInput('27/11/26', 'en-GB'), '27/11/26') // a two-digit year is not guessed
  assert.equal(readDateInput('', 'en-GB'), '')
  assert.equal(datePattern('fr-FR'), 'jj/mm/aaaa')
  assert.equal(datePattern('en-US'), 'mm/dd/yyyy')
})
