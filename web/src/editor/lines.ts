// The invoice lines: one row per line, kept by id so that a row someone is typing in is never
// rebuilt; rows are added, removed and reordered as the document changes.

import { h } from '../dom'
import { KeyedList } from '../keyed'
import { formatMoney } from '../format'
import { t } from '../i18n'
import { EXEMPT_CATEGORIES } from '../categories'
import { VATEX_CODES } from '../tables'
import { DEFAULT_TAX_CATEGORY } from '../schema'
import { categorySelect } from './category-select'
import { bind, type BindContext, type Binding, type Kind } from './bind'
import { field, input, select, textarea } from './fields'
import { LOCAL } from './live'
import { adaptRate, rateInput } from './rate-picker'
import { unitInput } from './unit-picker'
import { lineIds, moveLine, removeLine } from './ydoc'
import { AdjustmentsSection, countedAdjustments, LineAdjustments, type AdjustmentTotals } from './adjustments'
import type { Issue } from '../evaluate'

/** One shared suggestion list of the VATEX exemption codes (BR-CL-22) for every line. */
function vatexList(): string {
  const id = 'vatex-codes'
  if (!document.getElementById(id)) {
    document.body.append(h('datalist', { id }, ...[...VATEX_CODES].map((code) => h('option', { value: code }))))
  }
  return id
}

interface Row {
  element: HTMLElement
  title: HTMLElement
  bindings: Binding[]
  net: HTMLOutputElement
  adjustments: LineAdjustments
  buttons: { up: HTMLButtonElement; down: HTMLButtonElement; remove: HTMLButtonElement }
  place: { n: number; count: number }
}

export class LinesView {
  readonly element: HTMLElement
  private readonly empty: HTMLElement
  private readonly rows: KeyedList<string, string, Row>
  private focusAfterSync: string | null = null
  /** Lines someone else holds a lock in: deleting or moving them would be refused. */
  private locked = new Set<string>()
  /** The document-level allowances and charges: their own section, below the lines. */
  readonly adjustments: AdjustmentsSection

  constructor(private readonly context: BindContext) {
    this.adjustments = new AdjustmentsSection(context)
    const list = h('div', { class: 'lines' })
    this.rows = new KeyedList(list, (id: string) => id, (id) => this.makeRow(id))
    this.empty = h('p', { class: 'hint' }, t('no_lines'))
    const header = h(
      'div',
      { class: 'line-head', 'aria-hidden': 'true' },
      ...['', 'description', 'quantity', 'unit', 'unit_price', 'vat_rate', 'line_discount', 'line_net', ''].map((key) =>
        h('span', {}, key ? t(key as 'description') : '')
      )
    )
    this.element = h('div', {}, header, list, this.empty)
  }

  get bindings(): Binding[] {
    const rows = [...this.rows.values()]
    return [...rows.flatMap((row) => [...row.bindings, ...row.adjustments.list.bindings]), ...this.adjustments.list.bindings]
  }

  /** Bring the rows in line with the document's lines. */
  sync(): void {
    const ids = lineIds(this.context.doc()).filter(Boolean)
    this.rows.sync(ids, (row, id, index) => {
      row.adjustments.sync()
      this.number(row, index + 1, ids.length, id)
    })
    this.adjustments.sync()
    this.empty.hidden = ids.length > 0
    if (this.focusAfterSync && this.rows.get(this.focusAfterSync)) this.focusLine(this.focusAfterSync)
  }

  /** Lines and allowances or charges that cannot be removed or moved now (someone else's lock
   * is in them; a line's own allowances and charges go with it). */
  setLocked(ids: Set<string>): void {
    const changed = ids.size !== this.locked.size || [...ids].some((id) => !this.locked.has(id))
    this.locked = ids
    this.adjustments.list.setLocked(ids)
    for (const row of this.rows.values()) row.adjustments.list.setLocked(ids)
    if (changed) {
      for (const [id, row] of this.rows.entries()) this.number(row, row.place.n, row.place.count, id)
      this.sync()
    }
  }

  /** The computed amounts of the allowances and charges, and which lines' folded ones have an
   * error to look at. */
  showAdjustments(totals: AdjustmentTotals | null, issues: readonly Issue[]): void {
    const counted = countedAdjustments(this.context.doc(), totals)
    const currency = totals?.currency ?? ''
    this.adjustments.list.showAmounts(counted, currency)
    const paths = new Set(issues.filter((issue) => (issue.severity ?? 'error') === 'error' && issue.path.startsWith('adjustments.')).map((issue) => issue.path))
    for (const row of this.rows.values()) {
      row.adjustments.list.showAmounts(counted, currency)
      row.adjustments.showProblems(paths)
    }
  }

  /** Show each line's net (from the totals being shown), '' for lines not counted. */
  showNets(nets: Record<string, string>, currency: string): void {
    for (const [id, row] of this.rows.entries()) {
      const net = nets[id]
      row.net.value = net === undefined ? '—' : formatMoney(net, currency)
    }
  }

  /** Put the caret in a line's description, now or as soon as its row exists. */
  focusLine(id: string): void {
    const row = this.rows.get(id)
    if (row) {
      this.focusAfterSync = null
      row.element.querySelector<HTMLElement>('textarea, input')?.focus()
    } else this.focusAfterSync = id
  }

  private number(row: Row, n: number, count: number, id: string): void {
    row.place = { n, count }
    const locked = this.locked.has(id) || row.adjustments.list.ids.some((row) => this.locked.has(row))
    row.element.classList.toggle('locked', locked)
    row.element.setAttribute('aria-label', t('line_n', { n }))
    row.title.textContent = String(n)
    row.buttons.up.setAttribute('aria-label', t('move_up', { n }))
    row.buttons.down.setAttribute('aria-label', t('move_down', { n }))
    row.buttons.remove.setAttribute('aria-label', t('remove_line', { n }))
    row.buttons.up.disabled = this.context.readOnly || locked || n === 1
    row.buttons.down.disabled = this.context.readOnly || locked || n === count
    row.buttons.remove.disabled = this.context.readOnly || locked
    row.buttons.remove.title = locked ? t('line_locked') : ''
  }

