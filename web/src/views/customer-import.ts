// Customers from and to a CRM (`#/catalogue/import`, editors and above: `invoice.create`;
// docs/integrations.md "Customers from and to a CRM"): export the customers as CSV; upload a
// CRM's CSV, adjust the column mapping the server proposes (one dropdown per field), preview
// what each row would do (create, update of a matched customer, or the error and its row),
// then confirm: only the good rows are imported.

import type { Me, Membership } from '../api'
import { h, replaceChildren } from '../dom'
import { save } from '../editor/downloads'
import { hasKey, t } from '../i18n'
import {
  CUSTOMER_FIELDS,
  confirmCustomers,
  customersCsvPath,
  previewCustomers,
  uploadCustomers,
  type CustomerField,
  type CustomerMapping,
  type CustomerPreview,
  type CustomerUpload
} from '../imports-api'
import { failureText, Scope, view, type View } from '../view'
import { chosenOrg } from './admin-nav'
import { errorBox, showError } from './forms'

/** A dropdown of the file's columns (and "none") for one field, labelled by the field. */
export function columnChoice(id: string, label: string, columns: string[], chosen: string | null): { row: HTMLElement; select: HTMLSelectElement } {
  const select = h(
    'select',
    { id, name: id },
    h('option', { value: '' }, t('imp_no_column')),
    ...columns.map((c) => h('option', { value: c, selected: c === chosen }, c))
  )
  const row = h('tr', {}, h('th', { scope: 'row' }, h('label', { for: id }, label)), h('td', {}, select))
  return { row, select }
}

export function sampleTable(columns: string[], sample: string[][], caption: string): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'admin-table sample' },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...sample.map((row) => h('tr', {}, ...row.map((cell) => h('td', {}, cell)))))
    )
  )
}

function fieldLabel(name: CustomerField): string {
  return t(`imp_field_${name}`)
}

export function customerImportView(me: Me, query: URLSearchParams): View | { redirect: string } {
  const found = chosenOrg(me, 'invoice.create', query)
  if (!found) return { redirect: '#/catalogue/customers' }
  const org: Membership = found
  const scope = new Scope()
  const error = errorBox()
  const said = h('p', { class: 'saved', role: 'status', 'data-testid': 'import-said' })
  const steps = h('div', { class: 'import-steps' })
  let upload: CustomerUpload | null = null
  let selects: Partial<Record<CustomerField, HTMLSelectElement>> = {}

  const mapping = (): CustomerMapping => {
    const chosen = {} as CustomerMapping
    for (const name of CUSTOMER_FIELDS) chosen[name] = selects[name]?.value || null
    return chosen
  }
  const fail = (failure: unknown): void => showError(error, failureText(failure))

  const file = h('input', { id: 'crm-file', type: 'file', accept: '.csv,.txt,text/csv', 'aria-describedby': 'crm-file-hint' })
  const send = h('button', { type: 'submit', class: 'small' }, t('imp_upload'))
  const uploadForm = h(
    'form',
    { class: 'card paid-form', novalidate: true, 'data-testid': 'upload-form', 'aria-labelledby': 'crm-upload-title' },
    h('h2', { id: 'crm-upload-title' }, t('imp_upload_title')),
    h('div', { class: 'field' }, h('label', { for: 'crm-file' }, t('imp_file')), file, h('p', { class: 'hint', id: 'crm-file-hint' }, t('imp_customer_file_hint'))),
    h('div', { class: 'form-actions' }, send)
  )
  uploadForm.addEventListener('submit', (event) => {
    event.preventDefault()
    showError(error, null)
    said.textContent = ''
    const chosen = file.files?.[0]
    if (!chosen) return showError(error, t('imp_file_needed'))
    send.disabled = true
    uploadCustomers(org.org_id, chosen)
      .then((answer) => {
        upload = answer
        showMapping(answer)
      })
      .catch(fail)
      .finally(() => (send.disabled = false))
  })

  function showMapping(answer: CustomerUpload): void {
    selects = {}
    const rows = CUSTOMER_FIELDS.map((name) => {
      const choice = columnChoice(`map-${name}`, fieldLabel(name), answer.columns, answer.mapping[name])
      selects[name] = choice.select
      return choice.row
    })
    const preview = h('button', { type: 'button', class: 'small' }, t('imp_preview'))
    const outcome = h('div', { 'data-testid': 'preview' })
    preview.addEventListener('click', () => {
      if (!upload) return
      showError(error, null)
      preview.disabled = true
      previewCustomers(upload.id, mapping())
        .then((found) => replaceChildren(outcome, previewTable(found, false), confirmButton()))
        .catch(fail)
        .finally(() => (preview.disabled = false))
    })
    replaceChildren(
      steps,
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'crm-map-title' },
        h('h2', { id: 'crm-map-title' }, t('imp_mapping_title')),
        h('p', { class: 'hint' }, t('imp_read_as', { rows: answer.rows, encoding: answer.encoding, delimiter: delimiterName(answer.delimiter) })),
        sampleTable(answer.columns, answer.sample, t('imp_sample')),
        h('table', { class: 'admin-table mapping', 'data-testid': 'mapping' }, h('caption', {}, t('imp_mapping_caption')), h('tbody', {}, ...rows)),
        h('div', { class: 'form-actions' }, preview)
      ),
      outcome
    )
  }

  function confirmButton(): HTMLElement {
    const button = h('button', { type: 'button', class: 'primary' }, t('imp_confirm'))
    button.addEventListener('click', () => {
      if (!upload) return
      button.disabled = true
      confirmCustomers(upload.id, mapping())
        .then((done) => {
          said.textContent = t('imp_customers_done', { create: done.counts.create, update: done.counts.update, error: done.counts.error })
          replaceChildren(steps, previewTable(done, true))
          upload = null
        })
        .catch((failure: unknown) => {
          fail(failure)
          button.disabled = false
        })
    })
    return h('div', { class: 'form-actions' }, button)
  }

  const exportButton = h('button', { type: 'button', class: 'secondary small', 'data-testid': 'export' }, t('imp_export_customers'))
  exportButton.addEventListener('click', () => {
    showError(error, null)
    save(customersCsvPath(org.org_id))
      .then(() => (said.textContent = t('imp_exported')))
      .catch(fail)
  })

  return view(
    h(
      'section',
      { class: 'admin catalogue-import' },
      h('h1', {}, t('imp_customers_title', { org: org.org_name })),
      h(
        'nav',
        { class: 'admin-tabs', 'aria-label': t('catalogue') },
        h('a', { href: '#/catalogue/customers' }, t('catalogue_customers')),
        h('a', { href: '#/catalogue/items' }, t('catalogue_items')),
        h('a', { href: '#/catalogue/import', 'aria-current': 'page' }, t('imp_customers_tab')),
        h('a', { href: '#/time-import' }, t('imp_time_tab'))
      ),
      h('p', { class: 'hint' }, t('imp_customers_intro')),
      h('div', { class: 'form-actions' }, exportButton),
      uploadForm,
      error,
      said,
      steps
    ),
    scope
  )
}

