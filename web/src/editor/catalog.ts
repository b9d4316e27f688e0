// Saved customers and catalogue items of the organization, to fill the invoice from.

import * as Y from 'yjs'

import { call, type Customer, type Item } from '../api'
import { h, uid } from '../dom'
import { formatMoney } from '../format'
import { t } from '../i18n'
import { LOCAL } from './live'
import { addLine, headerOf } from './ydoc'

async function load<T>(path: string, org: string): Promise<T[]> {
  try {
    return (await call<{ items: T[] }>('GET', `${path}?org=${encodeURIComponent(org)}`)).items
  } catch {
    return [] // the pickers are a convenience: the form works without them
  }
}

/** Copy a saved customer into the invoice's customer block, in one change. */
export function applyCustomer(doc: Y.Doc, customer: Customer): void {
  doc.transact(() => {
    const header = headerOf(doc)
    let map = header.get('customer')
    if (!(map instanceof Y.Map)) {
      map = new Y.Map<unknown>()
      header.set('customer', map)
    }
    const target = map as Y.Map<unknown>
    for (const key of ['name', 'email', 'vat_id', 'siren'] as const) target.set(key, customer[key] ?? '')
    let address = target.get('address')
    if (!(address instanceof Y.Map)) {
      address = new Y.Map<unknown>()
      target.set('address', address)
    }
    for (const key of ['line1', 'line2', 'postcode', 'city', 'country'] as const) {
      ;(address as Y.Map<unknown>).set(key, customer[key] ?? '')
    }
  }, LOCAL)
}

function picker(label: string, options: [string, string][], onPick: (id: string) => void): HTMLElement {
  const id = uid('pick')
  const choose = h(
    'select',
    { id, onchange: () => { if (choose.value) onPick(choose.value); choose.value = '' } },
    h('option', { value: '' }, t('choose')),
    ...options.map(([value, text]) => h('option', { value }, text))
  )
  return h('div', { class: 'picker' }, h('label', { for: id }, label), choose)
}

export async function customerPicker(org: string, doc: () => Y.Doc): Promise<HTMLElement | null> {
  const customers = await load<Customer>('/api/customers', org)
  if (!customers.length) return null
  return picker(
    t('pick_customer'),
    customers.map((c) => [c.id, [c.name, c.city].filter(Boolean).join(', ')]),
    (id) => {
      const found = customers.find((c) => c.id === id)
      if (found) applyCustomer(doc(), found)
    }
  )
}

export async function itemPicker(org: string, doc: () => Y.Doc, currency: () => string, added: (id: string) => void): Promise<HTMLElement | null> {
  const items = await load<Item>('/api/items', org)
  if (!items.length) return null
  return picker(
    t('pick_item'),
    items.map((item) => [item.id, `${item.name} — ${formatMoney(item.unit_price, currency())}`]),
    (id) => {
      const item = items.find((i) => i.id === id)
      if (!item) return
      added(
        addLine(
          doc(),
          {
            description: item.description || item.name,
            unit: item.unit || 'C62',
            unit_price: item.unit_price,
            tax_rate: item.tax_rate
          },
          LOCAL
        )
      )
    }
  )
}
