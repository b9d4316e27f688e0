// The accounting page (`#/settings/accounting`, accountants and admins: `accounting.export`;
// docs/integrations.md, "Accounting export"): the export form (period, FEC or CSV journal,
// separator) that downloads the file with the session's token, and the chart of accounts with
// each field's default shown beside it (GET|PUT /api/orgs/{org}/accounting/chart).

import { ApiError, call, type Me, type Membership } from '../api'
import { h, replaceChildren, uid } from '../dom'
import { save } from '../editor/downloads'
import { t, type Key } from '../i18n'
import { failureText, Scope, view, type View } from '../view'
import { adminTabs, chosenOrg } from './admin-nav'
import { showError } from './forms'
import { field, Fields, today } from './paid-fields'

interface Rule {
  category: string
  rate: string | null
  sales_account: string
  sales_label: string
  vat_account: string
  vat_label: string
}
const SCALARS = [
  'customer_account', 'customer_label', 'bank_account', 'bank_label',
  'sales_journal', 'sales_journal_label', 'bank_journal', 'bank_journal_label',
  'sales_account', 'sales_label', 'vat_account', 'vat_label',
  'advances_account', 'advances_label', 'rounding_income_account', 'rounding_income_label',
  'rounding_charge_account', 'rounding_charge_label'
] as const  // prettier-ignore
type Scalar = (typeof SCALARS)[number]
type Chart = Record<Scalar, string> & { rules: Rule[] }
interface ChartAnswer {
  chart: Chart
  defaults: Chart
  customized: boolean
  updated_at: string | null
}
const CATEGORIES = ['S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M', 'B']
const RULE_TEXT = ['sales_account', 'sales_label', 'vat_account', 'vat_label'] as const
const RULE_LABELS: Record<(typeof RULE_TEXT)[number], Key> = {
  sales_account: 'acc_rule_sales',
  sales_label: 'acc_rule_sales_label',
  vat_account: 'acc_rule_vat',
  vat_label: 'acc_rule_vat_label'
}
const MAX_RULES = 40

function monthStart(day: string): string {
  return `${day.slice(0, 8)}01`
}

function exportForm(org: Membership): HTMLElement {
  const from = field('from', t('acc_from'), h('input', { type: 'date', required: true, value: monthStart(today()) }))
  const to = field('to', t('acc_to'), h('input', { type: 'date', required: true, value: today() }))
  const format = field('format', t('acc_format'), h('select', {}, h('option', { value: 'fec' }, t('acc_format_fec')), h('option', { value: 'csv' }, t('acc_format_csv'))))
  const separator = field('separator', t('acc_separator'), h('select', {}, h('option', { value: 'pipe' }, t('acc_sep_pipe')), h('option', { value: 'tab' }, t('acc_sep_tab'))))
  const fields = new Fields([from, to, format, separator])
  const done = h('p', { class: 'saved', role: 'status' })
  const foreign = h('ul', { class: 'foreign', hidden: true })
  const button = h('button', { type: 'submit', class: 'primary' }, t('acc_download'))
  format.input.addEventListener('change', () => ((separator.input as HTMLSelectElement).disabled = format.input.value === 'csv'))
  return h(
    'form',
    {
      class: 'card accounting-export',
      novalidate: true,
      'aria-labelledby': 'acc-export-title',
      'data-testid': 'accounting-export',
      onsubmit: (event: Event) => {
        event.preventDefault()
        fields.clear()
        done.textContent = ''
        foreign.hidden = true
        const query = new URLSearchParams({ from: from.input.value, to: to.input.value })
        const base = `/api/orgs/${encodeURIComponent(org.org_id)}/exports`
        if (format.input.value === 'fec') query.set('separator', separator.input.value)
        const path = format.input.value === 'fec' ? `${base}/fec?${query}` : `${base}/journal.csv?${query}`
        button.disabled = true
        save(path)
          .then(() => (done.textContent = t('acc_downloaded')))
          .catch((failure: unknown) => {
            if (failure instanceof ApiError && failure.code === 'foreign_currency') {
              // The documents in another currency are listed under the form, not as field errors.
              showError(fields.error, `${failure.error} ${t('acc_foreign')}`)
              replaceChildren(foreign, ...failure.details.map((d) => h('li', {}, `${d.path}: ${d.message}`)))
              foreign.hidden = false
              return
            }
            fields.fail(failure)
          })
          .finally(() => (button.disabled = false))
      }
    },
    h('h2', { id: 'acc-export-title' }, t('acc_export')),
    h('p', { class: 'hint' }, t('acc_export_hint')),
    h('div', { class: 'fields-row' }, from.element, to.element, format.element, separator.element),
    fields.error,
    foreign,
    h('div', { class: 'form-actions' }, button, done)
  )
}

