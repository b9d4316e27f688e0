// Reading and writing the invoice document (web/src/schema.ts, SPEC section 2) through field
// paths: "invoice.customer.name", "invoice.notes", "lines.<id>.unit_price",
// "lines.<id>.discount.value", "adjustments.<id>.amount". Writes create the maps on the way, in the same transaction, and
// use exactly the schema's names and types (strings; Y.Text for notes and descriptions), since
// the server refuses anything else.

import * as Y from 'yjs'

import { ADJUSTMENT_FIELDS, ADJUSTMENT_ID, DEFAULT_TAX_CATEGORY, DEFAULT_UNIT, LINE_ID, ROOT_ADJUSTMENTS, ROOT_INVOICE, ROOT_LINES, TEXT_FIELDS } from '../schema'

export type Doc = Y.Doc
export type LineMap = Y.Map<unknown>

export const headerOf = (doc: Y.Doc): Y.Map<unknown> => doc.getMap(ROOT_INVOICE)
export const linesOf = (doc: Y.Doc): Y.Array<LineMap> => doc.getArray<LineMap>(ROOT_LINES)
/** The allowances and charges (document level: `line` ""; line level: `line` = a line id). */
export const adjustmentsOf = (doc: Y.Doc): Y.Array<LineMap> => doc.getArray<LineMap>(ROOT_ADJUSTMENTS)

/** A new row id ("l…" for a line, "a…" for an allowance or charge): random, short, and unique
 * enough for one invoice. */
