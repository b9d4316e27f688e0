// The organization's approval rules, for admins, on the seller-profile page
// (docs/workflow.md, "Organization settings"): four-eyes and the amount above which only an
// administrator approves. GET|PUT /api/orgs/{org}/workflow-settings; an empty amount means
// no threshold; the server's checks come back as `details` shown under their fields.

import { ApiError, call, type ErrorDetail } from '../api'
import { MINOR_UNITS } from '../currencies'
import { h, uid } from '../dom'
import { t } from '../i18n'
import { DEFAULT_CURRENCY } from '../schema'
import { refusalText, toDocDecimal, toInputDecimal } from '../format'
import { failureText } from '../view'
import { errorBox, showError } from './forms'

interface Settings {
  four_eyes: boolean
  admin_threshold: { amount: string; currency: string } | null
}

interface Field {
  input: HTMLInputElement | HTMLSelectElement
  issue: HTMLElement
  field: HTMLElement
}

function field(label: string, input: HTMLInputElement | HTMLSelectElement, path: string, hint?: string): Field {
  const issue = h('p', { class: 'issue', id: `${input.id}-issue` })
  const hintId = hint ? `${input.id}-hint` : null
  input.setAttribute('aria-describedby', [issue.id, hintId].filter(Boolean).join(' '))
  const element = h('div', { class: 'field', 'data-field': path }, h('label', { for: input.id }, label), input, hint ? h('p', { class: 'hint', id: hintId }, hint) : null, issue)
  return { input, issue, field: element }
}

/** The settings form of `orgId`, filled with what the server stores. */
export async function workflowSettingsForm(orgId: string): Promise<HTMLElement> {
  const path = `/api/orgs/${encodeURIComponent(orgId)}/workflow-settings`
  const stored = await call<Settings>('GET', path)
  const fourEyes = h('input', { type: 'checkbox', id: uid('ws'), name: 'four_eyes', checked: stored.four_eyes })
  const amount = h('input', {
    type: 'text',
    id: uid('ws'),
    name: 'admin_threshold.amount',
    inputmode: 'decimal',
    autocomplete: 'off',
    value: stored.admin_threshold ? toInputDecimal(stored.admin_threshold.amount) : ''
  })
  const chosen = stored.admin_threshold?.currency ?? DEFAULT_CURRENCY
  const currency = h(
    'select',
    { id: uid('ws'), name: 'admin_threshold.currency' },
    ...[...MINOR_UNITS.keys()].sort().map((code) => h('option', { value: code, selected: code === chosen }, code))
  )
  const fields = new Map<string, Field>([
    ['admin_threshold.amount', field(t('admin_threshold_amount'), amount, 'admin_threshold.amount', t('admin_threshold_hint'))],
    ['admin_threshold.currency', field(t('admin_threshold_currency'), currency, 'admin_threshold.currency')]
  ])
  const eyesIssue = h('p', { class: 'issue', id: `${fourEyes.id}-issue` })
  fields.set('four_eyes', { input: fourEyes, issue: eyesIssue, field: h('div', { class: 'field check', 'data-field': 'four_eyes' }, fourEyes, h('label', { for: fourEyes.id }, t('four_eyes')), eyesIssue) })

  const error = errorBox()
  const saved = h('p', { class: 'saved', role: 'status' })
  const save = h('button', { type: 'submit', class: 'primary' }, t('save'))

  function showDetails(details: ErrorDetail[]): void {
    for (const { input, issue, field: element } of fields.values()) {
      issue.textContent = ''
      input.removeAttribute('aria-invalid')
      element.classList.remove('invalid')
    }
    for (const detail of details) {
      // A whole-threshold refusal (`admin_threshold`) belongs to the amount.
      const target = fields.get(detail.path) ?? (detail.path === 'admin_threshold' ? fields.get('admin_threshold.amount') : undefined)
      if (!target) continue
      target.issue.textContent = [target.issue.textContent, detail.message].filter(Boolean).join(' ')
      target.input.setAttribute('aria-invalid', 'true')
      target.field.classList.add('invalid')
    }
  }

  /** The settings to send, or null when the amount typed is refused (said under it). */
  function body(): Settings | null {
    const typed = amount.value.trim()
    if (!typed) return { four_eyes: fourEyes.checked, admin_threshold: null }
    const reading = toDocDecimal(typed)
    if (!reading.ok) {
      showDetails([{ path: 'admin_threshold.amount', message: refusalText(typed, reading) }])
      return null
    }
    return { four_eyes: fourEyes.checked, admin_threshold: { amount: reading.value, currency: currency.value } }
  }

  return h(
    'form',
    {
      class: 'card workflow-settings',
      novalidate: true,
      'aria-labelledby': 'workflow-settings-title',
      onsubmit: async (event: Event) => {
        event.preventDefault()
        const settings = body()
        if (!settings) return
        save.disabled = true
        saved.textContent = ''
        try {
          const answer = await call<Settings>('PUT', path, settings)
          amount.value = answer.admin_threshold ? toInputDecimal(answer.admin_threshold.amount) : ''
          fourEyes.checked = answer.four_eyes
          showDetails([])
          showError(error, null)
          saved.textContent = t('workflow_settings_saved')
        } catch (failure) {
          showDetails(failure instanceof ApiError ? failure.details : [])
          showError(error, failureText(failure))
        } finally {
          save.disabled = false
        }
      }
    },
    h('h2', { id: 'workflow-settings-title' }, t('workflow_settings')),
    h('p', { class: 'hint' }, t('workflow_settings_intro')),
    fields.get('four_eyes')?.field,
    h('div', { class: 'threshold' }, fields.get('admin_threshold.amount')?.field, fields.get('admin_threshold.currency')?.field),
    error,
    h('div', { class: 'form-actions' }, save, saved)
  )
}
