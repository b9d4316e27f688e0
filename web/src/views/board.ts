// The manager's board (#/board): every invoice of an organization as a card in its stage's
// column, live over the board socket (board-live.ts). Each delta redraws one card: a card
// that changes column leaves one keyed list and enters the other. Filters and sort run here
// on the live cards and are kept in the address (board-filters.ts); a table shows the same
// cards compactly. docs/web.md, "The board".

import type { Me, Membership } from '../api'
import { h, replaceChildren, uid } from '../dom'
import { t, type Key } from '../i18n'
import { KeyedList } from '../keyed'
import { Scope, view, type View } from '../view'
import { drawCard, drawRow, TABLE_HEADS } from './board-card'
import { readFilters, SORTS, visible, writeFilters, type Filters } from './board-filters'
import { connectBoard, STAGES, type Card, type LiveState, type Stage } from './board-live'
import { weightsForm } from './priority-weights'
import { followAddress } from '../router'

interface Part {
  element: HTMLElement
  card: Card | null // the card last drawn: a sync redraws only the cards that changed
}

/** The organization `?org=` names among the person's, else the first. */
export function boardOrg(me: Me, query: URLSearchParams): Membership | undefined {
  const readers = me.memberships.filter((m) => m.capabilities.includes('invoice.read'))
  return readers.find((m) => m.org_id === query.get('org')) ?? readers[0]
}

export function boardView(me: Me, query: URLSearchParams): View | { redirect: string } {
  const org = boardOrg(me, query)
  if (!org) return { redirect: '#/invoices' }
  const scope = new Scope()
  const cards = new Map<string, Card>()
  const filters: Filters = readFilters(query)
  const several = me.memberships.length > 1

  const status = h('p', { class: 'connection', 'data-state': 'connecting', role: 'status' }, t('board_connecting'))
  const setState = (state: LiveState): void => {
    status.dataset.state = state
    status.textContent = t(state === 'connected' ? 'board_live' : state === 'connecting' ? 'board_connecting' : 'board_reconnecting')
  }

  // The columns, each a keyed list of cards.
  const columns = new Map<Stage, { list: KeyedList<Card, string, Part>; count: HTMLElement }>()
  const board = h('div', { class: 'board-columns', 'data-testid': 'board' })
  for (const stage of STAGES) {
    const titleId = uid('stage')
    const count = h('span', { class: 'board-count', 'data-testid': 'stage-count' }, '0')
    const ol = h('ol', { class: 'board-list', 'aria-labelledby': titleId })
    const list = new KeyedList<Card, string, Part>(ol, (card) => card.id, () => ({ element: h('li', { class: 'board-card card' }), card: null }))
    columns.set(stage, { list, count })
    board.append(h('section', { class: 'board-column', 'data-stage': stage }, h('h2', { id: titleId }, t(`board_stage_${stage}` as Key), ' ', count), ol))
  }

  // The table view: the same cards, one keyed row each.
  const tbody = h('tbody')
  const rows = new KeyedList<Card, string, Part>(tbody, (card) => card.id, () => ({ element: h('tr', { 'data-card-row': '' }), card: null }))
  const table = h(
    'div',
    { class: 'table-wrap', 'data-testid': 'board-table' },
    h('table', { class: 'invoices board-table' }, h('caption', { class: 'visually-hidden' }, t('board_title')), h('thead', {}, h('tr', {}, ...TABLE_HEADS.map((key) => h('th', { scope: 'col' }, t(key))))), tbody)
  )
  const redraw = (part: Part, card: Card): void => {
    if (part.card === card) return
    part.card = card
    if (part.element instanceof HTMLTableRowElement) drawRow(part.element, card)
    else drawCard(part.element, card)
  }

  /** Sync the columns of `stages` (all when absent) and the table with the filtered cards. */
  const render = (stages: Iterable<Stage> = STAGES): void => {
    const shown = visible(cards.values(), filters, me.id)
    board.hidden = filters.table
    table.hidden = !filters.table
    if (filters.table) return rows.sync(shown, redraw)
    for (const stage of new Set(stages)) {
      const column = columns.get(stage)
      if (!column) continue
      const mine = shown.filter((card) => card.stage === stage)
      column.list.sync(mine, redraw)
      column.count.textContent = String(mine.length)
    }
  }

  connectBoard(org.org_id, scope, {
    snapshot(all) {
      cards.clear()
      for (const card of all) cards.set(card.id, card)
      render()
    },
    card(card) {
      const before = cards.get(card.id)?.stage
      cards.set(card.id, card)
      render(before ? [before, card.stage] : [card.stage])
    },
    remove(id) {
      const before = cards.get(id)?.stage
      cards.delete(id)
      if (before) render([before])
    },
    state: setState
  })

  const changed = (): void => {
    const next = writeFilters(filters, several ? org.org_id : null).toString()
    // replaceState: the address follows the filters without the router rebuilding the page.
    followAddress(`#/board${next ? `?${next}` : ''}`)
    render()
  }
  const controls = filterControls(filters, cards, changed, scope)
  const admin = org.capabilities.includes('org.settings') ? weightsForm(org.org_id) : null

  const element = h(
    'section',
    { class: 'board-page' },
    h('div', { class: 'list-head' }, h('h1', {}, several ? t('board_title_org', { org: org.org_name }) : t('board_title')), h('a', { href: `#/reports${several ? `?org=${encodeURIComponent(org.org_id)}` : ''}` }, t('reports_title')), status),
    controls,
    board,
    table,
    admin
  )
  return view(element, scope)
}

