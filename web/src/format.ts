// Amounts, rates and dates in the user's locale, and decimal input in either spelling.

import { minorUnits } from './currencies'
import { locale } from './i18n'

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

/** What a person typed in a number field, as the document's decimal string: "12,5" and
 * "12.5" both give "12.5"; spaces (thousands separators) go. When both "," and "." appear the
 * last one is the decimal separator ("1.234,50" and "1,234.50" give "1234.50"). A half-typed
 * "12," stays half-typed ("12.") so that the field shows it as incomplete, not as 12. Text that
 * is not number-like is kept as typed: the validation message then says what is wrong. */
export function toDocDecimal(typed: string): string {
  const text = typed.replace(/[\s\u00a0\u202f]/g, '')
  if (!/^-?[0-9.,]*$/.test(text)) return typed.trim()
  const last = Math.max(text.lastIndexOf(','), text.lastIndexOf('.'))
  if (last < 0) return text
  const whole = text.slice(0, last).replace(/[.,]/g, '')
  return `${whole}.${text.slice(last + 1)}`
}

/** The document's "12.5" as this locale writes it in an input: "12,5" in French. */
export function toInputDecimal(value: string): string {
  const separator = decimalSeparator()
  return separator === '.' ? value : value.replace('.', separator)
}
