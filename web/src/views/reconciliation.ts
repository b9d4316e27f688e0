// Bank reconciliation (`#/reconciliation`, accountants and admins: `payment.manage`;
// docs/reconciliation.md): import a statement (camt.053 XML, or CSV with its columns named),
// then every credit still open with the server's verdict and suggested invoices; "Confirm" on a
// suggestion records the payment on that invoice, "Ignore" sets the credit aside. Refusals
// (409 already matched, another currency...) are said in the credit's own card.

import { ApiError, type Me, type Membership } from '../api'
import { h, replaceChildren } from '../dom'
import { formatDate, formatMoney } from '../format'
import { hasKey, t } from '../i18n'
import {
  confirmLine,
  ignoreLine,
  importStatement,
  statements,
  type CsvMapping,
  type StatementLine,
  type StatementSummary,
  type Suggestion
} from '../paid-api'
import { failureText, Scope, view, type View } from '../view'
import { timeText } from '../editor/mail-panel'
import { chosenOrg, paidTabs } from './admin-nav'
import { errorBox, showError } from './forms'
import { statusText } from './list'
import { field, Fields } from './paid-fields'

/** A refusal in the UI's language when we know its code (`recon_refused_<code>`). */
function refusal(failure: unknown): string {
  if (failure instanceof ApiError) {
    const key = `recon_refused_${failure.code ?? ''}`
    if (hasKey(key)) return t(key, { error: failure.error })
  }
  return failureText(failure)
}

export function verdictText(verdict: string): string {
  const key = `verdict_${verdict}`
  return hasKey(key) ? t(key) : verdict
}

function basisText(basis: string): string {
  const key = `basis_${basis}`
  return hasKey(key) ? t(key) : basis
}

