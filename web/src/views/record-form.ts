// The form of one catalogue record, a customer or an item: creates (POST /api/customers,
// /api/items) or changes (PATCH .../{id}) it, and shows the server's refusal on the field it is
// about. Pydantic's refusals carry `details` with the field's path; the catalogue's own checks
// (VAT number, unit code, price) name the field only in their text, as "`unit_price`: ...", so
// a message that starts with a field's name in backticks goes under that field too.

import { ApiError, call, type ErrorDetail } from '../api'
import { COUNTRY_LIST, countryList } from '../countries'
import { h, uid } from '../dom'
import { refusalText, toDocDecimal, toInputDecimal } from '../format'
import { t, type Key } from '../i18n'
import { unitInput } from '../editor/unit-picker'
import { failureText } from '../view'
import { errorBox, showError } from './forms'

type Control = 'text' | 'email' | 'country' | 'unit' | 'decimal' | 'textarea'

export interface FieldSpec {
  name: string
  label: Key
  control?: Control
  required?: boolean
  max?: number
}

export type CatalogueKind = 'customers' | 'items'

export const FIELDS: Record<CatalogueKind, readonly FieldSpec[]> = {
  customers: [
    { name: 'name', label: 'catalogue_name', required: true, max: 200 },
    { name: 'email', label: 'email', control: 'email', max: 320 },
    { name: 'vat_id', label: 'vat_id', max: 20 },
    { name: 'siren', label: 'siren', max: 20 },
    { name: 'line1', label: 'address_line1', max: 200 },
    { name: 'line2', label: 'address_line2', max: 200 },
    { name: 'postcode', label: 'postcode', max: 20 },
    { name: 'city', label: 'city', max: 200 },
    { name: 'country', label: 'country', control: 'country', max: 2 }
  ],
  items: [
    { name: 'name', label: 'catalogue_name', required: true, max: 200 },
    { name: 'description', label: 'description', control: 'textarea', max: 5000 },
    { name: 'unit', label: 'unit', control: 'unit', max: 3 },
    { name: 'unit_price', label: 'unit_price', control: 'decimal', required: true },
    { name: 'tax_rate', label: 'catalogue_tax_rate', control: 'decimal', required: true }
  ]
}

export type CatalogueRecord = { id: string; org_id: string } & Record<string, string>

interface Slot {
  spec: FieldSpec
  input: HTMLInputElement | HTMLTextAreaElement
  issue: HTMLElement
  element: HTMLElement
}

function control(spec: FieldSpec, value: string): HTMLInputElement | HTMLTextAreaElement {
  const common = { id: uid('cat'), name: spec.name, autocomplete: 'off', maxlength: spec.max ? String(spec.max) : null }
  switch (spec.control) {
    case 'textarea':
      return h('textarea', { ...common, rows: '2', value })
    case 'unit': {
      const input = unitInput() // the editor's list of units, named in the UI's language
      Object.assign(input, { id: common.id, name: spec.name, value })
      return input
    }
    case 'country':
      return h('input', { ...common, type: 'text', list: COUNTRY_LIST, autocapitalize: 'characters', value })
    case 'decimal':
      return h('input', { ...common, type: 'text', inputmode: 'decimal', class: 'num', value: value ? toInputDecimal(value) : '' })
    default:
      return h('input', { ...common, type: spec.control === 'email' ? 'email' : 'text', value })
  }
}

/** The field a refusal is about: its `path`, or the name quoted at the start of its text. */
function fieldOf(detail: ErrorDetail | string): string | null {
  if (typeof detail !== 'string') return detail.path.split('.')[0] ?? null
  return /^`(\w+)`/.exec(detail)?.[1] ?? null
}

export interface RecordFormOptions {
  kind: CatalogueKind
  /** The record to change; absent for a new one. */
  record?: CatalogueRecord
  /** The organization of a new record, when the person has several. */
  org?: string
  saved(record: CatalogueRecord): void
  cancelled(): void
}

