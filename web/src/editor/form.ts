// The header part of the editor form: customer block (with the deliver-to address), invoice
// details (with the nature of the operations), notes and discount.

import { h } from '../dom'
import { COMMON_CURRENCIES } from '../currencies'
import { COUNTRY_LIST, countryList } from '../countries'
import { CORRECTIVE_INVOICE, DEFAULT_CURRENCY } from '../schema'
import { t, type Key } from '../i18n'
import { bind, type BindContext, type Binding, type Kind } from './bind'
import { dateField } from './date-field'
import { field, input, select, textarea } from './fields'
import { readField } from './ydoc'

export interface Section {
  element: HTMLElement
  bindings: Binding[]
}

type Spec = [Key, string, Kind, Record<string, string>?]

function fields(context: BindContext, specs: Spec[], bindings: Binding[]): HTMLElement[] {
  return specs.map(([label, path, kind, attrs = {}]) => {
    const { 'data-span': span = '', ...rest } = attrs // span: 'half' or 'wide' of the grid
    const element = kind === 'text' ? textarea(rest) : input(rest)
    bindings.push(bind(context, element, path, kind))
    return field(t(label), element, path, { className: span })
  })
}

export function section(titleKey: Key, id: string, ...content: (HTMLElement | null)[]): HTMLElement {
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, t(titleKey)), ...content)
}

export function customerSection(context: BindContext, picker: HTMLElement | null): Section {
  const bindings: Binding[] = []
  const c = 'invoice.customer'
  const grid = h(
    'div',
    { class: 'grid' },
    ...fields(
      context,
      [
        ['customer_name', `${c}.name`, 'string', { 'data-span': 'half' }],
        ['customer_email', `${c}.email`, 'string', { type: 'email', 'data-span': 'half' }],
        ['address_line1', `${c}.address.line1`, 'string', { 'data-span': 'half' }],
        ['address_line2', `${c}.address.line2`, 'string', { 'data-span': 'half' }],
        ['postcode', `${c}.address.postcode`, 'string'],
        ['city', `${c}.address.city`, 'string'],
        // A combobox of the ISO 3166-1 codes with their names (countries.ts); a code can be typed.
        ['country', `${c}.address.country`, 'upper', { maxlength: '2', class: 'short', list: COUNTRY_LIST }],
        ['vat_id', `${c}.vat_id`, 'upper'],
        ['siren', `${c}.siren`, 'string', { inputmode: 'numeric' }]
      ],
      bindings
    )
  )
  grid.append(countryList())
  return { element: section('customer_section', 'sec-customer', picker, grid, deliveryFields(context, bindings)), bindings }
}

const DELIVERY_PATHS = ['name', 'address.line1', 'address.line2', 'address.postcode', 'address.city', 'address.country'].map((p) => `invoice.delivery.${p}`)

/** The deliver-to party and address (a French mention from 2026), filled only when it differs
 * from the billing address: folded away until someone asks for it or the document has one. */
function deliveryFields(context: BindContext, bindings: Binding[]): HTMLElement {
  const d = 'invoice.delivery'
  const grid = h(
    'div',
    { class: 'grid' },
    ...fields(
      context,
      [
        ['delivery_name', `${d}.name`, 'string', { 'data-span': 'wide' }],
        ['delivery_line1', `${d}.address.line1`, 'string', { 'data-span': 'half' }],
        ['delivery_line2', `${d}.address.line2`, 'string', { 'data-span': 'half' }],
        ['delivery_postcode', `${d}.address.postcode`, 'string'],
        ['delivery_city', `${d}.address.city`, 'string'],
        ['delivery_country', `${d}.address.country`, 'upper', { maxlength: '2', class: 'short' }]
      ],
      bindings
    )
  )
  const stated = DELIVERY_PATHS.some((path) => readField(context.doc(), path) !== '')
  return h('details', { class: 'delivery', 'data-testid': 'delivery', open: stated }, h('summary', {}, t('delivery_toggle')), grid)
}

