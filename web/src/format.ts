// Amounts, rates and dates in the user's locale, and decimal input read by the locale's rules.

import { minorUnits } from './currencies'
import { readDecimal, type Reading } from './decimal-input'
import { locale, t } from './i18n'

/** "1234.5" in EUR → "1 234,50 €" (fr) or "€1,234.50" (en). Exact: the string is formatted,
 * never converted to a float. */
export function formatMoney(value: string, currency: string): string {
  const places = minorUnits(currency)
  if (places === undefined) return `${value} ${currency}`
  const format = new Intl.NumberFormat(locale(), {
    style: 'currency',
    currency,
    minimumFractionDigits: places,
    maximumFractionDigits: places
  })
  return format.format(value as unknown as number)
}

/** "5.5" → "5,5 %" (fr) or "5.5%" (en). */
export function formatRate(rate: string): string {
  const format = new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 4 })
  return format.format(`${rate}E-2` as unknown as number)
}

/** "2026-12-31" → "31 déc. 2026" / "31 Dec 2026"; anything else is shown as it is. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return ''
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  if (!match) return iso
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(date)
}

export function decimalSeparator(): string {
  return new Intl.NumberFormat(locale()).formatToParts(1.5).find((part) => part.type === 'decimal')?.value ?? '.'
}

/** What a person typed in a number field, read in the UI's locale (the rule is in
 * decimal-input.ts): the document's decimal string, or a refusal. */
export function toDocDecimal(typed: string): Reading {
  return readDecimal(typed, locale())
}

/** Why a typed number was refused, said in the UI's language. */
export function refusalText(typed: string, reading: Exclude<Reading, { ok: true }>): string {
  const shown = typed.trim()
  if (reading.reason === 'ambiguous' && reading.readings) {
    const [small, large] = reading.readings
    return t('number_ambiguous', { typed: shown, small: toInputDecimal(small), large })
  }
  return t('number_grouping', { typed: shown })
}

/** A document decimal string with the locale's grouping and decimal mark, every digit kept:
 * "1000.5" → "1,000.5" (en), "1 000,5" (fr). Exact: the string is formatted, not a float. */
export function formatDecimal(value: string): string {
  const places = value.includes('.') ? value.length - value.indexOf('.') - 1 : 0
  const format = new Intl.NumberFormat(locale(), { minimumFractionDigits: places, maximumFractionDigits: places })
  return format.format(value as unknown as number)
}

/** The document's "12.5" as this locale writes it in an input: "12,5" in French. */
export function toInputDecimal(value: string): string {
  const separator = decimalSeparator()
  return separator === '.' ? value : value.replace('.', separator)
}
