// Time entries into invoice lines (`#/time-import`, editors and above: `invoice.edit`;
// docs/integrations.md "Time entries into invoice lines"): upload a tracker's CSV (Toggl Track,
// Harvest and Clockify are recognised; any other file is mapped column by column), choose the
// grouping, the rates per person or per task and the draft (a new one or an existing one),
// preview the lines and their totals with the rows in error, then add them: they arrive in
// the draft as the caller's change, under the eyes of whoever has it open.

import { call, type InvoiceSummary, type Me, type Membership } from '../api'
import { h, replaceChildren } from '../dom'
import { formatMoney } from '../format'
import { language, t } from '../i18n'
import {
  TIME_FIELDS,
  confirmTime,
  previewTime,
  uploadTime,
  type TimeField,
  type TimeForm,
  type TimeMapping,
  type TimePreview,
  type TimeUpload
} from '../imports-api'
import { failureText, Scope, view, type View } from '../view'
import { chosenOrg } from './admin-nav'
import { columnChoice, sampleTable } from './customer-import'
import { errorBox, showError } from './forms'

const option = (value: string, label: string, selected = false): HTMLOptionElement => h('option', { value, selected }, label)

function labelled(id: string, label: string, input: HTMLElement): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: id }, label), input)
}

export function timeImportView(me: Me, query: URLSearchParams): View | { redirect: string } {
  const found = chosenOrg(me, 'invoice.edit', query)
  if (!found) return { redirect: '#/invoices' }
  const org: Membership = found
  const scope = new Scope()
  const error = errorBox()
  const said = h('p', { class: 'saved', role: 'status', 'data-testid': 'time-said' })
  const steps = h('div', { class: 'import-steps' })
  const fail = (failure: unknown): void => showError(error, failureText(failure))
  let upload: TimeUpload | null = null
  let selects: Partial<Record<TimeField, HTMLSelectElement>> = {}
  const typedRates = new Map<string, string>() // "person:Alice" -> "120", kept across previews

  const dateOrder = h('select', { id: 'time-date-order' }, option('dmy', t('time_dmy')), option('mdy', t('time_mdy')))
  const groupBy = h('select', { id: 'time-group-by' }, option('project', t('time_by_project')), option('task', t('time_by_task')))
  const ratesBy = h('select', { id: 'time-rates-by' }, option('person', t('time_rate_person')), option('task', t('time_rate_task')))
  const defaultRate = h('input', { id: 'time-default-rate', type: 'text', inputmode: 'decimal', autocomplete: 'off', size: 8 })
  const taxRate = h('input', { id: 'time-tax-rate', type: 'text', inputmode: 'decimal', autocomplete: 'off', value: '20', size: 5 })
  const lineLanguage = h('select', { id: 'time-language' }, option('en', 'English', language() === 'en'), option('fr', 'Français', language() === 'fr'))
  const target = h('select', { id: 'time-target' }, option('', t('time_new_draft')))
  const currency = h('input', { id: 'time-currency', type: 'text', autocomplete: 'off', value: 'EUR', maxlength: '3', size: 4 })
  const rates = h('tbody', {})
  const outcome = h('div', { 'data-testid': 'time-preview' })
  target.addEventListener('change', () => (currency.disabled = target.value !== ''))

  async function drafts(): Promise<void> {
    const params = new URLSearchParams({ status: 'draft', org: org.org_id })
    const found = await call<{ items: InvoiceSummary[] }>('GET', `/api/invoices?${params}`)
    for (const invoice of found.items.filter((i) => i.kind !== 'credit_note')) {
      const name = invoice.customer_name || t('time_no_customer')
      target.append(option(invoice.id, t('time_draft_of', { name, lines: invoice.line_count })))
    }
    const wanted = query.get('invoice')
    if (wanted) target.value = wanted
  }

  const rateKey = (name: string): string => `${ratesBy.value}:${name}`
  function rateRows(names: string[]): void {
    for (const input of rates.querySelectorAll('input')) typedRates.set(input.dataset.key ?? '', input.value)
    replaceChildren(
      rates,
      ...names.map((name, n) => {
        const id = `time-rate-${n}`
        const input = h('input', { id, type: 'text', inputmode: 'decimal', autocomplete: 'off', size: 8, value: typedRates.get(rateKey(name)) ?? '' })
        input.dataset.key = rateKey(name)
        input.dataset.name = name
        return h('tr', {}, h('th', { scope: 'row' }, h('label', { for: id }, name)), h('td', {}, input))
      })
    )
  }

  function form(): TimeForm {
    const mapping = {} as TimeMapping
    for (const name of TIME_FIELDS) mapping[name] = selects[name]?.value || null
    const chosen = [...rates.querySelectorAll('input')]
      .filter((input) => input.value.trim())
      .map((input) => ({ name: input.dataset.name ?? '', rate: input.value.trim().replace(',', '.') }))
    return {
      mapping,
      date_order: dateOrder.value === 'mdy' ? 'mdy' : 'dmy',
      group_by: groupBy.value === 'task' ? 'task' : 'project',
      rates_by: ratesBy.value === 'task' ? 'task' : 'person',
      rates: chosen,
      default_rate: defaultRate.value.trim().replace(',', '.') || null,
      tax_rate: taxRate.value.trim().replace(',', '.') || '20',
      language: lineLanguage.value === 'fr' ? 'fr' : 'en',
      invoice_id: target.value || null,
      currency: currency.value.trim().toUpperCase() || 'EUR'
    }
  }

  const file = h('input', { id: 'time-file', type: 'file', accept: '.csv,.txt,text/csv', 'aria-describedby': 'time-file-hint' })
  const send = h('button', { type: 'submit', class: 'small' }, t('imp_upload'))
  const uploadForm = h(
    'form',
    { class: 'card paid-form', novalidate: true, 'data-testid': 'time-upload', 'aria-labelledby': 'time-upload-title' },
    h('h2', { id: 'time-upload-title' }, t('imp_upload_title')),
    h('div', { class: 'field' }, h('label', { for: 'time-file' }, t('imp_file')), file, h('p', { class: 'hint', id: 'time-file-hint' }, t('time_file_hint'))),
    h('div', { class: 'form-actions' }, send)
  )
  uploadForm.addEventListener('submit', (event) => {
    event.preventDefault()
    showError(error, null)
    said.textContent = ''
    const chosen = file.files?.[0]
    if (!chosen) return showError(error, t('imp_file_needed'))
    send.disabled = true
    uploadTime(org.org_id, chosen)
      .then((answer) => {
        upload = answer
        showSettings(answer)
      })
      .catch(fail)
      .finally(() => (send.disabled = false))
  })

  function showSettings(answer: TimeUpload): void {
    selects = {}
    dateOrder.value = answer.date_order
    const rows = TIME_FIELDS.map((name) => {
      const choice = columnChoice(`time-map-${name}`, t(`time_field_${name}`), answer.columns, answer.mapping[name])
      selects[name] = choice.select
      return choice.row
    })
    const preview = h('button', { type: 'button', class: 'small' }, t('imp_preview'))
    preview.addEventListener('click', () => void runPreview(preview))
    ratesBy.addEventListener('change', () => void runPreview(preview))
    replaceChildren(rates)
    replaceChildren(outcome)
    replaceChildren(
      steps,
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'time-map-title' },
        h('h2', { id: 'time-map-title' }, t('imp_mapping_title')),
        h('p', { class: 'hint', 'data-testid': 'layout' }, answer.layout_title ? t('time_layout', { name: answer.layout_title }) : t('time_no_layout')),
        sampleTable(answer.columns, answer.sample, t('imp_sample')),
        h('table', { class: 'admin-table mapping', 'data-testid': 'mapping' }, h('caption', {}, t('imp_mapping_caption')), h('tbody', {}, ...rows))
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'time-lines-title' },
        h('h2', { id: 'time-lines-title' }, t('time_lines_title')),
        h(
          'div',
          { class: 'payment-grid' },
          labelled('time-date-order', t('time_date_order'), dateOrder),
          labelled('time-group-by', t('time_group_by'), groupBy),
          labelled('time-rates-by', t('time_rates_by'), ratesBy),
          labelled('time-default-rate', t('time_default_rate'), defaultRate),
          labelled('time-tax-rate', t('time_tax_rate'), taxRate),
          labelled('time-language', t('time_language'), lineLanguage),
          labelled('time-target', t('time_target'), target),
          labelled('time-currency', t('time_currency'), currency)
        ),
        h('table', { class: 'admin-table rates', 'data-testid': 'rates' }, h('caption', {}, t('time_rates_caption')), rates),
        h('div', { class: 'form-actions' }, preview)
      ),
      outcome
    )
  }

  async function runPreview(button: HTMLButtonElement): Promise<void> {
    if (!upload) return
    showError(error, null)
    button.disabled = true
    try {
      const found = await previewTime(upload.id, form())
      rateRows(ratesBy.value === 'task' ? found.tasks : found.people)
      replaceChildren(outcome, linesTable(found, false), confirmButton())
    } catch (failure) {
      fail(failure)
    } finally {
      button.disabled = false
    }
  }

  function confirmButton(): HTMLElement {
    const button = h('button', { type: 'button', class: 'primary' }, t('time_confirm'))
    button.addEventListener('click', () => {
      if (!upload) return
      button.disabled = true
      confirmTime(upload.id, form())
        .then((done) => {
          replaceChildren(said, t('time_done', { lines: done.lines.length }), ' ', h('a', { href: `#/invoices/${done.invoice_id}` }, t('time_open_draft')))
          replaceChildren(steps, linesTable(done, true))
          upload = null
        })
        .catch((failure: unknown) => {
          fail(failure)
          button.disabled = false
        })
    })
    return h('div', { class: 'form-actions' }, button)
  }

  void drafts().catch(fail)
  return view(
    h(
      'section',
      { class: 'admin time-import' },
      h('h1', {}, t('time_title', { org: org.org_name })),
      h(
        'nav',
        { class: 'admin-tabs', 'aria-label': t('catalogue') },
        h('a', { href: '#/catalogue/customers' }, t('catalogue_customers')),
        h('a', { href: '#/catalogue/items' }, t('catalogue_items')),
        h('a', { href: '#/catalogue/import' }, t('imp_customers_tab')),
        h('a', { href: '#/time-import', 'aria-current': 'page' }, t('imp_time_tab'))
      ),
      h('p', { class: 'hint' }, t('time_intro')),
      uploadForm,
      error,
      said,
      steps
    ),
    scope
  )
}

