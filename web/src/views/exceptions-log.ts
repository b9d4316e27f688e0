// The exceptions page (#/exceptions?from=&to=&category=&status=): the organization's exception
// log (GET /api/orgs/{org}/exceptions), filtered by the address's query, as a list and as
// counts per category per month (a table, and a stacked bar chart whose text alternative it is);
// for admins (`org.settings`), the expert of each category (GET/PUT exception-experts).
// docs/web.md, "Exceptions"; docs/reports.md, "Exceptions".

import { call, type Me, type Membership } from '../api'
import { h, replaceChildren, uid } from '../dom'
import { locale, t } from '../i18n'
import { failureText, Scope, view, type View } from '../view'
import { CATEGORIES } from '../editor/exceptions'
import { boardOrg } from './board'
import { categoryText } from './board-card'
import { errorBox, showError } from './forms'
import { membersPath, type Member } from './members'

type Category = (typeof CATEGORIES)[number]
type Counts = Record<Category, number>

interface Person {
  id: string
  name: string
}
interface LoggedException {
  id: string
  invoice: { id: string; number: string | null; customer: string }
  category: Category
  note: string
  status: 'open' | 'resolved'
  opened_by: Person
  opened_at: string
  expert: Person | null
  resolution: string | null
  resolved_by: Person | null
}
interface ExceptionLog {
  items: LoggedException[]
  truncated: boolean
  months: { month: string; counts: Counts; total: number }[]
  totals: Counts
}
type Experts = Record<Category, string | null>

/** The roles whose capabilities include `exception.open` (server/auth/permissions.py): who may
 * be designated an expert (the server refuses anyone else with a 400). */
const HANDLERS = new Set(['editor', 'approver', 'accountant', 'admin'])

const iso = (date: Date): string => date.toISOString().slice(0, 10)

/** The last twelve months (UTC): from the first day of the month eleven months ago to today. */
export function defaultLogPeriod(now = new Date()): { from: string; to: string } {
  return { from: iso(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1))), to: iso(now) }
}

/** "2026-12" → "December 2026" / "décembre 2026". */
function monthText(month: string): string {
  const [year, number] = month.split('-').map(Number)
  if (!year || !number) return month
  return new Intl.DateTimeFormat(locale(), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(year, number - 1, 1)))
}

/** "2026-12-01T10:20:30Z" → the date and time in the user's locale and time zone. */
function timeText(stamp: string): string {
  const date = new Date(stamp)
  return Number.isNaN(date.getTime()) ? stamp : new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date)
}

function statusBadge(status: 'open' | 'resolved'): HTMLElement {
  const open = status === 'open'
  return h('span', { class: `status status-${open ? 'submitted' : 'approved'}` }, t(open ? 'exception_status_open' : 'exception_status_resolved'))
}

function listTable(items: LoggedException[]): HTMLElement {
  if (!items.length) return h('p', { class: 'empty' }, t('exceptions_log_empty'))
  const heads = ['exceptions_col_invoice', 'exceptions_col_category', 'exceptions_col_opened', 'exceptions_col_expert', 'exceptions_col_status', 'exceptions_col_resolution'] as const
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'invoices exceptions-log', 'data-testid': 'exceptions-list' },
      h('caption', { class: 'visually-hidden' }, t('exceptions_list')),
      h('thead', {}, h('tr', {}, ...heads.map((key) => h('th', { scope: 'col' }, t(key))))),
      h(
        'tbody',
        {},
        ...items.map((item) =>
          h(
            'tr',
            { 'data-exception': item.id, 'data-status': item.status, 'data-category': item.category },
            h('th', { scope: 'row' }, h('a', { href: `#/invoices/${encodeURIComponent(item.invoice.id)}` }, item.invoice.number ?? t('board_no_number')), item.invoice.customer ? h('span', { class: 'muted' }, ` ${item.invoice.customer}`) : null),
            h('td', {}, h('strong', {}, categoryText(item.category)), h('br'), h('span', { class: 'hint' }, item.note)),
            h('td', {}, item.opened_by.name, h('br'), h('span', { class: 'muted' }, timeText(item.opened_at))),
            h('td', {}, item.expert?.name ?? t('exception_admins')),
            h('td', {}, statusBadge(item.status)),
            h('td', {}, item.resolution ? t('exception_resolution', { name: item.resolved_by?.name ?? '', text: item.resolution }) : '')
          )
        )
      )
    )
  )
}

