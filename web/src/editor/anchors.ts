// Where a comment thread points: a field path (`invoice.due_date`, `lines.<id>.unit_price`,
// `adjustments.<id>.amount`), a whole line (`lines.<id>`), or a range of a text field (a line's description, the notes) held
// as two Yjs relative positions, so the range follows what people type before it.

import * as Y from 'yjs'

import { t, type Key } from '../i18n'
import { adjustmentsOf, lineIds, textOf } from './ydoc'

export interface Anchor {
  path: string
  /** Base64 of Y.encodeRelativePosition, for a text range. */
  start?: string
  end?: string
  /** The text the range held when the thread was created. */
  quote?: string
}

export type AnchorKind = 'field' | 'line' | 'range'

export function anchorKind(anchor: Anchor): AnchorKind {
  if (anchor.start && anchor.end) return 'range'
  const parts = anchor.path.split('.')
  return parts[0] === 'lines' && parts.length === 2 ? 'line' : 'field'
}

export function lineOfPath(path: string): string | null {
  const [root, id] = path.split('.')
  return root === 'lines' && id ? id : null
}

export function toBase64(bytes: Uint8Array): string {
  let text = ''
  for (const byte of bytes) text += String.fromCharCode(byte)
  return btoa(text)
}

export function fromBase64(text: string): Uint8Array {
  const raw = atob(text)
  return Uint8Array.from(raw, (c) => c.charCodeAt(0))
}

/** A range anchor over [from, to) of the text field at `path`; null when it is not a Y.Text
 * or the range is empty. */
export function rangeAnchor(doc: Y.Doc, path: string, from: number, to: number): Anchor | null {
  const text = textOf(doc, path)
  if (!text || to <= from) return null
  const encode = (index: number, assoc: number): string =>
    toBase64(Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(text, index, assoc)))
  // The start sticks to the character after it, the end to the character before it, so that
  // text typed right at either edge stays outside the range.
  return { path, start: encode(from, 0), end: encode(to, -1), quote: text.toString().slice(from, to) }
}

/** Where a range anchor is now in its text, or null (the text or the range is gone). */
export function resolveRange(doc: Y.Doc, anchor: Anchor): { from: number; to: number; text: string } | null {
  if (!anchor.start || !anchor.end) return null
  const text = textOf(doc, anchor.path)
  if (!text) return null
  try {
    const at = (encoded: string): number | null => {
      const position = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(fromBase64(encoded)), doc)
      return position && position.type === text ? position.index : null
    }
    const from = at(anchor.start)
    const to = at(anchor.end)
    if (from === null || to === null || to < from) return null
    return { from, to, text: text.toString().slice(from, to) }
  } catch {
    return null // not a relative position this document knows
  }
}

/** The ids of the allowances and charges, in document order. */
function adjustmentIdsOf(doc: Y.Doc): string[] {
  return adjustmentsOf(doc)
    .toArray()
    .map((row) => (row instanceof Y.Map ? String(row.get('id') ?? '') : ''))
}

/** True when the anchor's line (or allowance or charge) is no longer in the document. */
export function lineDeleted(doc: Y.Doc, anchor: Anchor): boolean {
  const line = lineOfPath(anchor.path)
  const [root, id] = anchor.path.split('.')
  if (root === 'adjustments' && id) return !adjustmentIdsOf(doc).includes(id)
  return line !== null && !lineIds(doc).includes(line)
}

/** "Line 2 · Unit price", "Due date": where a thread is, for people. */
export function anchorLabel(doc: Y.Doc, anchor: Anchor): string {
  const parts = anchor.path.split('.')
  if (parts[0] === 'lines') {
    const index = lineIds(doc).indexOf(parts[1] ?? '')
    const line = index >= 0 ? t('line_n', { n: index + 1 }) : t('deleted_line')
    const field = parts.slice(2).join('.')
    return field ? `${line} · ${fieldLabel(`lines.${field}`)}` : line
  }
  if (parts[0] === 'adjustments') {
    // "Line 2 · Charge" / "Allowance" (document level), then the field.
    const row = adjustmentsOf(doc).toArray().find((r) => r instanceof Y.Map && r.get('id') === parts[1])
    const type = row?.get('type') === 'charge' ? t('charge') : t('allowance')
    const index = row ? lineIds(doc).indexOf(String(row.get('line') ?? '')) : -1
    const where = !row ? t('deleted_adjustment') : index >= 0 ? `${t('line_n', { n: index + 1 })} · ${type}` : type
    const field = parts.slice(2).join('.')
    return field ? `${where} · ${fieldLabel(`adjustments.${field}`)}` : where
  }
  return fieldLabel(anchor.path)
}

const LABELS: Record<string, Key> = {
  'invoice.customer.name': 'customer_name',
  'invoice.customer.email': 'customer_email',
  'invoice.customer.vat_id': 'vat_id',
  'invoice.customer.siren': 'siren',
  'invoice.customer.address.line1': 'address_line1',
  'invoice.customer.address.line2': 'address_line2',
  'invoice.customer.address.postcode': 'postcode',
  'invoice.customer.address.city': 'city',
  'invoice.customer.address.country': 'country',
  'invoice.issue_date': 'issue_date',
  'invoice.due_date': 'due_date',
  'invoice.currency': 'currency',
  'invoice.payment_terms': 'payment_terms',
  'invoice.buyer_reference': 'buyer_reference',
  'invoice.notes': 'notes',
  'invoice.discount.value': 'document_discount',
  'invoice.discount.kind': 'document_discount_kind',
  'lines.description': 'description',
  'lines.quantity': 'quantity',
  'lines.unit': 'unit',
  'lines.unit_price': 'unit_price',
  'lines.tax_rate': 'vat_rate',
  'lines.tax_category': 'tax_category',
  'lines.discount.value': 'line_discount',
  'lines.discount.kind': 'line_discount_kind',
  'adjustments.type': 'adjustment_type',
  'adjustments.reason': 'adjustment_reason',
  'adjustments.reason_code': 'adjustment_reason_code',
  'adjustments.amount': 'adjustment_amount',
  'adjustments.percent': 'adjustment_percent_value',
  'adjustments.base': 'adjustment_base',
  'adjustments.tax_category': 'tax_category',
  'adjustments.tax_rate': 'vat_rate'
}

function fieldLabel(path: string): string {
  const key = LABELS[path]
  return key ? t(key) : path
}
