// Decimal inputs of the money engine, as collab/invoice/decimals.py: what a valid number is and
// how an invalid one is refused (MoneyError with a stable code and the field it concerns).

import { Dec } from './decimal'

export const MAX_TEXT_LENGTH = 40
const MAX_MAGNITUDE = Dec.of(10n ** 15n)

/** A refused input, with a stable `code` and the field it concerns (relative to its owner): the
 * index of the line, or of the allowance or charge, it belongs to when it belongs to one. */
export class MoneyError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly field: string | null = null,
    readonly line: number | null = null,
    readonly adjustment: number | null = null
  ) {
    super(message)
  }
}

/** Reads a decimal string as it travels in the document, like collab.money.parse_decimal. */
export function parseDecimal(text: string): Dec {
  if (text.length > MAX_TEXT_LENGTH || !/^-?[0-9]+(\.[0-9]+)?$/.test(text)) {
    const [reason, code] = diagnose(text)
    const shown = JSON.stringify(text.length <= MAX_TEXT_LENGTH ? text : text.slice(0, MAX_TEXT_LENGTH) + '...')
    throw new MoneyError(`${shown} ${reason}`, code)
  }
  const value = Dec.parse(text)
  return value.isZero() ? value.abs() : value
}

function diagnose(text: string): [string, string] {
  const body = text.startsWith('-') ? text.slice(1) : text
  if (text === '') return ['is empty: expected a number such as 1234.50', 'empty']
  if (text.length > MAX_TEXT_LENGTH) return [`is longer than ${MAX_TEXT_LENGTH} characters`, 'too_long']
  if (text !== text.trim()) return ['has spaces around it', 'whitespace']
  if (['nan', 'snan', 'inf', 'infinity'].includes(body.toLowerCase())) return ['is not a finite number', 'not_finite']
  if (text.includes(',')) return ["contains a comma: use '.' for decimals and no thousands separators", 'separator']
  if ([' ', '_', "'"].some((s) => text.includes(s))) return ['contains a digit separator', 'separator']
  if (text.startsWith('+')) return ["starts with '+': write the number without it", 'plus_sign']
  if (/^-?[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+$/.test(text)) return ['uses exponent notation: write the digits out', 'exponent']
  if (body.endsWith('.') && /^[0-9]+$/.test(body.slice(0, -1))) return ['is incomplete: add digits after the decimal point', 'incomplete']
  if (body.startsWith('.') && /^[0-9]+$/.test(body.slice(1))) return [`needs a digit before the decimal point, such as 0${body}`, 'incomplete']
  if (body === '') return ["is incomplete: digits expected after '-'", 'incomplete']
  return ["is not a number: expected digits, optionally '-' and '.', as in 1234.50", 'syntax']
}

export function checked(value: Dec, field: string, minimum?: Dec, maximum?: Dec): Dec {
  if (value.abs().cmp(MAX_MAGNITUDE) >= 0) throw new MoneyError(`${field} is too large: ${value.toString()}`, 'too_large', field)
  if (minimum && value.cmp(minimum) < 0) {
    const code = minimum.isZero() ? 'negative' : 'out_of_range'
    throw new MoneyError(`${field} cannot be below ${minimum.toString()}, got ${value.toString()}`, code, field)
  }
  if (maximum && value.cmp(maximum) > 0) {
    throw new MoneyError(`${field} cannot exceed ${maximum.toString()}, got ${value.toString()}`, 'out_of_range', field)
  }
  return value
}

export function checkPlaces(value: Dec, places: number, field: string, currency?: string, line: number | null = null): void {
  if (value.places() > places) {
    const what = currency ? `${currency} amounts have` : `${field} has`
    throw new MoneyError(`${field} ${value.toString()} has too many decimals: ${what} at most ${places}`, 'too_precise', field, line)
  }
}