  private makeRow(id: string): Row {
    const path = (name: string): string => `lines.${id}.${name}`
    const doc = this.context.doc
    const bindings: Binding[] = []
    const bound = <T extends HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(
      element: T,
      name: string,
      kind: Kind
    ): T => {
      bindings.push(bind(this.context, element, path(name), kind))
      return element
    }
    // The schema's length (collab/invoice/document.py): the server refuses typing past it.
    const description = bound(textarea({ rows: '1', class: 'grow', maxlength: '5000' }), 'description', 'text')
    const quantity = bound(input({ inputmode: 'decimal', class: 'num' }), 'quantity', 'decimal')
    const unit = bound(unitInput(), 'unit', 'upper')
    const price = bound(input({ inputmode: 'decimal', class: 'num' }), 'unit_price', 'decimal')
    const rate = bound(rateInput(), 'tax_rate', 'decimal')
    const category = bound(categorySelect(), 'tax_category', 'string')
    const reason = bound(input({ class: 'grow', maxlength: '300' }), 'exemption_reason', 'string')
    const code = bound(input({ class: 'vatex', maxlength: '30', list: vatexList(), spellcheck: 'false' }), 'exemption_code', 'upper')
    const exemption = h(
      'div',
      { class: 'exemption' },
      field(t('exemption_reason'), reason, path('exemption_reason'), { className: 'reason' }),
      field(t('exemption_code'), code, path('exemption_code'))
    )
    // The rate suggestions and the exemption fields follow the category, whoever changes it.
    const adapt = (): void => {
      const chosen = category.value || DEFAULT_TAX_CATEGORY
      adaptRate(rate, chosen, t('no_rate'))
      exemption.hidden = !EXEMPT_CATEGORIES.has(chosen)
    }
    const categoryBinding = bindings[bindings.length - 1]!
    const refreshCategory = categoryBinding.refresh
    categoryBinding.refresh = () => {
      refreshCategory()
      adapt()
    }
    category.addEventListener('change', adapt)
    adapt()
    const discount = bound(input({ inputmode: 'decimal', class: 'num' }), 'discount.value', 'decimal')
    const kind = bound(
      select([
        ['percent', t('percent')],
        ['amount', t('amount')]
      ]),
      'discount.kind',
      'string'
    )
    // BG-29 price details (src/prices.ts): folded unless the line states some.
    const gross = bound(input({ inputmode: 'decimal', class: 'num' }), 'gross_price', 'decimal')
    const priceOff = bound(input({ inputmode: 'decimal', class: 'num' }), 'price_discount', 'decimal')
    const base = bound(input({ inputmode: 'decimal', class: 'num' }), 'base_quantity', 'decimal')
    const details = h(
      'details',
      { class: 'price-details' },
      h('summary', {}, t('price_details')),
      h(
        'div',
        { class: 'price-details-fields' },
        field(t('gross_price'), gross, path('gross_price')),
        field(t('price_discount'), priceOff, path('price_discount')),
        field(t('base_quantity'), base, path('base_quantity'))
      ),
      h('p', { class: 'hint' }, t('price_details_hint'))
    )
    // Unfolded as soon as the document gives the line any detail, whoever wrote it.
    for (const binding of bindings.slice(-3)) {
      const refreshField = binding.refresh
      binding.refresh = () => {
        refreshField()
        if (binding.input.value !== '') (details as HTMLDetailsElement).open = true
      }
    }
    const net = h('output', { class: 'net', 'aria-label': t('line_net') })
    const button = (text: string, className: string, action: () => void): HTMLButtonElement =>
      h('button', { type: 'button', class: `icon ${className}`, disabled: this.context.readOnly, onclick: action }, text)
    const up = button('↑', 'up', () => moveLine(doc(), id, -1, LOCAL))
    const down = button('↓', 'down', () => moveLine(doc(), id, 1, LOCAL))
    const remove = button('✕', 'remove', () => removeLine(doc(), id, LOCAL))
    const title = h('span', { class: 'line-number', 'aria-hidden': 'true' })
    const adjustments = new LineAdjustments(this.context, id)
    const element = h(
      'div',
      { class: 'line', role: 'group', 'data-line': id },
      h('div', { class: 'line-order' }, title, up, down),
      field(t('description'), description, path('description'), { hiddenLabel: true, className: 'description' }),
      field(t('quantity'), quantity, path('quantity'), { hiddenLabel: true }),
      field(t('unit'), unit, path('unit'), { hiddenLabel: true }),
      field(t('unit_price'), price, path('unit_price'), { hiddenLabel: true }),
      h(
        'div',
        { class: 'stack' },
        field(t('vat_rate'), rate, path('tax_rate'), { hiddenLabel: true }),
        field(t('tax_category'), category, path('tax_category'), { hiddenLabel: true, className: 'small' })
      ),
      h(
        'div',
        { class: 'stack' },
        field(t('line_discount'), discount, path('discount.value'), { hiddenLabel: true }),
        field(t('line_discount_kind'), kind, path('discount.kind'), { hiddenLabel: true, className: 'small' })
      ),
      net,
      remove,
      exemption,
      details
    )
    element.append(adjustments.element)
    const row: Row = { element, title, bindings, net, adjustments, buttons: { up, down, remove }, place: { n: 0, count: 0 } }
    return row
  }
}