export function reconciliationView(me: Me, query: URLSearchParams): View | { redirect: string } {
  const found = chosenOrg(me, 'payment.manage', query)
  if (!found) return { redirect: '#/invoices' }
  const org: Membership = found
  const scope = new Scope()
  const lines = h('div', { class: 'recon-lines', 'data-testid': 'open-lines' })
  const imports = h('div', { class: 'table-wrap' })
  const done = h('p', { class: 'saved', role: 'status', 'data-testid': 'recon-done' })
  const error = errorBox()
  const fetch = scope.latest(() => statements(org.org_id))

  async function load(): Promise<void> {
    try {
      const found = await fetch()
      replaceChildren(lines, ...(found.open_lines.length ? found.open_lines.map(lineCard) : [h('p', { class: 'empty' }, t('recon_none_open'))]))
      replaceChildren(imports, found.statements.length ? statementsTable(found.statements) : h('p', { class: 'empty' }, t('recon_no_statements')))
      showError(error, null)
    } catch (failure) {
      showError(error, failureText(failure))
    }
  }

  function lineCard(line: StatementLine): HTMLElement {
    const titleId = `line-${line.id}`
    const amount = formatMoney(line.amount, line.currency)
    const date = formatDate(line.booking_date)
    const cardError = errorBox()
    const buttons: HTMLButtonElement[] = []
    const busy = (on: boolean): void => {
      for (const button of buttons) button.disabled = on
    }

    const confirmButton = (s: Suggestion): HTMLButtonElement => {
      const button = h(
        'button',
        { type: 'button', class: 'small', 'data-action': 'confirm', 'aria-label': t('recon_confirm_named', { number: s.number, amount }) },
        t('recon_confirm')
      )
      button.addEventListener('click', () => {
        busy(true)
        showError(cardError, null)
        confirmLine(line.id, s.invoice_id).then(
          (answer) => {
            done.textContent = t('recon_confirmed', {
              amount: formatMoney(answer.payment.amount, answer.payment.currency),
              number: s.number,
              status: statusText(answer.payment.invoice.status)
            })
            void load()
          },
          (failure: unknown) => {
            showError(cardError, refusal(failure))
            busy(false)
          }
        )
      })
      buttons.push(button)
      return button
    }

    const ignore = h('button', { type: 'button', class: 'secondary small', 'data-action': 'ignore', 'aria-label': t('recon_ignore_named', { amount, date }) }, t('recon_ignore'))
    ignore.addEventListener('click', () => {
      busy(true)
      showError(cardError, null)
      ignoreLine(line.id).then(
        () => {
          done.textContent = t('recon_ignored', { amount, date })
          void load()
        },
        (failure: unknown) => {
          showError(cardError, refusal(failure))
          busy(false)
        }
      )
    })
    buttons.push(ignore)

    const facts: (string | HTMLElement)[] = [line.debtor ? t('recon_from', { name: line.debtor }) : t('recon_unknown_payer')]
    if (line.reference) {
      facts.push(' · ', `${t('recon_reference')}: `, h('code', {}, line.reference), line.structured ? ` (${t('recon_structured')})` : '')
    }
    if (line.bank_reference) facts.push(' · ', `${t('recon_bank_reference')}: ${line.bank_reference}`)

    return h(
      'article',
      { class: 'card recon-line', 'aria-labelledby': titleId, 'data-id': line.id, 'data-match': line.match ?? '' },
      h('h3', { id: titleId }, t('recon_line_title', { amount, date }), ' ', line.match ? h('span', { class: `tag verdict-${line.match}` }, verdictText(line.match)) : null),
      h('p', { class: 'muted' }, ...facts),
      line.suggestions.length ? suggestionsTable(line, confirmButton) : h('p', { class: 'empty-inline' }, t('recon_no_suggestion')),
      cardError,
      h('div', { class: 'row-actions' }, ignore)
    )
  }

  function suggestionsTable(line: StatementLine, confirmButton: (s: Suggestion) => HTMLButtonElement): HTMLElement {
    const columns = ['recon_invoice', 'recon_customer', 'recon_outstanding', 'recon_basis', 'actions'] as const
    return h(
      'table',
      { class: 'admin-table suggestions' },
      h('caption', { class: 'visually-hidden' }, t('recon_suggestions')),
      h('thead', {}, h('tr', {}, ...columns.map((key) => h('th', { scope: 'col', class: key === 'recon_outstanding' ? 'num' : null }, t(key))))),
      h(
        'tbody',
        {},
        ...line.suggestions.map((s) =>
          h(
            'tr',
            { 'data-invoice': s.invoice_id, 'data-number': s.number },
            h('th', { scope: 'row', 'data-label': t('recon_invoice') }, h('a', { href: `#/invoices/${s.invoice_id}` }, s.number)),
            h('td', { 'data-label': t('recon_customer') }, s.customer),
            h('td', { class: 'num', 'data-label': t('recon_outstanding') }, formatMoney(s.outstanding, s.currency)),
            h('td', { 'data-label': t('recon_basis') }, basisText(s.basis)),
            h('td', { 'data-label': t('actions') }, confirmButton(s))
          )
        )
      )
    )
  }

  function statementsTable(items: StatementSummary[]): HTMLElement {
    const columns = ['recon_imported_at', 'recon_statement', 'recon_account', 'recon_credits', 'recon_states'] as const
    return h(
      'table',
      { class: 'admin-table statements' },
      h('caption', { class: 'visually-hidden' }, t('recon_statements')),
      h('thead', {}, h('tr', {}, ...columns.map((key) => h('th', { scope: 'col' }, t(key))))),
      h(
        'tbody',
        {},
        ...items.map((s) =>
          h(
            'tr',
            { 'data-id': s.id },
            h('th', { scope: 'row', 'data-label': t('recon_imported_at') }, h('time', { datetime: s.imported_at }, timeText(s.imported_at))),
            h('td', { 'data-label': t('recon_statement') }, s.bank_id ?? '', h('span', { class: 'muted' }, ` (${s.format})`)),
            h('td', { class: 'detail', 'data-label': t('recon_account') }, s.account ?? ''),
            h('td', { 'data-label': t('recon_credits') }, t('recon_credits_count', { added: s.added, known: s.known, debits: s.debits })),
            h('td', { 'data-label': t('recon_states') }, t('recon_states_count', s.counts))
          )
        )
      )
    )
  }

  void load()
  return view(
    h(
      'section',
      { class: 'admin reconciliation-page' },
      h('h1', {}, t('recon_title', { org: org.org_name })),
      paidTabs(me, org, 'reconciliation'),
      h('p', { class: 'hint' }, t('recon_intro')),
      importForm(org, load),
      h('div', { class: 'history-head' }, h('h2', {}, t('recon_open_title')), h('button', { type: 'button', class: 'secondary small', onclick: () => void load() }, t('refresh'))),
      done,
      error,
      lines,
      h('h2', {}, t('recon_statements')),
      imports
    ),
    scope
  )
}

