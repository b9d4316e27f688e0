// A new invoice's defaults, written into its document once, by the tab that created it: the
// organization's currency (the seller profile's, else EUR) and today as the issue date.
// Only the creating tab writes, and only fields still absent once it is synced, so two people
// opening the same new invoice never write two different values (the other tab shows what
// the creator wrote when it arrives).

import type * as Y from 'yjs'

import { call } from '../api'
import { DEFAULT_CURRENCY } from '../schema'
import { readField, writeField } from './ydoc'

/** Invoices this tab created and has not opened yet (per tab: sessionStorage). */
const KEY = 'cofacture.created'

function created(): string[] {
  try {
    const list: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? '[]')
    return Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string') : []
  } catch {
    return []
  }
}

/** Remember that this tab created `id` (list.ts, after POST /api/invoices). */
export function markCreated(id: string): void {
  sessionStorage.setItem(KEY, JSON.stringify([...created().filter((x) => x !== id), id].slice(-20)))
}

/** True once for an invoice this tab created; forgotten at once so a reload never writes again. */
export function takeCreated(id: string): boolean {
  const list = created()
  if (!list.includes(id)) return false
  sessionStorage.setItem(KEY, JSON.stringify(list.filter((x) => x !== id)))
  return true
}

/** Today in the browser's time zone, as an ISO date (not toISOString: that is UTC's day). */
export function today(now = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

/** The currency new invoices of `orgId` start in: the seller profile's, else EUR. */
async function orgCurrency(orgId: string): Promise<string> {
  try {
    const profile = await call<{ currency?: string | null }>('GET', `/api/orgs/${encodeURIComponent(orgId)}/profile`)
    return profile.currency || DEFAULT_CURRENCY
  } catch {
    return DEFAULT_CURRENCY // no profile yet (404 `no_profile`): the document's default
  }
}

/** Write the defaults into the synced document of a new invoice, where still absent. */
export async function fillDefaults(doc: () => Y.Doc, orgId: string, origin: unknown): Promise<void> {
  const currency = await orgCurrency(orgId)
  const current = doc() // a resync during the request replaces the document
  current.transact(() => {
    if (!readField(current, 'invoice.currency')) writeField(current, 'invoice.currency', currency, origin)
    if (!readField(current, 'invoice.issue_date')) writeField(current, 'invoice.issue_date', today(), origin)
  }, origin)
}
