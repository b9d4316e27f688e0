// What each customer owes (`#/receivables`, any member; docs/payments.md): one row per
// customer and currency, the outstanding amount and its overdue part, most outstanding first.

import type { Me } from '../api'
import { h, replaceChildren } from '../dom'
import { formatDate, formatMoney } from '../format'
import { t } from '../i18n'
import { receivables, type CustomerOwed } from '../paid-api'
import { failureText, Scope, view, type View } from '../view'
import { chosenOrg, paidTabs } from './admin-nav'
import { errorBox, showError } from './forms'

export function receivablesView(me: Me, query: URLSearchParams): View | { redirect: string } {
  const org = chosenOrg(me, 'invoice.read', query)
  if (!org) return { redirect: '#/invoices' }
  const scope = new Scope()
  const table = h('div', { class: 'table-wrap' })
  const asOf = h('p', { class: 'hint' })
  const error = errorBox()
  const fetch = scope.latest(() => receivables(org.org_id))

  async function load(): Promise<void> {
    try {
      const found = await fetch()
      asOf.textContent = t('recv_as_of', { date: formatDate(found.as_of) })
      replaceChildren(table, found.customers.length ? rows(found.customers) : h('p', { class: 'empty' }, t('recv_none')))
      showError(error, null)
    } catch (failure) {
      showError(error, failureText(failure))
    }
  }

  function rows(customers: CustomerOwed[]): HTMLElement {
    const columns = ['customer', 'recv_vat', 'recv_outstanding', 'recv_overdue', 'recv_invoices'] as const
    return h(
      'table',
      { class: 'admin-table receivables' },
      h('caption', { class: 'visually-hidden' }, t('receivables')),
      h('thead', {}, h('tr', {}, ...columns.map((key) => h('th', { scope: 'col', class: key === 'customer' || key === 'recv_vat' ? null : 'num' }, t(key))))),
      h(
        'tbody',
        {},
        ...customers.map((c) =>
          h(
            'tr',
            { 'data-customer': c.customer },
            h('th', { scope: 'row' }, c.customer),
            h('td', { 'data-label': t('recv_vat') }, c.vat_id ?? ''),
            h('td', { class: 'num strong', 'data-label': t('recv_outstanding') }, formatMoney(c.outstanding, c.currency)),
            h('td', { class: Number(c.overdue) > 0 ? 'num overdue' : 'num', 'data-label': t('recv_overdue') }, formatMoney(c.overdue, c.currency)),
            h('td', { class: 'num', 'data-label': t('recv_invoices') }, t('recv_count', { count: c.invoices, overdue: c.overdue_invoices }))
          )
        )
      )
    )
  }

  void load()
  return view(
    h(
      'section',
      { class: 'admin receivables-page' },
      h('h1', {}, t('recv_title', { org: org.org_name })),
      paidTabs(me, org, 'receivables'),
      h('div', { class: 'audit-tools' }, asOf, h('button', { type: 'button', class: 'secondary', onclick: () => void load() }, t('refresh'))),
      error,
      table
    ),
    scope
  )
}
