// The organization's seller profile, for admins (docs/organization.md): what every issued
// invoice says about the seller. GET /api/orgs/{org}/profile (404 `no_profile` before the first
// save), PUT to save; the server's checks come back as `details` shown under their fields.

import { ApiError, call, type ErrorDetail, type Me } from '../api'
import { h, uid } from '../dom'
import { t, type Key } from '../i18n'
import { failureText, view, type View } from '../view'
import { errorBox, showError } from './forms'
import { workflowSettingsForm } from './workflow-settings'

/** [label, path, attributes]: the path is the field's name in the API's body. */
const FIELDS: [Key, string, Record<string, string>?][] = [
  ['legal_name', 'legal_name', { required: 'true', autocomplete: 'organization', class: 'wide' }],
  ['address_line1', 'address.line1', { required: 'true', class: 'half' }],
  ['address_line2', 'address.line2', { class: 'half' }],
  ['postcode', 'address.postcode', { required: 'true' }],
  ['city', 'address.city', { required: 'true' }],
  ['country', 'address.country', { required: 'true', maxlength: '2' }],
  ['siren', 'siren', { required: 'true', inputmode: 'numeric' }],
  ['vat_id', 'vat_id', { required: 'true' }],
  ['iban', 'iban', { required: 'true', class: 'half' }],
  ['bic', 'bic', { required: 'true' }],
  ['currency', 'currency', { maxlength: '3' }],
  ['late_payment_rate', 'legal_mentions.late_payment_rate', { inputmode: 'decimal' }],
  ['recovery_indemnity', 'legal_mentions.recovery_indemnity', { inputmode: 'decimal' }],
  ['early_payment_discount', 'legal_mentions.early_payment_discount', { class: 'half' }],
  ['payment_terms', 'payment_terms', { class: 'half' }],
  ['payment_days', 'payment_days', { type: 'number', min: '0', max: '365' }],
  ['legal_text', 'legal_mentions.text', { class: 'wide' }]
]
const UPPER = new Set(['address.country', 'siren', 'vat_id', 'iban', 'bic', 'currency'])

type Json = Record<string, unknown>

function read(data: Json, path: string): string {
  let value: unknown = data
  for (const part of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Json)[part] : undefined
  return value === undefined || value === null ? '' : String(value)
}

function write(data: Json, path: string, value: unknown): void {
  const parts = path.split('.')
  const last = parts.pop() ?? path
  let target = data
  for (const part of parts) target = (target[part] ??= {}) as Json
  target[last] = value
}

/** The admin's organizations; `?org=` picks one. */
export async function profileView(me: Me, query: URLSearchParams): Promise<View | { redirect: string }> {
  const admins = me.memberships.filter((m) => m.capabilities.includes('org.settings'))
  const org = admins.find((m) => m.org_id === query.get('org')) ?? admins[0]
  if (!org) return { redirect: '#/invoices' }
  const path = `/api/orgs/${encodeURIComponent(org.org_id)}/profile`
  let stored: Json = {}
  try {
    stored = await call<Json>('GET', path)
  } catch (failure) {
    if (!(failure instanceof ApiError && failure.code === 'no_profile')) throw failure
  }

  const inputs = new Map<string, { input: HTMLInputElement; issue: HTMLElement; field: HTMLElement }>()
  const grid = h(
    'div',
    { class: 'grid' },
    ...FIELDS.map(([label, name, attrs = {}]) => {
      const { class: span = '', ...rest } = attrs
      const id = uid('pf')
      const issue = h('p', { class: 'issue', id: `${id}-issue` })
      const input = h('input', { id, name, type: 'text', autocomplete: 'off', 'aria-describedby': `${id}-issue`, value: read(stored, name), ...rest })
      const field = h('div', { class: `field ${span}`, 'data-field': name }, h('label', { for: id }, t(label)), input, issue)
      inputs.set(name, { input, issue, field })
      return field
    })
  )
  // A French seller may opt to pay VAT on debits; every invoice then says so (docs/organization.md).
  const debits = h('input', { type: 'checkbox', id: uid('pf'), name: 'vat_on_debits', checked: stored.vat_on_debits === true })
  grid.append(h('div', { class: 'field check wide', 'data-field': 'vat_on_debits' }, debits, h('label', { for: debits.id }, t('vat_on_debits'))))
  const missing = h('p', { class: 'banner', 'data-testid': 'profile-missing', hidden: true })
  const error = errorBox()
  const saved = h('p', { class: 'saved', role: 'status' })
  const save = h('button', { type: 'submit', class: 'primary' }, t('save'))

  function showMissing(list: unknown): void {
    const paths = Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : []
    missing.textContent = paths.length ? t('profile_missing', { fields: paths.join(', ') }) : ''
    missing.hidden = !paths.length
  }

  function showDetails(details: ErrorDetail[]): void {
    for (const { input, issue, field } of inputs.values()) {
      issue.textContent = ''
      input.removeAttribute('aria-invalid')
      field.classList.remove('invalid')
    }
    let first: HTMLInputElement | null = null
    for (const detail of details) {
      const target = inputs.get(detail.path)
      if (!target) continue
      target.issue.textContent = target.issue.textContent ? `${target.issue.textContent} ${detail.message}` : detail.message
      target.input.setAttribute('aria-invalid', 'true')
      target.field.classList.add('invalid')
      first ??= target.input
    }
    first?.focus()
  }

  function body(): Json {
    const out: Json = {}
    for (const [name, { input }] of inputs) {
      let value = input.value.trim()
      if (UPPER.has(name)) value = value.toUpperCase()
      if (!value) {
        // Required fields go as empty strings (the server names them); optional ones are left out.
        if (input.required) write(out, name, '')
        continue
      }
      write(out, name, name === 'payment_days' ? Number(value) : value)
    }
    out.vat_on_debits = debits.checked
    return out
  }

  const form = h(
    'form',
    {
      class: 'card profile-form',
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault()
        save.disabled = true
        saved.textContent = ''
        try {
          const answer = await call<Json>('PUT', path, body())
          // What the server stored (identifiers compacted, upper case) is what invoices print.
          for (const [name, { input }] of inputs) input.value = read(answer, name)
          debits.checked = answer.vat_on_debits === true
          showDetails([])
          showError(error, null)
          showMissing(answer.missing)
          saved.textContent = t('profile_saved')
        } catch (failure) {
          showDetails(failure instanceof ApiError ? failure.details : [])
          showError(error, failureText(failure))
        } finally {
          save.disabled = false
        }
      }
    },
    grid,
    error,
    h('div', { class: 'form-actions' }, save, saved)
  )
  showMissing(stored.missing ?? ['profile'])
  const picker =
    admins.length > 1
      ? h(
          'nav',
          { class: 'org-picker', 'aria-label': t('organization') },
          ...admins.map((m) => h('a', { href: `#/settings/profile?org=${encodeURIComponent(m.org_id)}`, 'aria-current': m === org ? 'page' : null }, m.org_name))
        )
      : null
  // The approval rules live on the same settings page; their failure leaves the profile usable.
  const rules = await workflowSettingsForm(org.org_id).catch((failure: unknown) => h('p', { class: 'form-error', role: 'alert' }, failureText(failure)))
  return view(
    h(
      'section',
      { class: 'profile' },
      h('h1', {}, t('seller_profile_title', { org: org.org_name })),
      h('p', { class: 'hint' }, t('seller_profile_intro')),
      picker,
      missing,
      form,
      rules
    )
  )
}
