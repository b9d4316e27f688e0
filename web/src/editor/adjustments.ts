// Allowances and charges (EN 16931 BG-20/21 on the document, BG-27/28 on a line): rows of the
// `adjustments` root, shown by id like the lines so that a row someone is typing in is never
// rebuilt. The document-level rows have their own section; each line folds its own rows away
// (LineAdjustments). A row is a fixed amount or a percent of a base; which one is not stored:
// it is whichever field holds a value (both: the validation says so).

import type * as Y from 'yjs'

import { h, uid } from '../dom'
import { formatMoney, toInputDecimal } from '../format'
import { t } from '../i18n'
import { KeyedList } from '../keyed'
import { DEFAULT_TAX_CATEGORY } from '../schema'
import { bind, type BindContext, type Binding, type Kind } from './bind'
import { categorySelect } from './category-select'
import { field, input, select } from './fields'
import { LOCAL } from './live'
import { adaptRate, rateInput } from './rate-picker'
import { fillReasonCodes, reasonCodeLabel, type AdjustmentType } from './reason-codes'
import { addAdjustment, adjustmentIds, lineIds, readField, removeAdjustment, writeField } from './ydoc'

/** A counted row as the totals give it (contract: AdjustmentJSON); `base` undefined: not said. */
export interface AdjustmentJson {
  id: string
  charge: boolean
  amount: string
  base?: string | null
  percent?: string | null
}

/** What the totals say of the allowances and charges: the engine's lists (on the totals and on
 * each line) or, from the REST API, the amounts by row id. */
export interface AdjustmentTotals {
  currency: string
  lines?: readonly { adjustments?: readonly AdjustmentJson[] }[]
  adjustments?: readonly AdjustmentJson[] | Readonly<Record<string, string>>
}

/** A document-level row as the totals panel shows it. */
export interface DocumentRow {
  id: string
  name: string
  charge: boolean
  amount: string
}

/** Every counted row by id (the REST API's amounts take their type from the document). */
export function countedAdjustments(doc: Y.Doc, totals: AdjustmentTotals | null): Map<string, AdjustmentJson> {
  const found = new Map<string, AdjustmentJson>()
  const given = totals?.adjustments
  if (Array.isArray(given)) {
    const lists = [given as readonly AdjustmentJson[], ...(totals?.lines ?? []).map((line) => line.adjustments ?? [])]
    for (const json of lists.flat()) found.set(json.id, json)
  } else if (given) {
    for (const [id, amount] of Object.entries(given as Record<string, string>)) {
      found.set(id, { id, amount, charge: readField(doc, `adjustments.${id}.type`) === 'charge' })
    }
  }
  return found
}

/** The counted document-level rows, in document order, named for the totals panel. */
export function documentRows(doc: Y.Doc, totals: AdjustmentTotals | null): DocumentRow[] {
  const counted = countedAdjustments(doc, totals)
  return adjustmentIds(doc, '').flatMap((id) => {
    const json = counted.get(id)
    return json ? [{ id, name: adjustmentName(doc, id), charge: json.charge, amount: json.amount }] : []
  })
}

type Mode = 'amount' | 'percent'

interface Row {
  element: HTMLElement
  bindings: Binding[]
  computed: HTMLOutputElement
  base: HTMLInputElement
  remove: HTMLButtonElement
}

const typeOf = (value: string): AdjustmentType => (value === 'charge' ? 'charge' : 'allowance')

/** How a row is named where it is not on screen (the totals): its reason, its code, its type. */
export function adjustmentName(doc: Y.Doc, id: string): string {
  const path = (name: string): string => `adjustments.${id}.${name}`
  const type = typeOf(readField(doc, path('type')))
  const code = readField(doc, path('reason_code'))
  return readField(doc, path('reason')) || (code ? reasonCodeLabel(type, code) : t(type === 'charge' ? 'charge' : 'allowance'))
}

/** A labelled control that is not a document field (no path: no issues, locks or comments). */
function plainField(label: string, control: HTMLSelectElement): HTMLElement {
  control.id = uid('in')
  return h('div', { class: 'field mode' }, h('label', { for: control.id }, label), h('div', { class: 'control' }, control))
}