const COUNTS_TABLE = 'exceptions-counts-table'

function countsTable(log: ExceptionLog): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'invoices report-table', id: COUNTS_TABLE, 'data-testid': 'exceptions-counts' },
      h('caption', { class: 'visually-hidden' }, t('exceptions_counts')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('report_col_month')), ...CATEGORIES.map((c) => h('th', { scope: 'col', class: 'num' }, categoryText(c))), h('th', { scope: 'col', class: 'num' }, t('kpi_total')))),
      h(
        'tbody',
        {},
        ...log.months.map((m) =>
          h('tr', { 'data-month': m.month }, h('th', { scope: 'row' }, monthText(m.month)), ...CATEGORIES.map((c) => h('td', { class: 'num', 'data-category': c }, String(m.counts[c]))), h('td', { class: 'num', 'data-total': '' }, String(m.total)))
        )
      ),
      h(
        'tfoot',
        {},
        h('tr', { 'data-month': 'total' }, h('th', { scope: 'row' }, t('kpi_total')), ...CATEGORIES.map((c) => h('td', { class: 'num', 'data-category': c }, String(log.totals[c]))), h('td', { class: 'num', 'data-total': '' }, String(CATEGORIES.reduce((sum, c) => sum + log.totals[c], 0))))
      )
    )
  )
}

/** The admins' form: one select per category (the members who may handle exceptions, or the
 * administrators), saved with PUT; the server's refusal is shown as it says it. */
function expertsForm(org: Membership, scope: Scope): HTMLElement {
  const path = `/api/orgs/${encodeURIComponent(org.org_id)}/exception-experts`
  const titleId = uid('experts')
  const error = errorBox()
  const done = h('p', { class: 'saved', role: 'status' })
  const fields = h('div', { class: 'experts-fields' }, h('p', { class: 'loading' }, t('loading')))
  const submit = h('button', { type: 'submit', disabled: true }, t('exceptions_experts_save'))
  const selects = new Map<Category, HTMLSelectElement>()
  const form = h(
    'form',
    { class: 'card experts', 'aria-labelledby': titleId, 'data-testid': 'exception-experts' },
    h('h2', { id: titleId }, t('exceptions_experts')),
    h('p', { class: 'hint' }, t('exceptions_experts_hint')),
    fields,
    error,
    done,
    submit
  )
  Promise.all([call<Experts>('GET', path), call<{ items: Member[] }>('GET', membersPath(org.org_id))]).then(
    ([experts, { items }]) => {
      if (!scope.alive) return
      const handlers = items.filter((m) => HANDLERS.has(m.role))
      replaceChildren(
        fields,
        ...CATEGORIES.map((category) => {
          const current = experts[category]
          const known = current === null || handlers.some((m) => m.user_id === current)
          const select = h(
            'select',
            { id: uid('expert'), name: category },
            h('option', { value: '', selected: current === null }, t('exception_admins_option')),
            ...handlers.map((m) => h('option', { value: m.user_id, selected: m.user_id === current }, m.name || m.email)),
            known ? null : h('option', { value: current, selected: true }, t('exceptions_expert_unknown'))
          )
          selects.set(category, select)
          return h('div', { class: 'field' }, h('label', { for: select.id }, categoryText(category)), select)
        })
      )
      submit.disabled = false
    },
    (failure: unknown) => showError(error, failureText(failure))
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const body = Object.fromEntries(CATEGORIES.map((c) => [c, selects.get(c)?.value || null]))
    submit.disabled = true
    done.textContent = ''
    showError(error, null)
    call<Experts>('PUT', path, body)
      .then(() => (done.textContent = t('exceptions_experts_saved')))
      .catch((failure: unknown) => showError(error, failureText(failure)))
      .finally(() => (submit.disabled = false))
  })
  return form
}

