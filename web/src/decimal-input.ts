// What a person typed in a number field, read by the rules of their locale, as the document's
// decimal string ("1234.5"). A thousands separator must never change an amount silently by
// 1000×, so the reading is refused, not guessed, when the text could mean two numbers.
//
// The rule (docs/web.md, "Typing numbers"):
// - spaces (also no-break and narrow no-break ones) are always thousands separators;
// - a "," or "." that appears twice or more is a thousands separator (a number has one decimal
//   separator); when both appear, the last one is the decimal separator;
// - a single "," or "." followed by exactly three digits, after one to three digits that could be
//   a first group ("1,000", "-12.500"), reads two ways: as the locale's thousands separator it
//   is one ("1,000" is a thousand in English), otherwise it is refused as ambiguous ("1.000" in
//   English, "1,000" and "1.000" in French);
// - any other single "," or "." is the decimal separator ("12,5" and "12.5" in both languages);
// - thousands separators must sit between groups of three digits ("12,34" is a decimal, but
//   "1,2,3" or "1 2" are refused).
// A half-typed "12," stays half-typed ("12.") so that the field says it is incomplete; text that
// is not number-like ("1e3", "abc") is kept as typed, and the validation message says why.

import { Dec } from './decimal'

export type Refusal = 'ambiguous' | 'grouping'

/** Read, or refused: an ambiguous text carries its two readings (the decimal one first). */
export type Reading = { ok: true; value: string } | { ok: false; reason: Refusal; readings?: [string, string] }

const SPACES = /[\s\u00a0\u202f]/g

/** The separators `locale` writes: "." and "," in English, "," and a narrow space in French. */
export function separators(locale: string): { decimal: string; group: string } {
  const parts = new Intl.NumberFormat(locale, { useGrouping: true }).formatToParts(12345.5)
  const find = (type: string, fallback: string): string => parts.find((part) => part.type === type)?.value ?? fallback
  return { decimal: find('decimal', '.'), group: find('group', ',') }
}

/** "1", "12", "123" (a group may not start with 0, except a lone "0" that is no ambiguity:
 * 0,000 and 0.000 are both zero). */
const FIRST_GROUP = /^[1-9][0-9]{0,2}$/

/** Groups of three after a first group of one to three digits. */
function validGroups(groups: string[]): boolean {
  const [first, ...rest] = groups
  return first !== undefined && /^[0-9]{1,3}$/.test(first) && rest.every((group) => /^[0-9]{3}$/.test(group))
}

export function readDecimal(typed: string, locale: string): Reading {
  const trimmed = typed.trim()
  const text = trimmed.replace(SPACES, ' ')
  if (!/^-?[0-9.,][0-9., ]*$/.test(text)) return { ok: true, value: trimmed }
  const negative = text.startsWith('-')
  const body = negative ? text.slice(1) : text
  const commas = body.split(',').length - 1
  const dots = body.split('.').length - 1
  let decimal: string | null = null
  if (commas > 0 && dots > 0) {
    decimal = body.lastIndexOf(',') > body.lastIndexOf('.') ? ',' : '.'
    if ((decimal === ',' ? commas : dots) > 1) return { ok: false, reason: 'grouping' }
  } else if (commas === 1 || dots === 1) {
    const mark = commas === 1 ? ',' : '.'
    const [before = '', after = ''] = body.split(mark)
    const couldGroup = /^[0-9]{3}$/.test(after) && FIRST_GROUP.test(before.replace(/ /g, '')) && !before.includes(' ')
    if (!couldGroup) decimal = mark
    else if (separators(locale).group !== mark) {
      const sign = negative ? '-' : ''
      const small = Dec.parse(`${sign}${before}.${after}`).normalized().toString()
      return { ok: false, reason: 'ambiguous', readings: [small, `${sign}${before}${after}`] }
    }
  }
  const at = decimal === null ? -1 : body.lastIndexOf(decimal)
  const whole = at < 0 ? body : body.slice(0, at)
  const fraction = at < 0 ? null : body.slice(at + 1)
  if (fraction !== null && !/^[0-9]*$/.test(fraction)) return { ok: false, reason: 'grouping' }
  const groups = whole.split(/[ .,]/)
  if (groups.length > 1 && !validGroups(groups)) return { ok: false, reason: 'grouping' }
  const digits = groups.join('')
  return { ok: true, value: `${negative ? '-' : ''}${digits}${fraction === null ? '' : `.${fraction}`}` }
}
