// The notifications menu in the top bar: an unread count and the list of mentions
// (GET /api/notifications), each linking to its invoice. The count is live: read when a page is
// shown, when a comment arrives in an open invoice (its `comment` notice), when the tab comes
// back into view, and every minute while the tab is visible (a hidden tab asks nothing).

import { call } from '../api'
import { h, replaceChildren } from '../dom'
import { locale, t } from '../i18n'
import type { Scope } from '../view'

interface Item {
  id: string
  kind: string
  invoice_id: string
  thread_id: string
  actor: { id: string; name: string }
  excerpt: string | null
  created_at: string
  read_at: string | null
}

interface Listing {
  items: Item[]
  unread: number
}

/** Ask every notifications menu on the page to refresh (a comment may have mentioned us). */
export const REFRESH_EVENT = 'cofacture:notifications'
const EVERY_MS = 60_000

export function notificationsMenu(scope: Scope): HTMLElement {
  const badge = h('span', { class: 'unread', 'aria-hidden': 'true', hidden: true })
  const label = h('span', { class: 'visually-hidden' }, t('notifications'))
  const toggle = h(
    'button',
    { type: 'button', class: 'link bell', 'aria-expanded': 'false', 'aria-controls': 'notifications-panel', 'data-testid': 'notifications' },
    h('span', { 'aria-hidden': 'true' }, t('notifications')),
    label,
    badge
  )
  const list = h('ul', { class: 'notification-list' })
  const panel = h(
    'div',
    { class: 'notifications-panel card', id: 'notifications-panel', hidden: true, role: 'region', 'aria-label': t('notifications') },
    h('div', { class: 'panel-head' }, h('h2', {}, t('notifications')), h('button', { type: 'button', class: 'link', onclick: () => void readAll() }, t('mark_all_read'))),
    list
  )
  const root = h('div', { class: 'notifications' }, toggle, panel)
  const format = new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' })

  const showCount = (unread: number): void => {
    badge.hidden = unread === 0
    badge.textContent = String(unread)
    label.textContent = unread ? t('notifications_unread', { count: unread }) : t('notifications')
    root.dataset.unread = String(unread)
  }
  const show = (listing: Listing): void => {
    showCount(listing.unread)
    replaceChildren(
      list,
      ...(listing.items.length === 0
        ? [h('li', { class: 'hint' }, t('no_notifications'))]
        : listing.items.map((item) =>
            h(
              'li',
              { class: item.read_at ? 'read' : 'unread-item' },
              h(
                'a',
                { href: `#/invoices/${encodeURIComponent(item.invoice_id)}`, onclick: () => void markRead(item) },
                h('strong', {}, t('mentioned_you', { name: item.actor.name || '?' })),
                item.excerpt ? h('span', { class: 'excerpt' }, item.excerpt) : null,
                h('time', { datetime: item.created_at }, format.format(new Date(item.created_at)))
              )
            )
          ))
    )
  }
  const load = async (): Promise<void> => {
    try {
      show(await call<Listing>('GET', '/api/notifications?limit=20'))
    } catch {
      // No list (older server, signed out): the menu stays as it was.
    }
  }
  const markRead = async (item: Item): Promise<void> => {
    close()
    if (item.read_at) return
    await call('POST', `/api/notifications/${encodeURIComponent(item.id)}/read`).catch(() => undefined)
    void load()
  }
  const readAll = async (): Promise<void> => {
    await call('POST', '/api/notifications/read-all').catch(() => undefined)
    void load()
  }
  const close = (): void => {
    panel.hidden = true
    toggle.setAttribute('aria-expanded', 'false')
  }
  toggle.addEventListener('click', () => {
    const open = panel.hidden
    panel.hidden = !open
    toggle.setAttribute('aria-expanded', String(open))
    if (open) void load()
  })
  root.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !panel.hidden) {
      close()
      toggle.focus()
    }
  })
  /** The unread count alone (one item asked for); the list is read when the menu opens. */
  const count = async (): Promise<void> => {
    if (!panel.hidden) return load()
    try {
      showCount((await call<Listing>('GET', '/api/notifications?unread=true&limit=1')).unread)
    } catch {
      // Signed out or offline: the badge stays as it was until the next refresh.
    }
  }
  // The frame is redrawn on every route: its scope stops this menu's timer and listeners.
  const tick = (): void => void count()
  scope.every(EVERY_MS, () => {
    if (document.visibilityState === 'visible') tick()
  })
  scope.listen(window, REFRESH_EVENT, tick)
  scope.listen(document, 'visibilitychange', () => {
    if (document.visibilityState === 'visible') tick()
  })
  void load()
  return root
}
