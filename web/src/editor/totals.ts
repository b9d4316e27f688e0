// The totals panel: lines total, discount, net, VAT per (category, rate), gross, amount due.

import { h, replaceChildren } from '../dom'
import { formatMoney, formatRate } from '../format'
import { t } from '../i18n'
import type { Totals } from '../money'

export type TotalsSource = 'server' | 'local'

export interface TotalsView {
  totals: Pick<Totals, 'currency' | 'line_total' | 'document_discount' | 'net' | 'tax' | 'gross' | 'due' | 'tax_breakdown'> | null
  complete: boolean
  source: TotalsSource
}

function row(label: string, value: string, className = '', testId = ''): HTMLElement {
  return h('div', { class: `total-row ${className}`, 'data-total': testId || null }, h('dt', {}, label), h('dd', {}, value))
}

export function renderTotals(panel: HTMLElement, view: TotalsView): void {
  const { totals } = view
  if (!totals) {
    replaceChildren(panel, h('h2', { id: 'totals-title' }, t('totals')), h('p', { class: 'hint' }, t('totals_unknown_currency')))
    return
  }
  const money = (value: string): string => formatMoney(value, totals.currency)
  const several = new Set(totals.tax_breakdown.map((group) => group.category)).size > 1
  const discount = totals.document_discount !== '0' && !/^0\.?0*$/.test(totals.document_discount)
  replaceChildren(
    panel,
    h('h2', { id: 'totals-title' }, t('totals')),
    h(
      'dl',
      {},
      row(t('lines_total'), money(totals.line_total), '', 'line_total'),
      discount ? row(t('document_discount'), `−${money(totals.document_discount)}`, '', 'document_discount') : null,
      row(t('total_excl_vat'), money(totals.net), 'strong', 'net'),
      ...totals.tax_breakdown.map((group) =>
        row(
          several
            ? t('vat_category_on', { category: group.category, rate: formatRate(group.rate), base: money(group.base) })
            : t('vat_on', { rate: formatRate(group.rate), base: money(group.base) }),
          money(group.amount),
          'vat',
          `vat-${group.category}-${group.rate}`
        )
      ),
      row(t('total_vat'), money(totals.tax), '', 'tax'),
      row(t('total_incl_vat'), money(totals.gross), 'grand', 'gross'),
      totals.due !== totals.gross ? row(t('amount_due'), money(totals.due), '', 'due') : null
    ),
    view.complete ? null : h('p', { class: 'hint warn' }, t('totals_incomplete')),
    h('p', { class: `source ${view.source}`, 'data-source': view.source }, view.source === 'server' ? `✓ ${t('totals_checked')}` : t('totals_local'))
  )
}