function makeRow(context: BindContext, id: string, documentLevel: boolean): Row {
  const path = (name: string): string => `adjustments.${id}.${name}`
  const doc = context.doc
  const bindings: Binding[] = []
  const bound = <T extends HTMLInputElement | HTMLSelectElement>(element: T, name: string, kind: Kind): T => {
    bindings.push(bind(context, element, path(name), kind))
    return element
  }
  const type = bound(
    select([
      ['allowance', t('allowance')],
      ['charge', t('charge')]
    ]),
    'type',
    'string'
  )
  const reason = bound(input({ maxlength: '300' }), 'reason', 'string')
  const code = select([])
  fillReasonCodes(code, typeOf(readField(doc(), path('type'))))
  bound(code, 'reason_code', 'string')
  const mode = select([
    ['amount', t('adjustment_fixed')],
    ['percent', t('adjustment_percent')]
  ])
  mode.disabled = context.readOnly
  const amount = bound(input({ inputmode: 'decimal', class: 'num' }), 'amount', 'decimal')
  const percent = bound(input({ inputmode: 'decimal', class: 'num' }), 'percent', 'decimal')
  const base = bound(input({ inputmode: 'decimal', class: 'num' }), 'base', 'decimal')
  const fields = {
    amount: field(t('adjustment_amount'), amount, path('amount'), { className: 'value' }),
    percent: field(t('adjustment_percent_value'), percent, path('percent'), { className: 'value' }),
    base: field(t('adjustment_base'), base, path('base'), { className: 'value' })
  }
  // The local choice while neither field holds a value; the document decides otherwise.
  let chosen: Mode = 'amount'
  const showMode = (): void => {
    const stated = { amount: readField(doc(), path('amount')) !== '', percent: readField(doc(), path('percent')) !== '' }
    const current: Mode = stated.percent && !stated.amount ? 'percent' : stated.amount && !stated.percent ? 'amount' : chosen
    const both = stated.amount && stated.percent
    mode.value = current
    fields.amount.hidden = !both && current !== 'amount'
    fields.percent.hidden = !both && current !== 'percent'
    fields.base.hidden = fields.percent.hidden
    // Switching writes both fields: not while someone else holds either.
    mode.disabled = context.readOnly || fields.amount.classList.contains('locked') || fields.percent.classList.contains('locked')
  }
  mode.addEventListener('change', () => {
    chosen = mode.value === 'percent' ? 'percent' : 'amount'
    const from = chosen === 'percent' ? 'amount' : 'percent'
    const value = readField(doc(), path(from))
    // The number typed in the other mode moves over (typed first, mode chosen after).
    if (value) {
      doc().transact(() => {
        if (!readField(doc(), path(chosen))) writeField(doc(), path(chosen), value, LOCAL)
        writeField(doc(), path(from), '', LOCAL)
      }, LOCAL)
    }
    showMode()
    ;(chosen === 'percent' ? percent : amount).focus()
  })
  afterRefresh(bindings, 'percent', showMode)
  afterRefresh(bindings, 'type', () => fillReasonCodes(code, typeOf(readField(doc(), path('type')))))
  type.addEventListener('change', () => fillReasonCodes(code, typeOf(type.value)))
  showMode()

  const computed = h('output', { class: 'net', 'aria-label': t('adjustment_computed') })
  const remove = h('button', { type: 'button', class: 'icon remove', disabled: context.readOnly, onclick: () => removeAdjustment(doc(), id, LOCAL) }, '✕')
  const vat: HTMLElement[] = []
  if (documentLevel) {
    const category = bound(categorySelect(), 'tax_category', 'string')
    const rate = bound(rateInput(), 'tax_rate', 'decimal')
    const adapt = (): void => adaptRate(rate, category.value || DEFAULT_TAX_CATEGORY, t('no_rate'))
    afterRefresh(bindings, 'tax_category', adapt)
    category.addEventListener('change', adapt)
    adapt()
    vat.push(field(t('tax_category'), category, path('tax_category')), field(t('vat_rate'), rate, path('tax_rate'), { className: 'value' }))
  }
  const element = h(
    'div',
    { class: 'adjustment', role: 'group', 'data-adjustment': id },
    field(t('adjustment_type'), type, path('type')),
    field(t('adjustment_reason'), reason, path('reason'), { className: 'reason' }),
    field(t('adjustment_reason_code'), code, path('reason_code'), { className: 'code' }),
    plainField(t('adjustment_mode'), mode),
    fields.amount,
    fields.percent,
    fields.base,
    ...vat,
    computed,
    remove
  )
  return { element, bindings, computed, base, remove }
}

/** Run `after` each time the binding of `name` refreshes (any change of the document). */
function afterRefresh(bindings: Binding[], name: string, after: () => void): void {
  const binding = bindings.find((b) => b.path.endsWith(`.${name}`))
  if (!binding) return
  const refresh = binding.refresh
  binding.refresh = () => {
    refresh()
    after()
  }
}

/** The rows bound to one line ("" for the document level), in document order. */
export class AdjustmentList {
  readonly element: HTMLElement
  private readonly rows: KeyedList<string, string, Row>
  private locked = new Set<string>()
  private focusAfterSync: string | null = null

  constructor(
    private readonly context: BindContext,
    private readonly line: string
  ) {
    this.element = h('div', { class: 'adjustments' })
    this.rows = new KeyedList(this.element, (id: string) => id, (id) => makeRow(context, id, line === ''))
  }

  get bindings(): Binding[] {
    return [...this.rows.values()].flatMap((row) => row.bindings)
  }

  get ids(): string[] {
    return [...this.rows.entries()].map(([id]) => id)
  }

