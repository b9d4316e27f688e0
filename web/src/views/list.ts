// The organization's invoices: status, customer, totals, due date; filter, sort, search;
// create a new invoice; open one. Filters live in the URL (#/invoices?status=draft&q=acme).

import { call, type InvoiceSummary, type Me } from '../api'
import { h, replaceChildren } from '../dom'
import { formatDate, formatMoney } from '../format'
import { hasKey, t, type Key } from '../i18n'
import { failureText, Scope, view, type View } from '../view'
import { markCreated } from '../editor/new-invoice'
import { errorBox, showError } from './forms'
import { followAddress } from '../router'

const STATUSES = ['draft', 'submitted', 'approved', 'issued', 'partially_paid', 'paid', 'cancelled'] as const
const SORTS: [string, Key][] = [
  ['-created_at', 'sort_newest'],
  ['created_at', 'sort_oldest'],
  ['-updated_at', 'sort_updated'],
  ['due_date', 'sort_due'],
  ['-gross', 'sort_gross_desc'],
  ['customer', 'sort_customer'],
  ['status', 'sort_status']
]
const COLUMNS: Key[] = ['number', 'customer', 'status', 'issue_date', 'due_date', 'net', 'total', 'problems']
const NUMERIC = new Set<Key>(['net', 'total', 'problems'])
const PAGE = 50

export function statusText(status: string): string {
  const key = `status_${status}`
  return hasKey(key) ? t(key) : status
}