/** The lines the file makes (or made), their totals, and the rows that make none. */
function linesTable(found: TimePreview, done: boolean): HTMLElement {
  const money = (value: string): string => formatMoney(value, found.currency)
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'time-preview-title' },
    h('h2', { id: 'time-preview-title' }, done ? t('time_added_title') : t('time_preview_title')),
    h('p', { 'data-testid': 'time-counts' }, t('time_counts', { included: found.included, skipped: found.skipped, errors: found.errors.length })),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'admin-table time-lines' },
        h('caption', { class: 'visually-hidden' }, t('time_preview_title')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('time_line')),
            h('th', { scope: 'col', class: 'num' }, t('time_hours')),
            h('th', { scope: 'col', class: 'num' }, t('time_rate')),
            h('th', { scope: 'col', class: 'num' }, t('time_net'))
          )
        ),
        h(
          'tbody',
          {},
          ...found.lines.map((line) =>
            h('tr', {}, h('th', { scope: 'row' }, line.description), h('td', { class: 'num' }, line.quantity), h('td', { class: 'num' }, money(line.unit_price)), h('td', { class: 'num' }, money(line.net)))
          )
        ),
        h(
          'tfoot',
          { 'data-testid': 'time-totals' },
          h('tr', {}, h('th', { scope: 'row', colspan: 3 }, t('time_total_net')), h('td', { class: 'num' }, money(found.totals.net))),
          h('tr', {}, h('th', { scope: 'row', colspan: 3 }, t('time_total_tax')), h('td', { class: 'num' }, money(found.totals.tax))),
          h('tr', {}, h('th', { scope: 'row', colspan: 3 }, t('time_total_gross')), h('td', { class: 'num' }, money(found.totals.gross)))
        )
      )
    ),
    found.errors.length
      ? h(
          'ul',
          { class: 'row-errors', 'data-testid': 'time-errors', 'aria-label': t('time_errors') },
          ...found.errors.map((e) => h('li', {}, t('time_row_error', { row: e.row, message: e.message })))
        )
      : null
  )
}
