// The customer and item catalogues (`#/catalogue/customers`, `#/catalogue/items`): every member
// reads and searches them (GET /api/customers?q=); editors, approvers and admins
// (`invoice.create`) create, change and delete records. The editor fills an invoice from them.

import { call, type Me } from '../api'
import { h, replaceChildren } from '../dom'
import { formatRate, toInputDecimal } from '../format'
import { t } from '../i18n'
import { unitName } from '../editor/unit-picker'
import { failureText, Scope, view, type View } from '../view'
import { confirmAction } from './dialog'
import { errorBox, showError } from './forms'
import { recordForm, type CatalogueKind, type CatalogueRecord } from './record-form'
import { followAddress } from '../router'

type Label = 'email' | 'vat_id' | 'city' | 'country' | 'unit' | 'unit_price' | 'catalogue_tax_rate'

/** The columns after the name in each list: a field, its header, and how it is shown. */
const COLUMNS: Record<CatalogueKind, [string, Label, ((r: CatalogueRecord) => string)?][]> = {
  customers: [['email', 'email'], ['vat_id', 'vat_id'], ['city', 'city'], ['country', 'country']],
  items: [
    ['unit', 'unit', (r) => (r.unit ? [r.unit, unitName(r.unit)].filter(Boolean).join(' — ') : '')],
    // Items have no currency: the price as the locale writes it, every digit kept.
    ['unit_price', 'unit_price', (r) => toInputDecimal(r.unit_price ?? '')],
    ['tax_rate', 'catalogue_tax_rate', (r) => (r.tax_rate ? formatRate(r.tax_rate) : '')]
  ]
}

export function catalogueView(me: Me, kind: CatalogueKind, query: URLSearchParams): View {
  const scope = new Scope()
  const writers = me.memberships.filter((m) => m.capabilities.includes('invoice.create'))
  const orgNames = new Map(me.memberships.map((m) => [m.org_id, m.org_name]))
  const several = me.memberships.length > 1
  const search = h('input', { id: 'catalogue-q', type: 'search', autocomplete: 'off', value: query.get('q') ?? '' })
  const table = h('div', { class: 'table-wrap' })
  const formSlot = h('div', { class: 'record-slot' })
  const error = errorBox()
  const done = h('p', { class: 'saved', role: 'status' })
  const fetchList = scope.latest((q: string) => call<{ items: CatalogueRecord[] }>('GET', `/api/${kind}${q ? `?q=${encodeURIComponent(q)}` : ''}`))
  // A new record goes to the organization picked here when the person writes in several.
  const orgChoice = writers.length > 1 ? h('select', { id: 'catalogue-org' }, ...writers.map((m) => h('option', { value: m.org_id }, m.org_name))) : null
  const canWrite = (orgId: string): boolean => writers.some((m) => m.org_id === orgId)

  async function load(): Promise<void> {
    try {
      const { items } = await fetchList(search.value.trim())
      replaceChildren(table, items.length ? listTable(items) : h('p', { class: 'empty' }, t('catalogue_empty')))
      showError(error, null)
    } catch (failure) {
      showError(error, failureText(failure))
    }
  }

  function openForm(record?: CatalogueRecord, opener?: HTMLElement): void {
    done.textContent = ''
    const close = (): void => {
      formSlot.replaceChildren()
      opener?.focus() // back where the person was
    }
    const form = recordForm({
      kind,
      ...(record ? { record } : {}),
      ...(orgChoice ? { org: orgChoice.value } : {}),
      saved: (saved) => {
        close()
        done.textContent = t('catalogue_saved', { name: saved.name ?? '' })
        void load()
      },
      cancelled: close
    })
    formSlot.replaceChildren(form)
    form.querySelector<HTMLElement>('input, textarea')?.focus()
  }

  async function remove(record: CatalogueRecord): Promise<void> {
    const name = record.name ?? ''
    const removed = await confirmAction({
      title: t('catalogue_delete_title', { name }),
      text: t('catalogue_delete_text'),
      confirm: t('delete'),
      danger: true,
      run: () => call('DELETE', `/api/${kind}/${encodeURIComponent(record.id)}`)
    })
    if (!removed) return
    done.textContent = t('catalogue_deleted', { name })
    await load()
  }

  function listTable(items: CatalogueRecord[]): HTMLElement {
    const columns = COLUMNS[kind]
    return h(
      'table',
      { class: 'admin-table catalogue' },
      h('caption', { class: 'visually-hidden' }, t(`catalogue_${kind}`)),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t('catalogue_name')),
          ...columns.map(([, label]) => h('th', { scope: 'col' }, t(label))),
          several ? h('th', { scope: 'col' }, t('organization')) : null,
          h('th', { scope: 'col' }, t('actions'))
        )
      ),
      h('tbody', {}, ...items.map((record) => row(record)))
    )
  }

  function row(record: CatalogueRecord): HTMLElement {
    const name = record.name ?? ''
    const edit = h('button', { type: 'button', class: 'secondary', 'aria-label': t('edit_named', { name }) }, t('edit'))
    edit.addEventListener('click', () => openForm(record, edit))
    const del = h('button', { type: 'button', class: 'secondary danger', 'aria-label': t('delete_named', { name }), onclick: () => void remove(record) }, t('delete'))
    return h(
      'tr',
      { 'data-id': record.id },
      h('th', { scope: 'row', 'data-label': t('catalogue_name') }, name),
      ...COLUMNS[kind].map(([field, label, show]) => h('td', { 'data-label': t(label) }, show ? show(record) : (record[field] ?? ''))),
      several ? h('td', { 'data-label': t('organization') }, orgNames.get(record.org_id) ?? '') : null,
      h('td', { 'data-label': t('actions') }, canWrite(record.org_id) ? h('div', { class: 'row-actions' }, edit, del) : null)
    )
  }

  const typed = scope.debounce(250, () => {
    const hash = `#/catalogue/${kind}${search.value.trim() ? `?q=${encodeURIComponent(search.value.trim())}` : ''}`
    followAddress(hash)
    void load()
  })
  search.addEventListener('input', typed)
  const create = writers.length ? h('button', { type: 'button', class: 'primary' }, `+ ${t(`new_${kind}`)}`) : null
  create?.addEventListener('click', () => openForm(undefined, create))
  void load()
  return view(
    h(
      'section',
      { class: 'admin catalogue-page' },
      h('h1', {}, t('catalogue')),
      h(
        'nav',
        { class: 'admin-tabs', 'aria-label': t('catalogue') },
        ...(['customers', 'items'] as const).map((k) => h('a', { href: `#/catalogue/${k}`, 'aria-current': k === kind ? 'page' : null }, t(`catalogue_${k}`))),
        writers.length ? h('a', { href: '#/catalogue/import' }, t('imp_customers_tab')) : null,
        writers.length ? h('a', { href: '#/time-import' }, t('imp_time_tab')) : null
      ),
      h(
        'div',
        { class: 'list-head' },
        h('div', { class: 'filter', role: 'search' }, h('label', { for: search.id }, t(`catalogue_search_${kind}`)), search),
        h('div', { class: 'create' }, orgChoice ? h('div', { class: 'filter' }, h('label', { for: orgChoice.id }, t('organization')), orgChoice) : null, create)
      ),
      formSlot,
      done,
      error,
      table
    ),
    scope
  )
}
