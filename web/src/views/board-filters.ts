// The board's filters and sort, applied in the browser to the live cards (the server's
// GET /api/board takes the same ones; here they follow every delta without a request), and
// kept in the address's query so a filtered board can be shared or reloaded.

import type { Card } from './board-live'

export type Sort = 'priority' | 'due' | 'amount' | 'updated'
export const SORTS: readonly Sort[] = ['priority', 'due', 'amount', 'updated']

export interface Filters {
  assignee: string // a user id, 'none' (unassigned), '' (anyone)
  customer: string
  min: string
  max: string
  due_from: string
  due_to: string
  mine: boolean
  sort: Sort
  table: boolean
}

const TEXT_KEYS = ['assignee', 'customer', 'min', 'max', 'due_from', 'due_to'] as const

export function readFilters(query: URLSearchParams): Filters {
  const sort = query.get('sort') as Sort | null
  return {
    assignee: query.get('assignee') ?? '',
    customer: query.get('customer') ?? '',
    min: query.get('min') ?? '',
    max: query.get('max') ?? '',
    due_from: query.get('due_from') ?? '',
    due_to: query.get('due_to') ?? '',
    mine: query.get('mine') === 'true',
    sort: sort && SORTS.includes(sort) ? sort : 'priority',
    table: query.get('view') === 'table'
  }
}

/** The query of `filters` (only what differs from the defaults), `org` kept first. */
export function writeFilters(filters: Filters, org: string | null): URLSearchParams {
  const query = new URLSearchParams()
  if (org) query.set('org', org)
  for (const key of TEXT_KEYS) if (filters[key].trim()) query.set(key, filters[key].trim())
  if (filters.mine) query.set('mine', 'true')
  if (filters.sort !== 'priority') query.set('sort', filters.sort)
  if (filters.table) query.set('view', 'table')
  return query
}

/** A typed amount bound ("1 000,50" or "1000.50") as a number; NaN when empty or unreadable. */
function bound(text: string): number {
  const cleaned = text.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.')
  return cleaned ? Number(cleaned) : NaN
}

export function matches(card: Card, filters: Filters, me: string): boolean {
  if (filters.assignee === 'none' ? card.assignee !== null : filters.assignee && card.assignee?.id !== filters.assignee) return false
  if (filters.mine && card.assignee?.id !== me) return false
  if (filters.customer.trim() && !card.customer.toLowerCase().includes(filters.customer.trim().toLowerCase())) return false
  const gross = Number(card.gross)
  const min = bound(filters.min)
  const max = bound(filters.max)
  if (!Number.isNaN(min) && gross < min) return false
  if (!Number.isNaN(max) && gross > max) return false
  // As the server does: with a due range, a card without a due date is left out.
  if ((filters.due_from || filters.due_to) && !card.due_date) return false
  if (filters.due_from && (card.due_date ?? '') < filters.due_from) return false
  if (filters.due_to && (card.due_date ?? '') > filters.due_to) return false
  return true
}

const dueKey = (card: Card): string => card.due_date ?? '9999-12-31' // none last

const ORDER: Record<Sort, (a: Card, b: Card) => number> = {
  priority: (a, b) => b.priority.score - a.priority.score || dueKey(a).localeCompare(dueKey(b)),
  due: (a, b) => dueKey(a).localeCompare(dueKey(b)),
  amount: (a, b) => Number(b.gross) - Number(a.gross),
  updated: (a, b) => (b.updated_at ?? b.created_at).localeCompare(a.updated_at ?? a.created_at)
}

/** The cards to show, in order; ties by id so the order is stable between deltas. */
export function visible(cards: Iterable<Card>, filters: Filters, me: string): Card[] {
  return [...cards].filter((card) => matches(card, filters, me)).sort((a, b) => ORDER[filters.sort](a, b) || a.id.localeCompare(b.id))
}