  /** Bring the rows in line with the document; the number of rows. */
  sync(): number {
    const doc = this.context.doc()
    const ids = adjustmentIds(doc, this.line)
    const counts = { allowance: 0, charge: 0 }
    this.rows.sync(ids, (row, id) => {
      const type = typeOf(readField(doc, `adjustments.${id}.type`))
      const n = ++counts[type]
      const name = t(type === 'charge' ? 'charge_n' : 'allowance_n', { n })
      if (row.element.getAttribute('aria-label') !== name) {
        row.element.setAttribute('aria-label', name)
        row.remove.setAttribute('aria-label', t('remove_adjustment', { name }))
      }
      const locked = this.locked.has(id)
      row.element.classList.toggle('locked', locked)
      row.remove.disabled = this.context.readOnly || locked
      row.remove.title = locked ? t('adjustment_locked') : ''
    })
    if (this.focusAfterSync) this.focus(this.focusAfterSync)
    return ids.length
  }

  /** Rows someone else holds a lock in (they cannot be removed now). */
  setLocked(ids: Set<string>): void {
    this.locked = ids
  }

  /** Each row's computed amount, and the base a percent is taken of when none is stated. */
  showAmounts(counted: ReadonlyMap<string, AdjustmentJson>, currency: string): void {
    for (const [id, row] of this.rows.entries()) {
      const json = counted.get(id)
      row.computed.value = json ? `${json.charge ? '+' : '−'}${formatMoney(json.amount, currency)}` : '—'
      // The REST API's totals do not say the base: the one computed locally for the same content stays.
      if (json?.base !== undefined) row.base.placeholder = json.base !== null && json.percent != null ? toInputDecimal(json.base) : ''
      else if (!json) row.base.placeholder = ''
    }
  }

  add(type: AdjustmentType): void {
    const doc = this.context.doc()
    const first = lineIds(doc).find(Boolean)
    // A document-level row joins the VAT group of the first line by default (S 20 % without).
    const vat = first
      ? { tax_category: readField(doc, `lines.${first}.tax_category`) || DEFAULT_TAX_CATEGORY, tax_rate: readField(doc, `lines.${first}.tax_rate`) }
      : { tax_category: DEFAULT_TAX_CATEGORY, tax_rate: '20' }
    this.focus(addAdjustment(doc, { line: this.line, type, ...(this.line ? {} : vat) }, LOCAL))
  }

  /** Put the caret in a row's reason, now or as soon as its row exists. */
  private focus(id: string): void {
    const row = this.rows.get(id)
    this.focusAfterSync = row ? null : id
    row?.element.querySelector<HTMLInputElement>('[data-path$=".reason"]')?.focus()
  }
}

function addButtons(context: BindContext, list: AdjustmentList, before: () => void = () => undefined): HTMLElement {
  const button = (type: AdjustmentType, key: 'add_allowance' | 'add_charge'): HTMLButtonElement =>
    h('button', { type: 'button', class: 'secondary', disabled: context.readOnly, onclick: () => (before(), list.add(type)) }, `+ ${t(key)}`)
  return h('div', { class: 'line-actions' }, button('allowance', 'add_allowance'), button('charge', 'add_charge'))
}

/** The document-level allowances and charges (BG-20, BG-21): a section below the lines. */
export class AdjustmentsSection {
  readonly element: HTMLElement
  readonly list: AdjustmentList
  private readonly empty: HTMLElement

  constructor(context: BindContext) {
    this.list = new AdjustmentList(context, '')
    this.empty = h('p', { class: 'hint' }, t('no_adjustments'))
    this.element = h(
      'section',
      { class: 'card adjustments-section', 'aria-labelledby': 'sec-adjustments' },
      h('h2', { id: 'sec-adjustments' }, t('adjustments_section')),
      h('p', { class: 'hint' }, t('adjustments_hint')),
      this.list.element,
      this.empty,
      addButtons(context, this.list)
    )
  }

  sync(): void {
    this.empty.hidden = this.list.sync() > 0
  }
}

/** A line's own allowances and charges (BG-27, BG-28), folded under its fields. */
export class LineAdjustments {
  readonly element: HTMLDetailsElement
  readonly list: AdjustmentList
  private readonly count: HTMLElement
  private readonly problem: HTMLElement

  constructor(context: BindContext, line: string) {
    this.list = new AdjustmentList(context, line)
    this.count = h('span', { class: 'count' })
    this.problem = h('span', { class: 'problem', hidden: true }, t('adjustments_problem'))
    this.element = h(
      'details',
      { class: 'line-adjustments', 'data-testid': 'line-adjustments' },
      h('summary', {}, t('line_adjustments'), this.count, this.problem),
      this.list.element,
      addButtons(context, this.list, () => (this.element.open = true))
    )
  }

  sync(): void {
    const count = this.list.sync()
    const text = count ? ` (${count})` : ''
    if (this.count.textContent !== text) this.count.textContent = text
  }

  /** Say on the folded summary that a row has an error (its message is inside). */
  showProblems(paths: ReadonlySet<string>): void {
    const ids = new Set(this.list.ids)
    this.problem.hidden = ![...paths].some((path) => ids.has(path.split('.')[1] ?? ''))
  }
}
