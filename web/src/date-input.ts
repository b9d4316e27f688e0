// Dates typed in one text field (one tab stop, where a native date input takes three), in the
// locale's order: "27/11/2026" in French or British English, "11/27/2026" in American English,
// and ISO "2026-11-27" everywhere. The document stores ISO dates; what cannot be read as a
// date is stored as typed, and the validation message under the field says so.

export type Part = 'day' | 'month' | 'year'

/** The order of day, month and year in `locale`'s numeric dates, and its separator. */
export function dateOrder(locale: string): { order: Part[]; separator: string } {
  const parts = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }).formatToParts(
    new Date(Date.UTC(2026, 10, 27))
  )
  const order = parts.map((part) => part.type).filter((type): type is Part => type === 'day' || type === 'month' || type === 'year')
  const separator = parts.find((part) => part.type === 'literal')?.value ?? '/'
  return { order: order.length === 3 ? order : ['day', 'month', 'year'], separator }
}

/** The pattern shown as the field's placeholder: "dd/mm/yyyy", "jj/mm/aaaa" in French. */
export function datePattern(locale: string): string {
  const french = locale.toLowerCase().startsWith('fr')
  const letters: Record<Part, string> = { day: french ? 'jj' : 'dd', month: 'mm', year: french ? 'aaaa' : 'yyyy' }
  const { order, separator } = dateOrder(locale)
  return order.map((part) => letters[part]).join(separator)
}

/** The stored ISO date as this locale writes it; anything else is shown as stored. */
export function formatDateInput(stored: string, locale: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(stored)
  if (!match) return stored
  const values: Record<Part, string> = { year: match[1]!, month: match[2]!, day: match[3]! }
  const { order, separator } = dateOrder(locale)
  return order.map((part) => values[part]).join(separator)
}

/** What was typed, as the document's ISO date when it reads as one ("7/3/2026" in French is
 * 2026-03-07); otherwise as typed (trimmed), for the validation to say what is wrong. */
export function readDateInput(typed: string, locale: string): string {
  const text = typed.trim()
  if (/^\d{4}-\d{1,2}-\d{1,2}$/.test(text)) {
    const [year, month, day] = text.split('-')
    return `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`
  }
  const pieces = text.split(/[/.\-\s]+/)
  if (pieces.length !== 3 || !pieces.every((piece) => /^\d+$/.test(piece))) return text
  const { order } = dateOrder(locale)
  const values = Object.fromEntries(order.map((part, index) => [part, pieces[index]!])) as Record<Part, string>
  if (values.year.length !== 4 || values.month.length > 2 || values.day.length > 2) return text
  return `${values.year}-${values.month.padStart(2, '0')}-${values.day.padStart(2, '0')}`
}