/** BT-3 and BG-3: the type select and the original invoice's number and date, shown for a
 * corrective invoice (or when the document has them, e.g. an imported reference). A credit
 * note has no type select: it is one by the way it was made (server/credit_notes). */
function typeFields(context: BindContext, bindings: Binding[]): HTMLElement[] {
  const type = select([
    ['', t('type_invoice')],
    ['384', t('type_corrective')],
    ['386', t('type_prepayment')]
  ])
  const typeBinding = bind(context, type, 'invoice.type_code', 'string')
  const number = input({})
  bindings.push(bind(context, number, 'invoice.preceding_number', 'string'))
  const preceding = [
    field(t('preceding_number'), number, 'invoice.preceding_number'),
    dateField(context, t('preceding_date'), 'invoice.preceding_date', bindings)
  ]
  const show = (): void => {
    const doc = context.doc()
    const stated = ['invoice.preceding_number', 'invoice.preceding_date'].some((path) => readField(doc, path) !== '')
    const hidden = readField(doc, 'invoice.type_code') !== CORRECTIVE_INVOICE && !stated
    for (const element of preceding) element.hidden = hidden
  }
  // The select's binding also decides whether the original invoice's fields are shown, as
  // every binding is refreshed on each change of the document (local or remote).
  bindings.push({ ...typeBinding, refresh: () => (typeBinding.refresh(), show()) })
  type.addEventListener('change', show)
  show()
  return [field(t('type_code'), type, 'invoice.type_code'), ...preceding]
}

export function detailsSection(context: BindContext, creditNote = false): Section {
  const bindings: Binding[] = []
  // The placeholder is the currency the totals use while the field is empty.
  const currency = input({ maxlength: '3', list: 'currencies', class: 'short', placeholder: DEFAULT_CURRENCY })
  bindings.push(bind(context, currency, 'invoice.currency', 'upper'))
  // The nature of the operations (a French mention from 2026); empty until someone says.
  const operations = select([
    ['', t('operations_unset')],
    ['goods', t('operations_goods')],
    ['services', t('operations_services')],
    ['mixed', t('operations_mixed')]
  ])
  bindings.push(bind(context, operations, 'invoice.operations', 'string'))
  const grid = h(
    'div',
    { class: 'grid' },
    ...(creditNote ? [] : typeFields(context, bindings)),
    // One tab stop per date (a native date input takes three): date-field.ts.
    dateField(context, t('issue_date'), 'invoice.issue_date', bindings),
    dateField(context, t('due_date'), 'invoice.due_date', bindings),
    field(t('currency'), currency, 'invoice.currency'),
    h('datalist', { id: 'currencies' }, ...COMMON_CURRENCIES.map((code) => h('option', { value: code }))),
    ...fields(
      context,
      [
        ['buyer_reference', 'invoice.buyer_reference', 'string'],
        ['payment_terms', 'invoice.payment_terms', 'string', { 'data-span': 'wide' }]
      ],
      bindings
    ),
    field(t('operations'), operations, 'invoice.operations')
  )
  return { element: section('details_section', 'sec-details', grid), bindings }
}

export function notesSection(context: BindContext): Section {
  const bindings: Binding[] = []
  const notes = textarea({ rows: '3', maxlength: '10000' }) // the schema's length: the server refuses more
  bindings.push(bind(context, notes, 'invoice.notes', 'text'))
  const value = input({ inputmode: 'decimal', class: 'num' })
  bindings.push(bind(context, value, 'invoice.discount.value', 'decimal'))
  const kind = select([
    ['percent', t('percent')],
    ['amount', t('amount')]
  ])
  bindings.push(bind(context, kind, 'invoice.discount.kind', 'string'))
  const element = section(
    'notes_section',
    'sec-notes',
    field(t('notes'), notes, 'invoice.notes', { className: 'wide' }),
    h(
      'div',
      { class: 'grid' },
      field(t('document_discount'), value, 'invoice.discount.value'),
      field(t('document_discount_kind'), kind, 'invoice.discount.kind')
    )
  )
  return { element, bindings }
}
