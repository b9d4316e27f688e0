// One board card and one row of the table view, drawn from a Card; the priority's reason text
// is built here from the server's reason codes, in the user's language.

import { h, replaceChildren } from '../dom'
import { formatDate, formatMoney } from '../format'
import { hasKey, t, type Key } from '../i18n'
import type { Card, Reason } from './board-live'

export function reasonText(reason: Reason): string {
  switch (reason.code) {
    case 'overdue':
      return t('board_reason_overdue', { days: reason.days })
    case 'due_in':
      return reason.days === 0 ? t('board_reason_due_today') : t(reason.days === 1 ? 'board_reason_due_in_one' : 'board_reason_due_in', { days: reason.days })
    case 'amount':
      return formatMoney(reason.value, reason.currency)
    case 'key_account':
      return t('board_reason_key_account')
    case 'important_customer':
      return t('board_reason_important_customer')
  }
}

/** "due in 2 days · €12,400.00 · key account" */
export function reasonsText(card: Card): string {
  return card.priority.reasons.map(reasonText).join(' · ')
}

export function categoryText(category: string): string {
  const key = `exception_category_${category}`
  return hasKey(key) ? t(key) : category
}

function initials(name: string): string {
  const parts = name.trim().split(/[\s._-]+/).filter(Boolean)
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase()
}

/** The people in the invoice now: initials on the colour the server stamps, names for
 * screen readers (the list is labelled). */
export function presentAvatars(card: Card): HTMLElement | null {
  if (!card.present.length) return null
  return h(
    'ul',
    { class: 'avatars board-avatars', 'aria-label': t('board_present'), 'data-testid': 'board-present' },
    ...card.present.map((person) => {
      const item = h(
        'li',
        { class: 'avatar', title: person.name, 'data-user': person.name },
        h('span', { 'aria-hidden': 'true' }, initials(person.name)),
        h('span', { class: 'visually-hidden' }, person.name)
      )
      item.style.setProperty('--peer', person.colour) // CSSOM: allowed by the page's CSP
      return item
    })
  )
}

export function cardTitle(card: Card): string {
  const kind = card.kind === 'credit_note' ? t('board_credit_note') : t('board_invoice')
  return card.number ? `${kind} ${card.number}` : `${kind} (${t('board_no_number')})`
}

const href = (card: Card): string => `#/invoices/${encodeURIComponent(card.id)}`

/** The card's content (its `li` is kept by the column's KeyedList; this redraws inside it). */
export function drawCard(item: HTMLElement, card: Card): void {
  item.dataset.stage = card.stage
  const reasons = reasonsText(card)
  replaceChildren(
    item,
    h('a', { class: 'board-card-link', href: href(card) }, cardTitle(card)),
    h('p', { class: 'board-customer' }, card.customer || t('board_no_customer')),
    h(
      'p',
      { class: 'board-figures' },
      h('span', { class: 'strong', 'data-testid': 'board-amount' }, formatMoney(card.gross, card.currency)),
      card.due_date ? h('span', {}, t('board_due', { date: formatDate(card.due_date) })) : null
    ),
    h('p', { class: 'board-assignee' }, card.assignee ? t('board_assigned', { name: card.assignee.name }) : t('board_unassigned')),
    h(
      'p',
      { class: 'board-priority', 'data-testid': 'board-priority' },
      h('span', { class: 'board-score', title: t('board_priority') }, t('board_priority_score', { score: card.priority.score })),
      reasons ? ` ${reasons}` : null
    ),
    card.threads || card.exceptions.length
      ? h(
          'p',
          { class: 'board-flags' },
          card.threads ? h('span', { class: 'badge warn' }, t('board_threads', { count: card.threads })) : null,
          ...card.exceptions.map((exception) => h('span', { class: 'board-exception' }, categoryText(exception.category)))
        )
      : null,
    presentAvatars(card)
  )
}

export function drawRow(row: HTMLTableRowElement, card: Card): void {
  const stageKey = `board_stage_${card.stage}` as Key
  replaceChildren(
    row,
    h('th', { scope: 'row' }, h('a', { href: href(card) }, cardTitle(card))),
    h('td', {}, card.customer),
    h('td', {}, t(stageKey)),
    h('td', { class: 'num' }, formatMoney(card.gross, card.currency)),
    h('td', {}, formatDate(card.due_date)),
    h('td', {}, card.assignee?.name ?? ''),
    h('td', { class: 'num' }, String(card.priority.score)),
    h('td', {}, reasonsText(card)),
    h('td', { class: 'num' }, String(card.threads)),
    h('td', {}, card.exceptions.map((e) => categoryText(e.category)).join(', ')),
    h('td', {}, presentAvatars(card))
  )
}

export const TABLE_HEADS: readonly Key[] = [
  'board_col_invoice',
  'board_col_customer',
  'board_col_stage',
  'board_col_amount',
  'board_col_due',
  'board_col_assignee',
  'board_col_priority',
  'board_col_reasons',
  'board_col_threads',
  'board_col_exceptions',
  'board_col_present'
]