function delimiterName(delimiter: string): string {
  return delimiter === '\t' ? t('imp_tab') : `« ${delimiter} »`
}

function changeName(name: string): string {
  const key = `imp_field_${name}`
  return hasKey(key) ? t(key) : name
}

function outcomeText(outcome: string): string {
  const key = `imp_outcome_${outcome}`
  return hasKey(key) ? t(key) : outcome
}

/** Each row's outcome: created, updated (which customer, matched how, what changes) or the
 * errors of that row. */
function previewTable(found: CustomerPreview, done: boolean): HTMLElement {
  const c = found.counts
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'crm-preview-title' },
    h('h2', { id: 'crm-preview-title' }, done ? t('imp_result_title') : t('imp_preview_title')),
    h('p', { 'data-testid': 'counts' }, t('imp_counts', { create: c.create, update: c.update, unchanged: c.unchanged, error: c.error })),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'admin-table preview-rows' },
        h('caption', { class: 'visually-hidden' }, t('imp_preview_title')),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('imp_row')), h('th', { scope: 'col' }, t('imp_outcome')), h('th', { scope: 'col' }, t('imp_field_name')), h('th', { scope: 'col' }, t('imp_detail')))),
        h(
          'tbody',
          {},
          ...found.rows.map((row) =>
            h(
              'tr',
              { 'data-outcome': row.outcome, 'data-row': String(row.row) },
              h('th', { scope: 'row' }, String(row.row)),
              h('td', {}, h('span', { class: `tag outcome-${row.outcome}` }, outcomeText(row.outcome))),
              h('td', {}, row.values.name ?? ''),
              h(
                'td',
                { class: 'detail' },
                row.outcome === 'error'
                  ? row.errors.join(' · ')
                  : row.matched_by
                    ? t('imp_matched', { key: t(`imp_field_${row.matched_by}`), changes: row.changes.map(changeName).join(', ') || '—' })
                    : ''
              )
            )
          )
        )
      )
    )
  )
}
