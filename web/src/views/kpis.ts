// The KPI and reports page (#/reports?from=&to=): a period (default: this month, as the server
// defaults), the team's KPIs each with its definition, then the five reports (reports.ts).
// Chart.js is imported here dynamically, so only this page loads it. docs/web.md, "Reports".

import { call, type Me } from '../api'
import { h, uid } from '../dom'
import { formatDate, formatDecimal, formatMoney } from '../format'
import { language, t, type Key } from '../i18n'
import { failureText, Scope, view, type View } from '../view'
import { boardOrg } from './board'
import { categoryText } from './board-card'
import { REPORTS, reportSection } from './reports'

interface Rate {
  definition: string
  value: string | null
  numerator: number
  denominator: number
}
interface Kpis {
  from: string
  to: string
  as_of: string
  processing_time: { definition: string; invoices: number; hours: string | null; stages: Record<'draft' | 'submitted' | 'approved', string | null> }
  first_time_right: Rate
  rejection_rate: Rate
  error_rate: Rate
  payment_delay: { definition: string; value: null; note: string }
  dso: { definition: string; value: null; note: string }
  overdue_amount: { definition: string; amounts: { currency: string; amount: string; invoices: number }[] }
  work_waiting: { definition: string; people: { assignee: { id: string; name: string } | null; draft: number; submitted: number; approved: number; total: number }[] }
  exceptions_by_category: { definition: string; categories: { category: string; opened: number; resolved: number; open: number }[] }
}
type KpiName = Exclude<keyof Kpis, 'from' | 'to' | 'as_of'>

const iso = (date: Date): string => date.toISOString().slice(0, 10)

/** This month so far (UTC), as the server's default period. */
export function defaultPeriod(now = new Date()): { from: string; to: string } {
  return { from: iso(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))), to: iso(now) }
}

const hours = (value: string | null): string => (value === null ? t('kpi_none') : t('kpi_hours', { value: formatDecimal(value) }))
const percent = (rate: Rate): string => (rate.value === null ? t('kpi_none') : `${formatDecimal(rate.value)} %`)

function kpiBlock(name: KpiName, definition: string, ...body: (HTMLElement | string)[]): HTMLElement {
  const id = `kpi-${name}`
  const shown = language() === 'en' ? definition : t(`kpi_def_${name}` as Key)
  return h('section', { class: 'kpi card', 'aria-labelledby': id, 'data-kpi': name }, h('h3', { id }, t(`kpi_${name}` as Key)), h('div', { class: 'kpi-value', 'data-testid': `kpi-${name}` }, ...body), h('p', { class: 'hint' }, shown))
}

function rateBlock(name: KpiName, rate: Rate): HTMLElement {
  return kpiBlock(name, rate.definition, h('strong', {}, percent(rate)), h('span', { class: 'muted' }, ` (${rate.numerator} / ${rate.denominator})`))
}

function smallTable(heads: Key[], rows: (string | number)[][]): HTMLElement {
  if (!rows.length) return h('p', { class: 'muted' }, t('kpi_nothing'))
  return h(
    'table',
    { class: 'invoices kpi-table' },
    h('thead', {}, h('tr', {}, ...heads.map((key, i) => h('th', { scope: 'col', class: i ? 'num' : null }, t(key))))),
    h('tbody', {}, ...rows.map(([first, ...rest]) => h('tr', {}, h('th', { scope: 'row' }, String(first)), ...rest.map((cell) => h('td', { class: 'num' }, String(cell))))))
  )
}

