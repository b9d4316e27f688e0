// The reminder settings (`#/settings/reminders`, accountants and admins: `payment.manage`;
// docs/reminders.md): on or off, the steps (days from the due date, negative before it, and a
// tone each), the late-payment interest rate the invoices state, and the catalogue customers
// who get no scheduled reminders (a checkbox each, saved at once).

import { call, type Customer, type Me, type Membership } from '../api'
import { h, replaceChildren, uid } from '../dom'
import { toDocDecimal, toInputDecimal } from '../format'
import { t } from '../i18n'
import { optOut, reminderSettings, saveReminderSettings, TONES, type ReminderSettings, type Tone } from '../paid-api'
import { failureText, Scope, view, type View } from '../view'
import { toneText } from '../editor/mail-panel'
import { chosenOrg, paidTabs } from './admin-nav'
import { errorBox, showError } from './forms'
import { checkField, field, Fields } from './paid-fields'

type Step = ReminderSettings['steps'][number]
const MAX_STEPS = 10

export function reminderSettingsView(me: Me, query: URLSearchParams): View | { redirect: string } {
  const found = chosenOrg(me, 'payment.manage', query)
  if (!found) return { redirect: '#/invoices' }
  const org: Membership = found
  const scope = new Scope()
  const enabled = checkField('enabled', t('rem_enabled'), false)
  const rate = field('late_interest_rate', t('rem_rate'), h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off' }), t('rem_rate_hint'))
  const stepsBody = h('tbody')
  const stepsField = h('div', { class: 'field', 'data-field': 'steps' })
  const stepsIssue = h('p', { class: 'issue', id: uid('rem') })
  const fields = new Fields([enabled, rate, { name: 'steps', input: h('input', { type: 'hidden' }), issue: stepsIssue, element: stepsField }])
  const saved = h('p', { class: 'saved', role: 'status' })
  const save = h('button', { type: 'submit', class: 'primary', disabled: true }, t('save'))
  const add = h('button', { type: 'button', class: 'secondary small' }, `+ ${t('rem_add_step')}`)
  const optOuts = h('div', { class: 'table-wrap' })
  const optError = errorBox()
  let steps: Step[] = []

  /** The rows as typed (kept across a redraw that adds or removes one). */
  function readSteps(): Step[] {
    return [...stepsBody.querySelectorAll('tr')].map((row) => ({
      days: Number((row.querySelector('input') as HTMLInputElement).value),
      tone: (row.querySelector('select') as HTMLSelectElement).value as Tone
    }))
  }

  function drawSteps(): void {
    replaceChildren(
      stepsBody,
      ...steps.map((step, index) => {
        const days = h('input', { type: 'number', id: uid('rem'), min: '-60', max: '365', step: '1', value: String(step.days), 'aria-describedby': stepsIssue.id })
        const tone = h('select', { id: uid('rem') }, ...TONES.map((x) => h('option', { value: x, selected: x === step.tone }, toneText(x))))
        const remove = h('button', {
          type: 'button',
          class: 'secondary small',
          disabled: steps.length <= 1,
          onclick: () => {
            steps = readSteps().filter((_, i) => i !== index)
            drawSteps()
          }
        }, t('rem_remove_step'))
        return h(
          'tr',
          { 'data-step': String(index + 1) },
          h('th', { scope: 'row' }, String(index + 1)),
          h('td', { 'data-label': t('rem_days') }, h('label', { for: days.id, class: 'visually-hidden' }, t('rem_days_of', { step: index + 1 })), days),
          h('td', { 'data-label': t('rem_tone') }, h('label', { for: tone.id, class: 'visually-hidden' }, t('rem_tone_of', { step: index + 1 })), tone),
          h('td', {}, remove)
        )
      })
    )
    add.disabled = steps.length >= MAX_STEPS
  }

  function fill(settings: ReminderSettings): void {
    ;(enabled.input as HTMLInputElement).checked = settings.enabled
    rate.input.value = settings.late_interest_rate ? toInputDecimal(settings.late_interest_rate) : ''
    steps = settings.steps.map((s) => ({ ...s }))
    drawSteps()
  }

  add.addEventListener('click', () => {
    const current = readSteps()
    const last = current[current.length - 1]
    steps = [...current, { days: last ? Math.min(365, last.days + 15) : 7, tone: 'firm' }]
    drawSteps()
  })

  const form = h(
    'form',
    {
      class: 'card reminder-settings',
      novalidate: true,
      'aria-labelledby': 'rem-form-title',
      'data-testid': 'reminder-settings',
      onsubmit: (event: Event) => {
        event.preventDefault()
        fields.clear()
        saved.textContent = ''
        const typed = rate.input.value.trim()
        let rateValue: string | null = null
        if (typed) {
          const reading = toDocDecimal(typed)
          if (!reading.ok || !/^\d{1,2}(\.\d{1,2})?$/.test(reading.value)) return fields.mark('late_interest_rate', t('rem_rate_bad'))
          rateValue = reading.value
        }
        const current = readSteps()
        if (current.some((s) => !Number.isInteger(s.days))) return fields.mark('steps', t('rem_days_whole'))
        save.disabled = true
        saveReminderSettings(org.org_id, { enabled: (enabled.input as HTMLInputElement).checked, steps: current, late_interest_rate: rateValue })
          .then((answer) => {
            fill(answer)
            saved.textContent = t('rem_saved')
          })
          // The order of the steps is checked as a whole (400 `schedule`): said under the steps.
          .catch((failure: unknown) => fields.fail(failure, (refusal) => (refusal.code === 'schedule' ? (fields.mark('steps', refusal.error), '') : null)))
          .finally(() => (save.disabled = false))
      }
    },
    h('h2', { id: 'rem-form-title' }, t('rem_schedule')),
    h('p', { class: 'hint' }, t('rem_intro')),
    enabled.element,
    stepsField,
    rate.element,
    fields.error,
    h('div', { class: 'form-actions' }, save, saved)
  )
  replaceChildren(
    stepsField,
    h('h3', { class: 'label' }, t('rem_steps')),
    h('p', { class: 'hint' }, t('rem_steps_hint')),
    h(
      'table',
      { class: 'admin-table steps' },
      h('caption', { class: 'visually-hidden' }, t('rem_steps')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, t('rem_days')), h('th', { scope: 'col' }, t('rem_tone')), h('th', { scope: 'col' }, t('actions')))),
      stepsBody
    ),
    add,
    stepsIssue
  )

  async function loadOptOuts(opted: string[]): Promise<void> {
    try {
      const { items } = await call<{ items: Customer[] }>('GET', `/api/customers?org=${encodeURIComponent(org.org_id)}`)
      const out = new Set(opted)
      replaceChildren(
        optOuts,
        items.length
          ? h(
              'ul',
              { class: 'opt-outs' },
              ...items.map((customer) => {
                const box = h('input', { type: 'checkbox', id: uid('opt'), checked: out.has(customer.id) })
                box.addEventListener('change', () => {
                  box.disabled = true
                  optOut(org.org_id, customer.id, box.checked).then(
                    () => showError(optError, null),
                    (failure: unknown) => {
                      box.checked = !box.checked
                      showError(optError, failureText(failure))
                    }
                  ).finally(() => (box.disabled = false))
                })
                return h('li', { 'data-customer': customer.id }, box, h('label', { for: box.id }, customer.name))
              })
            )
          : h('p', { class: 'empty' }, t('rem_no_customers'))
      )
    } catch (failure) {
      showError(optError, failureText(failure))
    }
  }

  reminderSettings(org.org_id).then(
    (settings) => {
      if (!scope.alive) return
      fill(settings)
      save.disabled = false
      void loadOptOuts(settings.opted_out ?? [])
    },
    (failure: unknown) => showError(fields.error, failureText(failure))
  )

  return view(
    h(
      'section',
      { class: 'admin reminders-page' },
      h('h1', {}, t('rem_title', { org: org.org_name })),
      paidTabs(me, org, 'settings/reminders'),
      form,
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'opt-title' },
        h('h2', { id: 'opt-title' }, t('rem_opt_outs')),
        h('p', { class: 'hint' }, t('rem_opt_outs_hint')),
        optError,
        optOuts
      )
    ),
    scope
  )
}