/** The filter bar; `changed` runs after each edit (typing is debounced). */
function filterControls(filters: Filters, cards: Map<string, Card>, changed: () => void, scope: Scope): HTMLElement {
  const typed = scope.debounce(200, changed)
  const field = (label: Key, input: HTMLInputElement | HTMLSelectElement): HTMLElement => {
    input.id = uid('bf')
    return h('div', { class: 'filter' }, h('label', { for: input.id }, t(label)), input)
  }
  const text = (key: 'customer' | 'min' | 'max', attrs: Record<string, string>): HTMLInputElement => {
    const input = h('input', { value: filters[key], name: key, ...attrs })
    input.addEventListener('input', () => {
      filters[key] = input.value
      typed()
    })
    return input
  }
  const date = (key: 'due_from' | 'due_to'): HTMLInputElement => {
    const input = h('input', { type: 'date', value: filters[key], name: key })
    input.addEventListener('change', () => {
      filters[key] = input.value
      changed()
    })
    return input
  }
  // The people to pick from: those assigned on the board now (and the one already chosen).
  const assignee = h('select', { name: 'assignee' })
  const fillAssignees = (): void => {
    const people = new Map<string, string>()
    for (const card of cards.values()) if (card.assignee) people.set(card.assignee.id, card.assignee.name)
    const options = [['', t('board_anyone')], ['none', t('board_unassigned')], ...[...people].sort((a, b) => a[1].localeCompare(b[1]))]
    if (filters.assignee && !options.some(([id]) => id === filters.assignee)) options.push([filters.assignee, filters.assignee])
    replaceChildren(assignee, ...options.map(([id = '', name = '']) => h('option', { value: id, selected: id === filters.assignee }, name)))
  }
  assignee.addEventListener('focus', fillAssignees)
  assignee.addEventListener('change', () => {
    filters.assignee = assignee.value
    changed()
  })
  fillAssignees()
  const sort = h('select', { name: 'sort' }, ...SORTS.map((s) => h('option', { value: s, selected: s === filters.sort }, t(`board_sort_${s}` as Key))))
  sort.addEventListener('change', () => {
    filters.sort = sort.value as Filters['sort']
    changed()
  })
  const mine = h('input', { type: 'checkbox', name: 'mine', checked: filters.mine, id: uid('bf') })
  mine.addEventListener('change', () => {
    filters.mine = mine.checked
    changed()
  })
  const toggle = h('button', { type: 'button', class: 'secondary', 'aria-pressed': String(filters.table), 'data-testid': 'board-table-toggle' }, t('board_table_view'))
  toggle.addEventListener('click', () => {
    filters.table = !filters.table
    toggle.setAttribute('aria-pressed', String(filters.table))
    changed()
  })
  return h(
    'div',
    { class: 'board-filters', role: 'search', 'aria-label': t('board_filters') },
    field('board_assignee', assignee),
    field('board_customer', text('customer', { type: 'search' })),
    field('board_min', text('min', { inputmode: 'decimal' })),
    field('board_max', text('max', { inputmode: 'decimal' })),
    field('board_due_from', date('due_from')),
    field('board_due_to', date('due_to')),
    field('board_sort', sort),
    h('div', { class: 'filter board-mine' }, mine, h('label', { for: mine.id }, t('board_mine'))),
    h('div', { class: 'filter' }, toggle)
  )
}