/** The import form: the file, its format, and for a CSV the columns and separators. */
function importForm(org: Membership, imported: () => Promise<void>): HTMLElement {
  const option = (value: string, label: string, selected = false): HTMLOptionElement => h('option', { value, selected }, label)
  const file = field('file', t('recon_file'), h('input', { type: 'file', accept: '.xml,.csv,.txt,application/xml,text/xml,text/csv', required: true }), t('recon_file_hint'))
  const format = field('format', t('recon_format'), h('select', {}, option('camt.053', t('recon_format_camt')), option('csv', t('recon_format_csv'))))
  const date = field('date', t('recon_col_date'), h('input', { type: 'text', autocomplete: 'off', value: 'Date' }))
  const amount = field('amount', t('recon_col_amount'), h('input', { type: 'text', autocomplete: 'off', value: 'Amount' }))
  const reference = field('reference', t('recon_col_reference'), h('input', { type: 'text', autocomplete: 'off' }))
  const name = field('name', t('recon_col_name'), h('input', { type: 'text', autocomplete: 'off' }))
  const decimal = field('decimal', t('recon_decimal'), h('select', {}, option('.', t('recon_decimal_point')), option(',', t('recon_decimal_comma'))))
  const delimiter = field(
    'delimiter',
    t('recon_delimiter'),
    h('select', {}, option(',', t('recon_delim_comma')), option(';', t('recon_delim_semicolon')), option('\t', t('recon_delim_tab')), option('|', t('recon_delim_pipe')))
  )
  const currency = field('currency', t('recon_currency'), h('input', { type: 'text', autocomplete: 'off', value: 'EUR', maxlength: '3', size: 4 }))
  const fields = new Fields([file, format, date, amount, reference, name, decimal, delimiter, currency], 'file')
  const csv = h(
    'fieldset',
    { class: 'csv-mapping', hidden: true },
    h('legend', {}, t('recon_csv_columns')),
    h('p', { class: 'hint' }, t('recon_csv_hint')),
    h('div', { class: 'payment-grid' }, date.element, amount.element, reference.element, name.element, decimal.element, delimiter.element, currency.element)
  )
  format.input.addEventListener('change', () => (csv.hidden = format.input.value !== 'csv'))
  const submit = h('button', { type: 'submit', class: 'small' }, t('recon_import'))
  const said = h('p', { class: 'saved', role: 'status', 'data-testid': 'import-done' })
  const titleId = 'import-title'
  const form = h(
    'form',
    { class: 'card paid-form import-form', novalidate: true, 'aria-labelledby': titleId, 'data-testid': 'import-form' },
    h('h2', { id: titleId }, t('recon_import_title')),
    h('div', { class: 'payment-grid' }, file.element, format.element),
    csv,
    fields.error,
    h('div', { class: 'form-actions' }, submit, said)
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    fields.clear()
    said.textContent = ''
    const chosen = (file.input as HTMLInputElement).files?.[0]
    if (!chosen) return fields.mark('file', t('recon_file_needed'))
    let mapping: CsvMapping | null = null
    if (format.input.value === 'csv') {
      const text = (f: typeof date): string => f.input.value.trim()
      if (!text(date)) return fields.mark('date', t('recon_column_needed'))
      if (!text(amount)) return fields.mark('amount', t('recon_column_needed'))
      mapping = {
        date: text(date),
        amount: text(amount),
        reference: text(reference),
        name: text(name),
        currency: text(currency).toUpperCase(),
        decimal: decimal.input.value as CsvMapping['decimal'],
        delimiter: delimiter.input.value as CsvMapping['delimiter']
      }
    }
    submit.disabled = true
    importStatement(org.org_id, chosen, mapping)
      .then(async (answer) => {
        said.textContent = t('recon_imported', { added: answer.added, known: answer.known, debits: answer.debits })
        ;(file.input as HTMLInputElement).value = ''
        await imported()
      })
      .catch((failure: unknown) => fields.fail(failure, (f) => (hasKey(`recon_refused_${f.code ?? ''}`) ? refusal(f) : null)))
      .finally(() => (submit.disabled = false))
  })
  return form
}