export function newLineId(prefix = 'l'): string {
  const bytes = new Uint8Array(9)
  crypto.getRandomValues(bytes)
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export function isTextPath(path: string): boolean {
  const parts = path.split('.')
  const generic = parts[0] === ROOT_LINES ? `${ROOT_LINES}.${parts.slice(2).join('.')}` : path
  return (TEXT_FIELDS as readonly string[]).includes(generic)
}

export function findLine(doc: Y.Doc, id: string, rows: Y.Array<LineMap> = linesOf(doc)): LineMap | null {
  for (const line of rows) {
    if (line instanceof Y.Map && line.get(LINE_ID) === id) return line
  }
  return null
}

/** The map that holds a path's last key, and that key; `create` makes missing maps. */
function locate(doc: Y.Doc, path: string, create: boolean): [Y.Map<unknown>, string] | null {
  const parts = path.split('.')
  let map: Y.Map<unknown> | null
  let keys: string[]
  if (parts[0] === ROOT_INVOICE) {
    map = headerOf(doc)
    keys = parts.slice(1)
  } else if (parts[0] === ROOT_LINES && parts[1]) {
    map = findLine(doc, parts[1])
    keys = parts.slice(2)
  } else if (parts[0] === ROOT_ADJUSTMENTS && parts[1]) {
    map = findLine(doc, parts[1], adjustmentsOf(doc))
    keys = parts.slice(2)
  } else {
    throw new Error(`not a field path: ${path}`)
  }
  if (!map || keys.length === 0) return null
  for (const key of keys.slice(0, -1)) {
    let next = map.get(key)
    if (!(next instanceof Y.Map)) {
      if (!create) return null
      next = new Y.Map<unknown>()
      map.set(key, next)
    }
    map = next as Y.Map<unknown>
  }
  return [map, keys[keys.length - 1]!]
}

/** The field's value as a string ('' when missing). */
export function readField(doc: Y.Doc, path: string): string {
  const found = locate(doc, path, false)
  if (!found) return ''
  const value = found[0].get(found[1])
  if (value instanceof Y.Text) return value.toString()
  return typeof value === 'string' ? value : ''
}

/** Set a plain string field (creating the maps above it). */
export function writeField(doc: Y.Doc, path: string, value: string, origin: unknown): void {
  doc.transact(() => {
    const found = locate(doc, path, true)
    if (!found) return
    const [map, key] = found
    if (map.get(key) !== value) map.set(key, value)
  }, origin)
}

/** Replace a text field's content by `value` with the smallest edit, so that what others type
 * elsewhere in the same text is kept. */
export function editText(doc: Y.Doc, path: string, value: string, origin: unknown): void {
  doc.transact(() => {
    const found = locate(doc, path, true)
    if (!found) return
    const [map, key] = found
    const current = map.get(key)
    if (!(current instanceof Y.Text)) {
      map.set(key, new Y.Text(value))
      return
    }
    const old = current.toString()
    const { start, removed, inserted } = diff(old, value)
    if (removed > 0) current.delete(start, removed)
    if (inserted) current.insert(start, inserted)
  }, origin)
}

/** The single replaced range between two strings: common prefix, then common suffix. */
export function diff(old: string, next: string): { start: number; removed: number; inserted: string } {
  let start = 0
  const shortest = Math.min(old.length, next.length)
  while (start < shortest && old[start] === next[start]) start++
  let end = 0
  while (end < shortest - start && old[old.length - 1 - end] === next[next.length - 1 - end]) end++
  return { start, removed: old.length - start - end, inserted: next.slice(start, next.length - end) }
}

export interface NewLine {
  description?: string
  quantity?: string
  unit?: string
  unit_price?: string
  tax_rate?: string
}

/** Append a line with every field present (so nobody races to create its sub-maps). */
export function addLine(doc: Y.Doc, fields: NewLine, origin: unknown): string {
  const id = newLineId()
  doc.transact(() => {
    linesOf(doc).push([makeLine(id, fields)])
  }, origin)
  return id
}

function makeLine(id: string, fields: NewLine, discount?: { kind: string; value: string }): LineMap {
  const line = new Y.Map<unknown>()
  line.set(LINE_ID, id)
  line.set('description', new Y.Text(fields.description ?? ''))
  line.set('quantity', fields.quantity ?? '1')
  line.set('unit', fields.unit || DEFAULT_UNIT)
  line.set('unit_price', fields.unit_price ?? '')
  line.set('tax_rate', fields.tax_rate ?? '20')
  line.set('tax_category', DEFAULT_TAX_CATEGORY)
  const map = new Y.Map<unknown>()
  map.set('kind', discount?.kind ?? 'percent')
  map.set('value', discount?.value ?? '')
  line.set('discount', map)
  return line
}

/** Remove a line and, in the same transaction, its allowances and charges (a row bound to a
 * line that is gone would only be reported as `unknown_line`). */
export function removeLine(doc: Y.Doc, id: string, origin: unknown): void {
  doc.transact(() => {
    const lines = linesOf(doc)
    const index = lines.toArray().findIndex((line) => line instanceof Y.Map && line.get(LINE_ID) === id)
    if (index >= 0) lines.delete(index, 1)
    const rows = adjustmentsOf(doc)
    // From the end, so that the indexes still to delete do not move.
    for (let at = rows.length - 1; at >= 0; at--) {
      const row = rows.get(at)
      if (row instanceof Y.Map && row.get('line') === id) rows.delete(at, 1)
    }
  }, origin)
}

export interface NewAdjustment {
  line: string
  type: 'allowance' | 'charge'
  tax_category?: string
  tax_rate?: string
}

/** Append an allowance or charge with every field present, in one transaction. */
export function addAdjustment(doc: Y.Doc, fields: NewAdjustment, origin: unknown): string {
  const id = newLineId('a')
  doc.transact(() => {
    const row = new Y.Map<unknown>()
    for (const name of ADJUSTMENT_FIELDS) row.set(name, '')
    row.set(ADJUSTMENT_ID, id)
    row.set('line', fields.line)
    row.set('type', fields.type)
    // Category and rate mean something at document level only.
    if (!fields.line) {
      row.set('tax_category', fields.tax_category ?? DEFAULT_TAX_CATEGORY)
      row.set('tax_rate', fields.tax_rate ?? '')
    }
    adjustmentsOf(doc).push([row])
  }, origin)
  return id
}

export function removeAdjustment(doc: Y.Doc, id: string, origin: unknown): void {
  doc.transact(() => {
    const rows = adjustmentsOf(doc)
    const index = rows.toArray().findIndex((row) => row instanceof Y.Map && row.get(ADJUSTMENT_ID) === id)
    if (index >= 0) rows.delete(index, 1)
  }, origin)
}

/** The rows' ids bound to `line` ("" for the document-level ones), in document order. */
export function adjustmentIds(doc: Y.Doc, line: string): string[] {
  return adjustmentsOf(doc)
    .toArray()
    .filter((row) => row instanceof Y.Map && String(row.get('line') ?? '') === line)
    .map((row) => String(row.get(ADJUSTMENT_ID) ?? ''))
    .filter(Boolean)
}

/** Move a line by `delta` places. Yjs arrays cannot move an item, so the line is removed and
 * a copy with the same id inserted in one transaction (the server accepts that: the id is
 * still used once). */
export function moveLine(doc: Y.Doc, id: string, delta: number, origin: unknown): void {
  doc.transact(() => {
    const lines = linesOf(doc)
    const all = lines.toArray()
    const index = all.findIndex((line) => line instanceof Y.Map && line.get(LINE_ID) === id)
    const target = index + delta
    if (index < 0 || target < 0 || target >= all.length) return
    const copy = copyLine(all[index]!)
    lines.delete(index, 1)
    lines.insert(target, [copy])
  }, origin)
}

function copyLine(line: LineMap): LineMap {
  const copy = new Y.Map<unknown>()
  line.forEach((value, key) => {
    if (value instanceof Y.Text) copy.set(key, new Y.Text(value.toString()))
    else if (value instanceof Y.Map) {
      const inner = new Y.Map<unknown>()
      value.forEach((v, k) => inner.set(k, v))
      copy.set(key, inner)
    } else copy.set(key, value)
  })
  return copy
}

export function lineIds(doc: Y.Doc): string[] {
  return linesOf(doc)
    .toArray()
    .map((line) => (line instanceof Y.Map ? String(line.get(LINE_ID) ?? '') : ''))
}

/** The document as the REST API shows it: { invoice, lines, adjustments }. */
export function documentJson(doc: Y.Doc): { invoice: Record<string, unknown>; lines: unknown[]; adjustments: unknown[] } {
  return { invoice: headerOf(doc).toJSON(), lines: linesOf(doc).toJSON(), adjustments: adjustmentsOf(doc).toJSON() }
}

/** Deep equality of JSON values regardless of key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const keysA = Object.keys(a)
  const keysB = Object.keys(b)
  if (keysA.length !== keysB.length) return false
  return keysA.every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
}

/** The Y.Text of a text field (`invoice.notes`, `lines.<id>.description`), or null when the
 * field is missing or stored as a plain string. */
export function textOf(doc: Y.Doc, path: string): Y.Text | null {
  const found = locate(doc, path, false)
  const value = found ? found[0].get(found[1]) : undefined
  return value instanceof Y.Text ? value : null
}