export function listView(me: Me, params: URLSearchParams): View {
  const scope = new Scope()
  const creators = me.memberships.filter((m) => m.capabilities.includes('invoice.create'))
  const state = {
    status: params.get('status') ?? '',
    q: params.get('q') ?? '',
    sort: params.get('sort') ?? '-created_at',
    due_after: params.get('due_after') ?? '',
    due_before: params.get('due_before') ?? '',
    offset: Number(params.get('offset') ?? '0') || 0
  }
  const control = <T extends HTMLElement>(label: string, id: string, element: T): HTMLElement =>
    h('div', { class: 'filter' }, h('label', { for: id }, label), element)

  const search = h('input', { id: 'f-q', type: 'search', value: state.q, autocomplete: 'off' })
  const status = h(
    'select',
    { id: 'f-status' },
    h('option', { value: '' }, t('all_statuses')),
    ...STATUSES.map((s) => h('option', { value: s, selected: s === state.status }, statusText(s)))
  )
  const sort = h('select', { id: 'f-sort' }, ...SORTS.map(([value, key]) => h('option', { value, selected: value === state.sort }, t(key))))
  const after = h('input', { id: 'f-after', type: 'date', value: state.due_after })
  const before = h('input', { id: 'f-before', type: 'date', value: state.due_before })
  const table = h('div', { class: 'table-wrap' })
  const footer = h('div', { class: 'list-footer' })
  const error = errorBox()

  const org = creators.length > 1 ? h('select', { id: 'f-org' }, ...creators.map((m) => h('option', { value: m.org_id }, m.org_name))) : null
  const create = creators.length
    ? h(
        'button',
        {
          type: 'button',
          class: 'primary',
          onclick: async () => {
            try {
              const made = await call<{ id: string }>('POST', '/api/invoices', org ? { org: org.value } : {})
              markCreated(made.id) // its editor writes the defaults (editor/new-invoice.ts)
              location.hash = `#/invoices/${made.id}`
            } catch (failure) {
              showError(error, failureText(failure))
            }
          }
        },
        `+ ${t('new_invoice')}`
      )
    : null

  function go(changes: Partial<typeof state>): void {
    Object.assign(state, { offset: 0 }, changes)
    const query = new URLSearchParams()
    for (const [key, value] of Object.entries(state)) if (value && !(key === 'sort' && value === '-created_at')) query.set(key, String(value))
    const hash = `#/invoices${query.size ? `?${query}` : ''}`
    followAddress(hash)
    void load()
  }

  const typed = scope.debounce(250, () => go({ q: search.value.trim() }))
  search.addEventListener('input', typed)
  status.addEventListener('change', () => go({ status: status.value }))
  sort.addEventListener('change', () => go({ sort: sort.value }))
  after.addEventListener('change', () => go({ due_after: after.value }))
  before.addEventListener('change', () => go({ due_before: before.value }))

  const fetchPage = scope.latest((query: URLSearchParams) => call<{ items: InvoiceSummary[]; total: number }>('GET', `/api/invoices?${query}`))
  async function load(): Promise<void> {
    const query = new URLSearchParams({ sort: state.sort, limit: String(PAGE), offset: String(state.offset) })
    for (const key of ['status', 'q', 'due_after', 'due_before'] as const) if (state[key]) query.set(key, state[key])
    try {
      const page = await fetchPage(query) // only the latest filter's answer arrives
      renderTable(page.items, page.total ?? page.items.length)
      showError(error, null)
    } catch (failure) {
      showError(error, failureText(failure))
    }
  }

  function renderTable(items: InvoiceSummary[], total: number): void {
    replaceChildren(
      table,
      items.length
        ? h(
            'table',
            { class: 'invoices' },
            h('caption', { class: 'visually-hidden' }, t('invoices')),
            h('thead', {}, h('tr', {}, ...COLUMNS.map((key) => h('th', { scope: 'col', class: NUMERIC.has(key) ? 'num' : null }, t(key))))),
            h('tbody', {}, ...items.map(row))
          )
        : h('p', { class: 'empty' }, t('no_invoices'))
    )
    const prev = h('button', { type: 'button', class: 'secondary', disabled: state.offset === 0, onclick: () => go({ offset: Math.max(0, state.offset - PAGE) }) }, t('previous_page'))
    const next = h('button', { type: 'button', class: 'secondary', disabled: state.offset + PAGE >= total, onclick: () => go({ offset: state.offset + PAGE }) }, t('next_page'))
    replaceChildren(footer, h('span', { role: 'status' }, t('shown_of', { shown: items.length, total })), prev, next)
  }

  function row(invoice: InvoiceSummary): HTMLElement {
    const currency = invoice.currency || 'EUR'
    const money = (value: string | null): string => (value === null || value === undefined ? '' : formatMoney(value, currency))
    const open = (): void => {
      location.hash = `#/invoices/${invoice.id}`
    }
    // data-label names each cell where the table is drawn as cards (narrow screens, style.css).
    const cell = (key: Key, className: string | null, ...content: (Node | string)[]): HTMLElement =>
      h('td', { class: className, 'data-label': t(key) }, ...content)
    return h(
      'tr',
      { 'data-id': invoice.id, onclick: (event: Event) => ((event.target as HTMLElement).closest('a') ? null : open()) },
      h(
        'td',
        { class: 'number', 'data-label': t('number') },
        invoice.number ?? h('span', { class: 'muted' }, t('draft_number')),
        invoice.kind === 'credit_note' ? h('span', { class: 'tag credit-note', 'data-testid': 'kind' }, t('kind_credit_note')) : null
      ),
      h('th', { scope: 'row' }, h('a', { href: `#/invoices/${invoice.id}` }, invoice.customer_name || t('no_customer'))),
      cell('status', 'status-cell', h('span', { class: `status status-${invoice.status}` }, statusText(invoice.status))),
      cell('issue_date', 'secondary', formatDate(invoice.issue_date)),
      cell('due_date', 'due', formatDate(invoice.due_date)),
      cell('net', 'num secondary', money(invoice.totals?.net ?? null)),
      cell('total', 'num strong total', money(invoice.totals?.gross ?? null)),
      cell('problems', 'num problems', invoice.issue_count ? h('span', { class: 'badge warn' }, String(invoice.issue_count)) : '')
    )
  }

  void load()
  const element = h(
    'div',
    { class: 'list' },
    h('div', { class: 'list-head' }, h('h1', {}, t('invoices')), h('div', { class: 'create' }, org ? control(t('organization'), 'f-org', org) : null, create)),
    h(
      'div',
      { class: 'filters card', role: 'search' },
      control(t('search'), 'f-q', search),
      control(t('status'), 'f-status', status),
      control(t('due_after'), 'f-after', after),
      control(t('due_before'), 'f-before', before),
      control(t('sort_by'), 'f-sort', sort)
    ),
    error,
    table,
    footer
  )
  return view(element, scope)
}
