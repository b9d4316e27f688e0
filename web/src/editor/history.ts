// The invoice's history panel (docs/history.md): who changed which field, from what to what,
// and when; newest first, a page at a time (GET /api/invoices/{id}/history). Loaded when opened
// and on "Refresh", never polled: the log only grows, and the panel says when it was read.

import type * as Y from 'yjs'

import { call } from '../api'
import { h, replaceChildren } from '../dom'
import { locale, t } from '../i18n'
import { failureText } from '../view'
import { anchorLabel } from './anchors'

interface Entry {
  path: string
  kind: 'changed' | 'added' | 'removed'
  before: unknown
  after: unknown
  author: { id: string; name: string } | null
  at: string
  seq: number
}

interface Page {
  items: Entry[]
  next_before: number | null
}

const LONGEST = 60

function shown(value: unknown): string {
  if (value === null || value === undefined || value === '') return '∅'
  let text: string
  if (typeof value === 'object') {
    const line = value as Record<string, unknown>
    text = typeof line.description === 'string' && line.description ? line.description : JSON.stringify(value)
  } else text = String(value)
  return text.length > LONGEST ? `${text.slice(0, LONGEST - 1)}…` : text
}

function when(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date)
}

export class HistoryPanel {
  readonly element: HTMLElement
  private readonly list = h('ol', { class: 'history-list' })
  private readonly error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  private readonly more = h('button', { type: 'button', class: 'secondary small', hidden: true }, t('history_older'))
  private readonly toggle = h('button', { type: 'button', class: 'secondary small', 'aria-expanded': 'false' }, t('history_show'))
  private readonly body = h('div', { class: 'history-body', hidden: true })
  private next: number | null = null
  private loads = 0

  constructor(
    private readonly invoiceId: string,
    private readonly doc: () => Y.Doc
  ) {
    const id = 'history-title'
    const refresh = h('button', { type: 'button', class: 'secondary small', onclick: () => void this.load(false) }, t('history_refresh'))
    this.toggle.addEventListener('click', () => {
      const open = this.body.hidden
      this.body.hidden = !open
      this.toggle.setAttribute('aria-expanded', String(open))
      this.toggle.textContent = open ? t('history_hide') : t('history_show')
      if (open) void this.load(false)
    })
    this.more.addEventListener('click', () => void this.load(true))
    replaceChildren(this.body, h('div', { class: 'history-tools' }, refresh), this.error, this.list, this.more)
    this.element = h('section', { class: 'history card', 'aria-labelledby': id }, h('div', { class: 'history-head' }, h('h2', { id }, t('history')), this.toggle), this.body)
  }

  /** Read the newest page again, or (`older`) the next page after those shown. */
  async load(older: boolean): Promise<void> {
    const mine = ++this.loads
    const query = new URLSearchParams({ limit: '50' })
    if (older && this.next !== null) query.set('before', String(this.next))
    try {
      const page = await call<Page>('GET', `/api/invoices/${encodeURIComponent(this.invoiceId)}/history?${query}`)
      if (mine !== this.loads) return // a newer request answers instead
      const rows = page.items.map((entry) => this.row(entry))
      if (older) this.list.append(...rows)
      else replaceChildren(this.list, ...(rows.length ? rows : [h('li', { class: 'empty' }, t('history_empty'))]))
      this.next = page.next_before
      this.more.hidden = page.next_before === null
      this.error.hidden = true
    } catch (failure) {
      if (mine !== this.loads) return
      this.error.textContent = failureText(failure)
      this.error.hidden = false
    }
  }

  private row(entry: Entry): HTMLElement {
    const where = anchorLabel(this.doc(), { path: entry.path })
    const isLine = /^lines\.[^.]+$/.test(entry.path)
    const what = isLine
      ? h('span', {}, entry.kind === 'removed' ? t('history_line_removed', { line: shown(entry.before) }) : t('history_line_added', { line: shown(entry.after) }))
      : h('span', { class: 'change' }, h('del', {}, shown(entry.before)), ' → ', h('ins', {}, shown(entry.after)))
    return h(
      'li',
      { 'data-path': entry.path, 'data-seq': String(entry.seq) },
      h('div', { class: 'history-who' }, h('strong', {}, entry.author?.name ?? t('history_server')), ' · ', h('span', { class: 'history-field' }, where)),
      h('div', {}, what),
      h('time', { datetime: entry.at, class: 'hint' }, when(entry.at))
    )
  }
}