export function recordForm(options: RecordFormOptions): HTMLElement {
  const { kind, record } = options
  const slots = FIELDS[kind].map((spec): Slot => {
    const input = control(spec, record?.[spec.name] ?? '')
    const issue = h('p', { class: 'issue', id: `${input.id}-issue` })
    input.setAttribute('aria-describedby', issue.id)
    if (spec.required) input.setAttribute('aria-required', 'true')
    const wide = spec.control === 'textarea' || spec.name === 'name' ? 'wide' : ''
    const element = h('div', { class: `field ${wide}`, 'data-field': spec.name }, h('label', { for: input.id }, t(spec.label)), input, issue)
    return { spec, input, issue, element }
  })
  const error = errorBox()
  const save = h('button', { type: 'submit', class: 'primary' }, t('save'))
  const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => options.cancelled() }, t('cancel'))

  function mark(found: Map<string, string[]>): void {
    let first: Slot | null = null
    for (const slot of slots) {
      const messages = found.get(slot.spec.name) ?? []
      slot.issue.textContent = messages.join(' ')
      slot.element.classList.toggle('invalid', messages.length > 0)
      if (messages.length) slot.input.setAttribute('aria-invalid', 'true')
      else slot.input.removeAttribute('aria-invalid')
      if (messages.length) first ??= slot
    }
    first?.input.focus()
  }

  function refusals(failure: unknown): Map<string, string[]> {
    const found = new Map<string, string[]>()
    const put = (name: string | null, message: string): void => {
      // Under its own field, "`unit_price`: ..." needs no name in front.
      const text = message.replace(/^`\w+`:\s*/, '')
      if (name && slots.some((s) => s.spec.name === name)) found.set(name, [...(found.get(name) ?? []), text])
    }
    if (failure instanceof ApiError) {
      if (failure.details.length) for (const detail of failure.details) put(fieldOf(detail), detail.message)
      else put(fieldOf(failure.error), failure.error)
    }
    return found
  }

  /** The body to send, or the fields whose typed numbers are refused before asking. */
  function body(): { ok: true; values: Record<string, string> } | { ok: false; found: Map<string, string[]> } {
    const values: Record<string, string> = {}
    const found = new Map<string, string[]>()
    for (const { spec, input } of slots) {
      let value = input.value.trim()
      if (spec.control === 'country' || spec.control === 'unit') value = value.toUpperCase()
      if (spec.control === 'decimal' && value) {
        const reading = toDocDecimal(value)
        if (!reading.ok) {
          found.set(spec.name, [refusalText(value, reading)])
          continue
        }
        value = reading.value
      }
      // A change sends every field (an emptied one clears it); a new record leaves empty ones out.
      if (value || record) values[spec.name] = value
    }
    return found.size ? { ok: false, found } : { ok: true, values }
  }

  return h(
    'form',
    {
      class: 'card record-form',
      novalidate: true,
      'aria-labelledby': 'record-form-title',
      onsubmit: async (event: Event) => {
        event.preventDefault()
        const typed = body()
        if (!typed.ok) return mark(typed.found)
        save.disabled = true
        try {
          const answer = record
            ? await call<CatalogueRecord>('PATCH', `/api/${kind}/${encodeURIComponent(record.id)}`, typed.values)
            : await call<CatalogueRecord>('POST', `/api/${kind}`, options.org ? { ...typed.values, org: options.org } : typed.values)
          options.saved(answer)
        } catch (failure) {
          const found = refusals(failure)
          mark(found)
          // Said under the field already: the box above the buttons only points there.
          showError(error, found.size ? t('fix_fields') : failureText(failure))
        } finally {
          save.disabled = false
        }
      }
    },
    h('h2', { id: 'record-form-title' }, t(record ? `edit_${kind}` : `new_${kind}`)),
    slots.some((s) => s.spec.control === 'country') ? countryList() : null,
    h('div', { class: 'grid' }, ...slots.map((s) => s.element)),
    error,
    h('div', { class: 'form-actions' }, save, cancel)
  )
}
