// The totals panel: lines total, discount, allowances and charges, net, VAT per (category, rate),
// gross, amount due.

import { h, replaceChildren } from '../dom'
import { formatMoney, formatRate } from '../format'
import { t } from '../i18n'
import type { Totals } from '../money'
import type { DocumentRow } from './adjustments'

export type TotalsSource = 'server' | 'local'

export interface TotalsView {
  totals: Pick<Totals, 'currency' | 'line_total' | 'document_discount' | 'net' | 'tax' | 'gross' | 'due' | 'tax_breakdown'> &
    Partial<Pick<Totals, 'prepaid' | 'rounding'>> &
    // BT-107 (the invoice discount included) and BT-108.
    Partial<{ allowances: string; charges: string }> | null
  complete: boolean
  /** Lines left out of the totals (invalid or half-typed ones). */
  uncounted: number
  source: TotalsSource
}

/** What the totals leave out, said above them: never a total that looks final when it is not. */
function incompleteText(view: TotalsView): string {
  if (view.uncounted === 1) return t('totals_not_counted_one')
  if (view.uncounted > 1) return t('totals_not_counted', { count: view.uncounted })
  return t('totals_incomplete')
}

/** Where the totals come from; the server's check is shown as one (green, ✓) only when the
 * totals are complete. */
function sourceLine(view: TotalsView): HTMLElement {
  const server = view.source === 'server'
  const text = !server ? t('totals_local') : view.complete ? `✓ ${t('totals_checked')}` : t('totals_checked_partial')
  const className = server && !view.complete ? 'partial' : view.source
  return h('p', { class: `source ${className}`, 'data-source': view.source, 'data-complete': String(view.complete) }, text)
}

function row(label: string, value: string, className = '', testId = ''): HTMLElement {
  return h('div', { class: `total-row ${className}`, 'data-total': testId || null }, h('dt', {}, label), h('dd', {}, value))
}

/** `rows`: the counted document-level allowances and charges, which make BT-107 and BT-108. */
export function renderTotals(panel: HTMLElement, view: TotalsView, rows: readonly DocumentRow[] = []): void {
  const { totals } = view
  if (!totals) {
    replaceChildren(panel, h('h2', { id: 'totals-title' }, t('totals')), h('p', { class: 'hint' }, t('totals_unknown_currency')))
    return
  }
  const money = (value: string): string => formatMoney(value, totals.currency)
  const several = new Set(totals.tax_breakdown.map((group) => group.category)).size > 1
  const nonZero = (value: string | undefined): value is string => value !== undefined && !/^-?0\.?0*$/.test(value)
  const discount = nonZero(totals.document_discount)
  // BT-107 and BT-108 with the rows that make them; the invoice discount alone stays one row.
  const adjustments = (charge: boolean): HTMLElement[] => {
    const own = rows.filter((json) => json.charge === charge)
    const total = charge ? totals.charges : totals.allowances
    if (!nonZero(total) || own.length === 0) return []
    const sign = charge ? '' : '−'
    return [
      row(t(charge ? 'charges_total' : 'allowances_total'), `${sign}${money(total)}`, '', charge ? 'charges' : 'allowances'),
      ...(!charge && discount ? [row(t('document_discount'), `−${money(totals.document_discount)}`, 'sub', 'document_discount')] : []),
      ...own.map((json) => row(json.name, `${sign}${money(json.amount)}`, 'sub', `adjustment-${json.id}`))
    ]
  }
  const allowances = adjustments(false)
  // BT-113 and BT-114, and the amount due they make (BR-CO-16), when either is stated.
  const settled = nonZero(totals.prepaid) || nonZero(totals.rounding)
  replaceChildren(
    panel,
    h('h2', { id: 'totals-title' }, t('totals')),
    view.complete ? null : h('p', { class: 'totals-incomplete', role: 'status', 'data-testid': 'totals-incomplete' }, incompleteText(view)),
    h(
      'dl',
      {},
      row(t('lines_total'), money(totals.line_total), '', 'line_total'),
      ...allowances,
      discount && allowances.length === 0 ? row(t('document_discount'), `−${money(totals.document_discount)}`, '', 'document_discount') : null,
      ...adjustments(true),
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
      nonZero(totals.prepaid) ? row(t('prepaid_amount'), `−${money(totals.prepaid)}`, '', 'prepaid') : null,
      nonZero(totals.rounding) ? row(t('rounding_amount'), money(totals.rounding), '', 'rounding') : null,
      settled || totals.due !== totals.gross ? row(t('amount_due'), money(totals.due), 'strong', 'due') : null
    ),
    sourceLine(view)
  )
}
