// The organization's invoices: status, customer, totals, due date; filter, sort, search;
// create a new invoice; open one. Filters live in the URL (#/invoices?status=draft&q=acme).

import { useSignal, useSignalEffect } from '@preact/signals'
import { render, type ComponentChildren } from 'preact'
import { useRef } from 'preact/hooks'

import { ApiError, call, type InvoiceSummary, type Me } from '../api'
import { formatDate, formatMoney } from '../format'
import { t, type Key } from '../i18n'

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
  return (STATUSES as readonly string[]).includes(status) ? t(`status_${status}` as Key) : status
}

interface Filters {
  status: string
  q: string
  sort: string
  due_after: string
  due_before: string
  offset: number
}

const message = (failure: unknown): string => t('error_generic', { message: failure instanceof ApiError ? failure.error : String(failure) })

function Filter(props: { label: string; id: string; children: ComponentChildren }) {
  return (
    <div class="filter">
      <label for={props.id}>{props.label}</label>
      {props.children}
    </div>
  )
}

export function InvoiceList({ me, params }: { me: Me; params: URLSearchParams }) {
  const creators = me.memberships.filter((m) => m.capabilities.includes('invoice.create'))
  const filters = useSignal<Filters>({
    status: params.get('status') ?? '',
    q: params.get('q') ?? '',
    sort: params.get('sort') ?? '-created_at',
    due_after: params.get('due_after') ?? '',
    due_before: params.get('due_before') ?? '',
    offset: Number(params.get('offset') ?? '0') || 0
  })
  const page = useSignal<{ items: InvoiceSummary[]; total: number } | null>(null)
  const error = useSignal('')
  const org = useSignal(creators[0]?.org_id ?? '')
  const typing = useRef(0)

  const go = (changes: Partial<Filters>): void => {
    filters.value = { ...filters.value, offset: 0, ...changes }
  }

  // Whenever the filters change: put them in the URL and load the page they select.
  useSignalEffect(() => {
    const state = filters.value
    const url = new URLSearchParams()
    for (const [key, value] of Object.entries(state)) if (value && !(key === 'sort' && value === '-created_at')) url.set(key, String(value))
    const hash = `#/invoices${url.size ? `?${url}` : ''}`
    if (location.hash !== hash) history.replaceState(null, '', hash)
    const query = new URLSearchParams({ sort: state.sort, limit: String(PAGE), offset: String(state.offset) })
    for (const key of ['status', 'q', 'due_after', 'due_before'] as const) if (state[key]) query.set(key, state[key])
    call<{ items: InvoiceSummary[]; total: number }>('GET', `/api/invoices?${query}`).then(
      (answer) => {
        page.value = { items: answer.items, total: answer.total ?? answer.items.length }
        error.value = ''
      },
      (failure) => (error.value = message(failure))
    )
  })

  const create = async (): Promise<void> => {
    try {
      const made = await call<{ id: string }>('POST', '/api/invoices', creators.length > 1 ? { org: org.value } : {})
      location.hash = `#/invoices/${made.id}`
    } catch (failure) {
      error.value = message(failure)
    }
  }

  const state = filters.value
  const shown = page.value
  return (
    <div class="list">
      <div class="list-head">
        <h1>{t('invoices')}</h1>
        <div class="create">
          {creators.length > 1 && (
            <Filter label={t('organization')} id="f-org">
              <select id="f-org" value={org.value} onChange={(e) => (org.value = e.currentTarget.value)}>
                {creators.map((m) => (
                  <option value={m.org_id}>{m.org_name}</option>
                ))}
              </select>
            </Filter>
          )}
          {creators.length > 0 && (
            <button type="button" class="primary" onClick={() => void create()}>
              + {t('new_invoice')}
            </button>
          )}
        </div>
      </div>
      <div class="filters card" role="search">
        <Filter label={t('search')} id="f-q">
          <input
            id="f-q"
            type="search"
            autocomplete="off"
            defaultValue={state.q}
            onInput={(e) => {
              const value = e.currentTarget.value.trim()
              window.clearTimeout(typing.current)
              typing.current = window.setTimeout(() => go({ q: value }), 250)
            }}
          />
        </Filter>
        <Filter label={t('status')} id="f-status">
          <select id="f-status" value={state.status} onChange={(e) => go({ status: e.currentTarget.value })}>
            <option value="">{t('all_statuses')}</option>
            {STATUSES.map((s) => (
              <option value={s}>{statusText(s)}</option>
            ))}
          </select>
        </Filter>
        <Filter label={t('due_after')} id="f-after">
          <input id="f-after" type="date" value={state.due_after} onChange={(e) => go({ due_after: e.currentTarget.value })} />
        </Filter>
        <Filter label={t('due_before')} id="f-before">
          <input id="f-before" type="date" value={state.due_before} onChange={(e) => go({ due_before: e.currentTarget.value })} />
        </Filter>
        <Filter label={t('sort_by')} id="f-sort">
          <select id="f-sort" value={state.sort} onChange={(e) => go({ sort: e.currentTarget.value })}>
            {SORTS.map(([value, key]) => (
              <option value={value}>{t(key)}</option>
            ))}
          </select>
        </Filter>
      </div>
      <p class="form-error" role="alert" hidden={!error.value}>
        {error.value}
      </p>
      <div class="table-wrap">
        {shown && shown.items.length === 0 && <p class="empty">{t('no_invoices')}</p>}
        {shown && shown.items.length > 0 && (
          <table class="invoices">
            <caption class="visually-hidden">{t('invoices')}</caption>
            <thead>
              <tr>
                {COLUMNS.map((key) => (
                  <th scope="col" class={NUMERIC.has(key) ? 'num' : undefined}>
                    {t(key)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.items.map((invoice) => (
                <Row key={invoice.id} invoice={invoice} />
              ))}
            </tbody>
          </table>
        )}
      </div>
      {shown && (
        <div class="list-footer">
          <span role="status">{t('shown_of', { shown: shown.items.length, total: shown.total })}</span>
          <button type="button" class="secondary" disabled={state.offset === 0} onClick={() => go({ offset: Math.max(0, state.offset - PAGE) })}>
            {t('previous_page')}
          </button>
          <button type="button" class="secondary" disabled={state.offset + PAGE >= shown.total} onClick={() => go({ offset: state.offset + PAGE })}>
            {t('next_page')}
          </button>
        </div>
      )}
    </div>
  )
}

function Row({ invoice }: { invoice: InvoiceSummary }) {
  const currency = invoice.currency || 'EUR'
  const money = (value: string | null | undefined): string => (value === null || value === undefined ? '' : formatMoney(value, currency))
  const href = `#/invoices/${invoice.id}`
  // The whole row opens the invoice; its link alone is what the keyboard reaches.
  const open = (event: MouseEvent): void => {
    if (!(event.target as HTMLElement).closest('a')) location.hash = href
  }
  return (
    <tr data-id={invoice.id} onClick={open}>
      <td>{invoice.number ?? <span class="muted">{t('draft_number')}</span>}</td>
      <th scope="row">
        <a href={href}>{invoice.customer_name || t('no_customer')}</a>
      </th>
      <td>
        <span class={`status status-${invoice.status}`}>{statusText(invoice.status)}</span>
      </td>
      <td>{formatDate(invoice.issue_date)}</td>
      <td>{formatDate(invoice.due_date)}</td>
      <td class="num">{money(invoice.totals?.net)}</td>
      <td class="num strong">{money(invoice.totals?.gross)}</td>
      <td class="num">{invoice.issue_count ? <span class="badge warn">{String(invoice.issue_count)}</span> : ''}</td>
    </tr>
  )
}

/** Mount for the hand-written router (comparison stage). */
export function listView(me: Me, params: URLSearchParams): HTMLElement {
  const host = document.createElement('div')
  render(<InvoiceList me={me} params={params} />, host)
  return host
}