export function exceptionsView(me: Me, query: URLSearchParams): View | { redirect: string } {
  const org = boardOrg(me, query)
  if (!org) return { redirect: '#/invoices' }
  const scope = new Scope()
  const several = me.memberships.length > 1
  const period = defaultLogPeriod()
  const from = query.get('from') || period.from
  const to = query.get('to') || period.to
  const category = (CATEGORIES as readonly string[]).includes(query.get('category') ?? '') ? (query.get('category') as Category) : ''
  const status = query.get('status') === 'open' || query.get('status') === 'resolved' ? (query.get('status') as string) : ''

  const fromInput = h('input', { type: 'date', id: uid('x'), name: 'from', value: from, required: true })
  const toInput = h('input', { type: 'date', id: uid('x'), name: 'to', value: to, required: true })
  const categorySelect = h(
    'select',
    { id: uid('x'), name: 'category' },
    h('option', { value: '', selected: !category }, t('exceptions_all')),
    ...CATEGORIES.map((c) => h('option', { value: c, selected: c === category }, categoryText(c)))
  )
  const statusSelect = h(
    'select',
    { id: uid('x'), name: 'status' },
    h('option', { value: '', selected: !status }, t('exceptions_all')),
    h('option', { value: 'open', selected: status === 'open' }, t('exception_status_open')),
    h('option', { value: 'resolved', selected: status === 'resolved' }, t('exception_status_resolved'))
  )
  const filter = (label: string, control: HTMLInputElement | HTMLSelectElement): HTMLElement =>
    h('div', { class: 'filter' }, h('label', { for: control.id }, label), control)
  const filters = h(
    'form',
    { class: 'period', 'aria-label': t('exceptions_filters') },
    filter(t('kpi_from'), fromInput),
    filter(t('kpi_to'), toInput),
    filter(t('exception_category'), categorySelect),
    filter(t('exceptions_col_status'), statusSelect),
    h('button', { type: 'submit' }, t('kpi_show'))
  )
  filters.addEventListener('submit', (event) => {
    event.preventDefault()
    const next = new URLSearchParams({ from: fromInput.value, to: toInput.value })
    if (categorySelect.value) next.set('category', categorySelect.value)
    if (statusSelect.value) next.set('status', statusSelect.value)
    if (several) next.set('org', org.org_id)
    location.hash = `#/exceptions?${next}`
  })

  const list = h('div', { 'aria-busy': 'true', 'data-testid': 'exceptions-log' }, h('p', { class: 'loading' }, t('loading')))
  const counts = h('div', { 'aria-busy': 'true' })
  const params = new URLSearchParams({ from, to })
  if (category) params.set('category', category)
  if (status) params.set('status', status)
  // Loaded with the log: Chart.js is a chunk of its own (views/charts.ts), fetched meanwhile.
  const charts = import('./charts')
  call<ExceptionLog>('GET', `/api/orgs/${encodeURIComponent(org.org_id)}/exceptions?${params}`).then(
    async (log) => {
      if (!scope.alive) return
      replaceChildren(list, listTable(log.items), log.truncated ? h('p', { class: 'hint' }, t('exceptions_truncated')) : null)
      list.removeAttribute('aria-busy')
      counts.removeAttribute('aria-busy')
      if (!log.months.some((m) => m.total > 0)) {
        replaceChildren(counts, h('p', { class: 'empty' }, t('exceptions_log_empty')))
        return
      }
      const canvas = h('canvas', { role: 'img', 'aria-label': t('exceptions_chart'), 'aria-describedby': COUNTS_TABLE })
      replaceChildren(counts, h('div', { class: 'report-chart' }, canvas), countsTable(log))
      const { drawChart } = await charts
      if (!scope.alive) return
      const chart = drawChart(canvas, {
        labels: log.months.map((m) => monthText(m.month)),
        series: CATEGORIES.map((c) => ({ label: categoryText(c), data: log.months.map((m) => m.counts[c]) })),
        format: (value) => String(value),
        stacked: true
      })
      scope.add(() => chart.destroy())
    },
    (failure: unknown) => {
      replaceChildren(list, h('p', { class: 'form-error', role: 'alert' }, failureText(failure)))
      list.removeAttribute('aria-busy')
    }
  )

  const element = h(
    'section',
    { class: 'reports-page exceptions-page' },
    h('div', { class: 'list-head' }, h('h1', {}, several ? t('exceptions_title_org', { org: org.org_name }) : t('exceptions_title'))),
    h('p', { class: 'hint' }, t('exceptions_intro')),
    filters,
    h('h2', {}, t('exceptions_list')),
    list,
    h('h2', {}, t('exceptions_counts')),
    counts,
    org.capabilities.includes('org.settings') ? expertsForm(org, scope) : null
  )
  return view(element, scope)
}