function chartForm(org: Membership, scope: Scope): HTMLElement {
  const path = `/api/orgs/${encodeURIComponent(org.org_id)}/accounting/chart`
  const inputs = new Map<Scalar, HTMLInputElement>()
  const hints = new Map<Scalar, HTMLElement>()
  const scalars = SCALARS.map((name) => {
    const one = field(name, t(`acc_${name}` as Key), h('input', { type: 'text', autocomplete: 'off', maxlength: name.endsWith('label') ? 100 : 20 }))
    inputs.set(name, one.input as HTMLInputElement)
    const hint = h('p', { class: 'hint default', 'data-default': name })
    one.element.insertBefore(hint, one.issue)
    hints.set(name, hint)
    return one
  })
  const rulesBody = h('tbody')
  const rulesIssue = h('p', { class: 'issue', id: uid('acc') })
  const rulesField = h('div', { class: 'field', 'data-field': 'rules' })
  const fields = new Fields([...scalars, { name: 'rules', input: h('input', { type: 'hidden' }), issue: rulesIssue, element: rulesField }])
  const status = h('p', { class: 'hint' })
  const saved = h('p', { class: 'saved', role: 'status' })
  const submit = h('button', { type: 'submit', class: 'primary', disabled: true }, t('acc_save'))
  const restore = h('button', { type: 'button', class: 'secondary', disabled: true }, t('acc_restore'))
  const add = h('button', { type: 'button', class: 'secondary small' }, `+ ${t('acc_add_rule')}`)
  let rules: Rule[] = []
  let defaults: Chart | null = null

  function readRules(): Rule[] {
    return [...rulesBody.querySelectorAll('tr')].map((row) => {
      const value = (name: string): string => (row.querySelector(`[name="${name}"]`) as HTMLInputElement).value.trim()
      const rate = value('rate')
      return { category: value('category'), rate: rate === '' ? null : rate.replace(',', '.'), sales_account: value('sales_account'), sales_label: value('sales_label'), vat_account: value('vat_account'), vat_label: value('vat_label') }
    })
  }

  function cell(n: number, label: Key, control: HTMLInputElement | HTMLSelectElement): HTMLElement {
    control.id = uid('acc')
    control.setAttribute('aria-describedby', rulesIssue.id)
    const text = t(label)
    return h('td', { 'data-label': text }, h('label', { for: control.id, class: 'visually-hidden' }, t('acc_rule_field', { field: text, n })), control)
  }

  function drawRules(): void {
    replaceChildren(
      rulesBody,
      ...rules.map((rule, index) => {
        const n = index + 1
        const category = h('select', { name: 'category' }, ...CATEGORIES.map((c) => h('option', { value: c, selected: c === rule.category }, c)))
        const rate = h('input', { type: 'text', name: 'rate', inputmode: 'decimal', value: rule.rate ?? '', placeholder: t('acc_rate_any'), size: 6 })
        const texts = RULE_TEXT.map((name) => cell(n, RULE_LABELS[name], h('input', { type: 'text', name, value: rule[name], maxlength: name.endsWith('label') ? 100 : 20 })))
        const remove = h('button', { type: 'button', class: 'secondary small', onclick: () => ((rules = readRules().filter((_, i) => i !== index)), drawRules()) }, t('acc_remove_rule'))
        return h('tr', { 'data-rule': String(n) }, cell(n, 'acc_category', category), cell(n, 'acc_rate', rate), ...texts, h('td', {}, remove))
      })
    )
    add.disabled = rules.length >= MAX_RULES
  }

  function fill(answer: ChartAnswer): void {
    defaults = answer.defaults
    for (const name of SCALARS) {
      ;(inputs.get(name) as HTMLInputElement).value = answer.chart[name]
      ;(hints.get(name) as HTMLElement).textContent = t('acc_default', { value: answer.defaults[name] })
    }
    rules = answer.chart.rules.map((r) => ({ ...r }))
    drawRules()
    status.textContent = answer.customized && answer.updated_at ? t('acc_customized', { at: new Date(answer.updated_at).toLocaleString() }) : t('acc_using_defaults')
  }

  add.addEventListener('click', () => {
    rules = [...readRules(), { category: 'S', rate: '', sales_account: '', sales_label: '', vat_account: '', vat_label: '' }]
    drawRules()
  })
  restore.addEventListener('click', () => {
    if (!defaults) return
    for (const name of SCALARS) (inputs.get(name) as HTMLInputElement).value = defaults[name]
    rules = defaults.rules.map((r) => ({ ...r }))
    drawRules()
  })
  replaceChildren(
    rulesField,
    h('h3', { class: 'label' }, t('acc_rules')),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'admin-table rules' },
        h('caption', { class: 'visually-hidden' }, t('acc_rules')),
        h('thead', {}, h('tr', {}, ...(['acc_category', 'acc_rate', ...RULE_TEXT.map((n) => RULE_LABELS[n])] as Key[]).map((k) => h('th', { scope: 'col' }, t(k))), h('th', { scope: 'col' }, t('actions')))),
        rulesBody
      )
    ),
    add,
    rulesIssue
  )
  call<ChartAnswer>('GET', path).then(
    (answer) => {
      if (!scope.alive) return
      fill(answer)
      submit.disabled = restore.disabled = false
    },
    (failure: unknown) => showError(fields.error, failureText(failure))
  )
  return h(
    'form',
    {
      class: 'card accounting-chart',
      novalidate: true,
      'aria-labelledby': 'acc-chart-title',
      'data-testid': 'accounting-chart',
      onsubmit: (event: Event) => {
        event.preventDefault()
        fields.clear()
        saved.textContent = ''
        const body = { ...Object.fromEntries(SCALARS.map((name) => [name, (inputs.get(name) as HTMLInputElement).value.trim()])), rules: readRules() }
        submit.disabled = true
        call<ChartAnswer>('PUT', path, body)
          .then((answer) => {
            fill(answer)
            saved.textContent = t('acc_saved')
          })
          .catch((failure: unknown) => fields.fail(failure))
          .finally(() => (submit.disabled = false))
      }
    },
    h('h2', { id: 'acc-chart-title' }, t('acc_chart')),
    h('p', { class: 'hint' }, t('acc_chart_hint')),
    status,
    h('div', { class: 'fields-grid' }, ...scalars.map((one) => one.element)),
    rulesField,
    fields.error,
    h('div', { class: 'form-actions' }, submit, restore, saved)
  )
}

export function accountingView(me: Me, query: URLSearchParams): View | { redirect: string } {
  const found = chosenOrg(me, 'accounting.export', query)
  if (!found) return { redirect: '#/invoices' }
  const scope = new Scope()
  return view(
    h(
      'section',
      { class: 'admin accounting-page' },
      h('h1', {}, t('acc_title', { org: found.org_name })),
      adminTabs(me, found, 'settings/accounting'),
      exportForm(found),
      chartForm(found, scope)
    ),
    scope
  )
}