function kpiGrid(k: Kpis): HTMLElement {
  const p = k.processing_time
  return h(
    'div',
    { class: 'kpi-grid' },
    kpiBlock(
      'processing_time',
      p.definition,
      h('strong', {}, hours(p.hours)),
      h('span', { class: 'muted' }, ` (${t('kpi_invoices', { count: p.invoices })})`),
      h('ul', { class: 'kpi-stages' }, ...(['draft', 'submitted', 'approved'] as const).map((s) => h('li', { 'data-stage': s }, `${t(`status_${s}`)}: ${hours(p.stages[s])}`)))
    ),
    rateBlock('first_time_right', k.first_time_right),
    rateBlock('rejection_rate', k.rejection_rate),
    rateBlock('error_rate', k.error_rate),
    kpiBlock('payment_delay', k.payment_delay.definition, h('strong', {}, t('kpi_needs_payments'))),
    kpiBlock('dso', k.dso.definition, h('strong', {}, t('kpi_needs_payments'))),
    kpiBlock(
      'overdue_amount',
      k.overdue_amount.definition,
      k.overdue_amount.amounts.length
        ? h('ul', { class: 'kpi-amounts' }, ...k.overdue_amount.amounts.map((a) => h('li', { 'data-currency': a.currency }, h('strong', {}, formatMoney(a.amount, a.currency)), ` (${t('kpi_invoices', { count: a.invoices })})`)))
        : h('strong', {}, t('kpi_nothing'))
    ),
    kpiBlock(
      'work_waiting',
      k.work_waiting.definition,
      smallTable(
        ['kpi_person', 'status_draft', 'status_submitted', 'status_approved', 'kpi_total'],
        k.work_waiting.people.map((r) => [r.assignee?.name ?? t('kpi_no_one'), r.draft, r.submitted, r.approved, r.total])
      )
    ),
    kpiBlock(
      'exceptions_by_category',
      k.exceptions_by_category.definition,
      smallTable(
        ['kpi_category', 'kpi_opened', 'kpi_resolved', 'kpi_open'],
        k.exceptions_by_category.categories.map((c) => [categoryText(c.category), c.opened, c.resolved, c.open])
      )
    )
  )
}

export function kpisView(me: Me, query: URLSearchParams): View | { redirect: string } {
  const org = boardOrg(me, query)
  if (!org) return { redirect: '#/invoices' }
  const scope = new Scope()
  const period = defaultPeriod()
  const from = query.get('from') || period.from
  const to = query.get('to') || period.to
  const several = me.memberships.length > 1

  const fromInput = h('input', { type: 'date', id: uid('p'), name: 'from', value: from, required: true })
  const toInput = h('input', { type: 'date', id: uid('p'), name: 'to', value: to, required: true })
  const picker = h(
    'form',
    { class: 'period', 'aria-label': t('kpi_period') },
    h('div', { class: 'filter' }, h('label', { for: fromInput.id }, t('kpi_from')), fromInput),
    h('div', { class: 'filter' }, h('label', { for: toInput.id }, t('kpi_to')), toInput),
    h('button', { type: 'submit' }, t('kpi_show'))
  )
  picker.addEventListener('submit', (event) => {
    event.preventDefault()
    const next = new URLSearchParams({ from: fromInput.value, to: toInput.value })
    if (several) next.set('org', org.org_id)
    location.hash = `#/reports?${next}`
  })

  const kpis = h('div', { 'aria-busy': 'true', 'data-testid': 'kpis' }, h('p', { class: 'loading' }, t('loading')))
  const reports = h('div', { class: 'reports' })
  const params = new URLSearchParams({ org: org.org_id, from, to })
  call<Kpis>('GET', `/api/kpis?${params}`).then(
    (found) => {
      if (!scope.alive) return
      kpis.replaceChildren(h('p', { class: 'muted' }, t('kpi_as_of', { date: formatDate(found.as_of) })), kpiGrid(found))
      kpis.removeAttribute('aria-busy')
    },
    (failure: unknown) => kpis.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, failureText(failure)))
  )
  // One chunk for the charts, fetched while the reports' JSON loads.
  const charts = import('./charts')
  reports.append(...REPORTS.map((name) => reportSection(org.org_id, name, from, to, scope, charts)))

  const element = h(
    'section',
    { class: 'reports-page' },
    h('div', { class: 'list-head' }, h('h1', {}, several ? t('reports_title_org', { org: org.org_name }) : t('reports_title')), h('a', { href: `#/board${several ? `?org=${encodeURIComponent(org.org_id)}` : ''}` }, t('board_title'))),
    picker,
    h('h2', {}, t('kpi_title')),
    kpis,
    h('h2', {}, t('reports_list')),
    reports
  )
  return view(element, scope)
}
