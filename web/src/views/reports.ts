// The five reports of the reports page, each a table, a chart of the same rows (the table is
// the chart's text alternative: the canvas names it with aria-describedby) and its CSV and
// XLSX downloads (GET /api/reports/{name}?format=, fetched with the session's token).
// Money is charted per currency, one series each, never summed across currencies.

import { ApiError, call } from '../api'
import { h, replaceChildren } from '../dom'
import { save } from '../editor/downloads'
import { formatMoney, formatRate } from '../format'
import { hasKey, language, t, type Key } from '../i18n'
import { failureText, type Scope } from '../view'
import { categoryText } from './board-card'
import type { ChartSpec } from './charts'

export const REPORTS = ['aged_receivables', 'revenue_by_customer', 'revenue_by_month', 'vat_collected', 'invoices_by_status'] as const
export type ReportName = (typeof REPORTS)[number]

type Row = Record<string, string | number>
export interface Report {
  name: ReportName
  definition: string
  columns: string[]
  rows: Row[]
}

/** Which column a report charts: x, the series it splits by, the value (money or a count). */
const CHART: Record<ReportName, { x: string; series: string[]; value: string; money: boolean }> = {
  aged_receivables: { x: 'bucket', series: ['currency'], value: 'amount', money: true },
  revenue_by_customer: { x: 'customer', series: ['currency'], value: 'net', money: true },
  revenue_by_month: { x: 'month', series: ['currency'], value: 'net', money: true },
  vat_collected: { x: 'month', series: ['currency', 'rate'], value: 'amount', money: true },
  invoices_by_status: { x: 'status', series: ['kind'], value: 'count', money: false }
}

const MONEY = new Set(['amount', 'net', 'base', 'gross'])

function cellText(column: string, row: Row): string {
  const value = String(row[column] ?? '')
  if (MONEY.has(column) && typeof row.currency === 'string') return formatMoney(value, row.currency)
  if (column === 'rate') return formatRate(value)
  if (column === 'status') return hasKey(`status_${value}`) ? t(`status_${value}` as Key) : value
  if (column === 'kind') return t(value === 'credit_note' ? 'board_credit_note' : 'board_invoice')
  if (column === 'bucket') return value === 'not_due' ? t('report_not_due') : t('report_days', { range: value })
  if (column === 'category' && row.rate === undefined) return categoryText(value)
  return value
}

function seriesLabel(name: ReportName, row: Row): string {
  return CHART[name].series.map((column) => (column === 'rate' ? formatRate(String(row.rate)) : cellText(column, row))).join(' ')
}

/** The chart's data: one series per currency (and rate, kind), values summed within a series
 * only (VAT of several categories at one rate; a count of one status in several currencies). */
export function chartSpec(report: Report): ChartSpec {
  const chart = CHART[report.name]
  const labels: string[] = []
  const series = new Map<string, { currency: string; values: Map<string, number> }>()
  for (const row of report.rows) {
    const x = cellText(chart.x, row)
    if (!labels.includes(x)) labels.push(x)
    const label = seriesLabel(report.name, row)
    const entry = series.get(label) ?? { currency: String(row.currency ?? ''), values: new Map<string, number>() }
    entry.values.set(x, (entry.values.get(x) ?? 0) + Number(row[chart.value]))
    series.set(label, entry)
  }
  const list = [...series]
  return {
    labels,
    series: list.map(([label, entry]) => ({ label, data: labels.map((x) => entry.values.get(x) ?? null) })),
    format: (value, index) => {
      const currency = list[index]?.[1].currency
      return chart.money && currency ? formatMoney(value.toFixed(2), currency) : String(value)
    }
  }
}

export function reportPath(org: string, name: ReportName, from: string, to: string, format: 'json' | 'csv' | 'xlsx'): string {
  return `/api/reports/${name}?${new URLSearchParams({ org, from, to, format })}`
}

/** One report's section: title, definition, downloads, then its chart and table once read. */
export function reportSection(
  org: string,
  name: ReportName,
  from: string,
  to: string,
  scope: Scope,
  charts: Promise<typeof import('./charts')>
): HTMLElement {
  const titleId = `report-${name}`
  const tableId = `report-${name}-table`
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  const download = (format: 'csv' | 'xlsx'): HTMLButtonElement => {
    const button = h('button', { type: 'button', class: 'secondary small', 'data-download': format }, t(format === 'csv' ? 'report_csv' : 'report_xlsx'))
    button.setAttribute('aria-describedby', titleId)
    button.addEventListener('click', () => {
      button.disabled = true
      save(reportPath(org, name, from, to, format))
        .catch((failure: unknown) => {
          error.textContent = t('download_failed', { message: failure instanceof ApiError ? failure.error : String(failure) })
          error.hidden = false
        })
        .finally(() => (button.disabled = false))
    })
    return button
  }
  const section = h(
    'section',
    { class: 'report card', 'aria-labelledby': titleId, 'data-report': name },
    h('div', { class: 'history-head' }, h('h2', { id: titleId }, t(`report_${name}` as Key)), h('div', { class: 'downloads' }, download('csv'), download('xlsx'))),
    error
  )
  void fill(section, { org, name, from, to, tableId, error }, scope, charts)
  return section
}

async function fill(
  section: HTMLElement,
  { org, name, from, to, tableId, error }: { org: string; name: ReportName; from: string; to: string; tableId: string; error: HTMLElement },
  scope: Scope,
  charts: Promise<typeof import('./charts')>
): Promise<void> {
  try {
    const report = await call<Report>('GET', reportPath(org, name, from, to, 'json'))
    const definition = language() === 'en' ? report.definition : t(`report_def_${name}` as Key)
    const table = h(
      'table',
      { class: 'invoices report-table', id: tableId },
      h('caption', { class: 'visually-hidden' }, t(`report_${name}` as Key)),
      h('thead', {}, h('tr', {}, ...report.columns.map((c) => h('th', { scope: 'col', class: MONEY.has(c) || c === 'invoices' || c === 'count' ? 'num' : null }, hasKey(`report_col_${c}`) ? t(`report_col_${c}` as Key) : c)))),
      h('tbody', {}, ...report.rows.map((row) => h('tr', {}, ...report.columns.map((c) => h('td', { class: MONEY.has(c) || typeof row[c] === 'number' ? 'num' : null }, cellText(c, row))))))
    )
    section.append(h('p', { class: 'hint' }, definition))
    if (!report.rows.length) {
      section.append(h('p', { class: 'empty' }, t('report_empty')))
      return
    }
    const canvas = h('canvas', { role: 'img', 'aria-label': t('report_chart', { name: t(`report_${name}` as Key) }), 'aria-describedby': tableId })
    section.append(h('div', { class: 'report-chart' }, canvas), h('div', { class: 'table-wrap' }, table))
    const { drawChart } = await charts
    if (scope.alive) {
      const chart = drawChart(canvas, chartSpec(report))
      scope.add(() => chart.destroy())
    }
  } catch (failure) {
    replaceChildren(error, failureText(failure))
    error.hidden = false
  }
}
