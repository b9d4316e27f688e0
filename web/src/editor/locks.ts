// Per-field locks (docs/protocol.md, "Per-field locks"): focusing a field takes its lock, which
// is renewed while the field is focused and released on blur; fields someone else holds show
// the holder and are read-only; an admin can break a lock. The server's `locks` notice (the
// full list) is the only source of truth: nothing here guesses who holds what.

import { h } from '../dom'
import { t } from '../i18n'
import type { Notice } from './live'

/** Renew a held lock this often (the lease is 30 s). */
export const RENEW_MS = 10_000
/** While typing, renew at most this often. */
const RENEW_TYPING_MS = 5_000

export interface Holder {
  id: string
  name: string
  color: string
}

export interface FieldLock {
  path: string
  user: Holder
  expires_in: number
}

/** Equal paths, or `field` below `lock` at a `.` boundary (a line lock covers its fields). */
export function covers(lock: string, field: string): boolean {
  return lock === field || field.startsWith(lock + '.')
}

/** The row a path belongs to (`lines.<id>...` or `adjustments.<id>...` → `<id>`), or null. */
export function lineOf(path: string): string | null {
  const [root, id] = path.split('.')
  return (root === 'lines' || root === 'adjustments') && id ? id : null
}

function isHolder(value: unknown): value is Holder {
  const v = value as Partial<Holder> | null
  return typeof v === 'object' && v !== null && typeof v.id === 'string' && typeof v.name === 'string'
}

/** The `locks` notice's list, keeping only well-formed entries. */
export function parseLocks(notice: Notice): FieldLock[] {
  const list = Array.isArray(notice.locks) ? (notice.locks as unknown[]) : []
  return list.flatMap((item) => {
    const lock = item as Partial<FieldLock> | null
    if (!lock || typeof lock.path !== 'string' || !isHolder(lock.user)) return []
    return [{ path: lock.path, user: { ...lock.user, color: lock.user.color || '#475569' }, expires_in: Number(lock.expires_in) || 0 }]
  })
}

export interface LockHost {
  /** The signed-in user's id: their own locks (in any tab) never block them. */
  me: string
  /** True when this user may edit (only then are locks taken). */
  canEdit(): boolean
  /** True when this user may break others' locks (capability `lock.break`). */
  canBreak: boolean
  send(body: Notice): boolean
  toast(text: string, kind?: string): void
  /** Lines (and allowances or charges) whose deletion or move someone else's lock is in the way of. */
  blockLines(ids: Set<string>): void
}

export class FieldLocks {
  private locks: FieldLock[] = []
  private focused: string | null = null
  /** Paths whose `lock` was refused: read-only until the next `locks` list. */
  private refused = new Set<string>()
  private held: string | null = null
  /** The server's list has shown `held` as ours (so its absence later means it was lost). */
  private confirmed = false
  /** A field whose lock was broken or expired while focused: not taken again until re-focused. */
  private yielded: string | null = null
  private lastSent = 0
  private readonly timer: number
  private readonly onInput = (event: Event): void => {
    const path = (event.target as HTMLElement | null)?.dataset?.path
    if (path && path === this.focused && path !== this.yielded && Date.now() - this.lastSent > RENEW_TYPING_MS) this.take()
  }

  constructor(
    private readonly root: HTMLElement,
    private readonly host: LockHost
  ) {
    this.timer = window.setInterval(() => {
      if (this.focused && this.held === this.focused) this.take()
    }, RENEW_MS)
    root.addEventListener('input', this.onInput)
  }

  /** The lock of another user in the way of `path`, if any. */
  blocking(path: string): FieldLock | null {
    return this.locks.find((lock) => lock.user.id !== this.host.me && covers(lock.path, path)) ?? null
  }

  /** A field got (path) or lost (null) the focus. */
  focus(path: string | null): void {
    if (path === this.focused) return
    if (this.focused && this.held === this.focused) this.host.send({ type: 'unlock', path: this.focused })
    this.held = null
    this.confirmed = false
    this.yielded = null
    this.focused = path
    if (path && this.host.canEdit() && !this.blocking(path) && !this.refused.has(path)) this.take()
  }

  /** A (re)connection is synced: locks died with the old connection, take the focused one again. */
  connected(): void {
    this.held = null
    this.confirmed = false
    if (this.focused && this.host.canEdit() && !this.blocking(this.focused)) this.take()
  }

  /** The connection is gone: what the server holds is unknown until it sends the list again. */
  disconnected(): void {
    this.held = null
    this.confirmed = false
    if (this.locks.length === 0 && this.refused.size === 0) return
    this.locks = []
    this.refused.clear()
    this.apply()
  }

  /** Handle `locks` and `lock_refused`; false for other notices. */
  notice(notice: Notice): boolean {
    if (notice.type === 'locks') {
      this.locks = parseLocks(notice)
      this.refused.clear()
      const mine = this.focused ? this.locks.find((lock) => lock.user.id === this.host.me && lock.path === this.focused) : undefined
      if (mine) this.confirmed = true
      else if (this.held && this.confirmed) {
        // Ours a moment ago, gone now: an admin broke it (or it expired). Do not fight for it.
        this.yielded = this.held
        this.held = null
        this.confirmed = false
        this.host.toast(t('lock_lost'))
      }
      // Released while this person waited in the field: take it now.
      const waiting = this.focused && !this.held && this.focused !== this.yielded
      if (waiting && this.host.canEdit() && !this.blocking(this.focused!)) this.take()
      this.apply()
      return true
    }
    if (notice.type === 'lock_refused') {
      const path = typeof notice.path === 'string' ? notice.path : ''
      const holder = isHolder(notice.held_by) ? notice.held_by : null
      if (path) this.refused.add(path)
      if (path === this.held) this.held = null
      this.host.toast(holder ? t('lock_refused', { name: holder.name }) : t('lock_refused_reason', { reason: String(notice.reason ?? '') }), 'error')
      this.apply()
      return true
    }
    return false
  }

  /** Show the lock state on the fields and line buttons (again after the form changed). */
  apply(): void {
    const blockedLines = new Set<string>()
    for (const lock of this.locks) {
      const line = lock.user.id !== this.host.me ? lineOf(lock.path) : null
      if (line) blockedLines.add(line)
    }
    this.host.blockLines(blockedLines)
    this.root.querySelectorAll<HTMLElement>('.field[data-field]').forEach((element) => {
      const path = element.dataset.field ?? ''
      const lock = this.blocking(path)
      this.show(element, path, lock, lock === null && this.refused.has(path))
    })
  }

  destroy(): void {
    window.clearInterval(this.timer)
    this.root.removeEventListener('input', this.onInput)
    if (this.focused && this.held === this.focused) this.host.send({ type: 'unlock', path: this.focused })
  }

  private take(): void {
    if (!this.focused) return
    if (this.host.send({ type: 'lock', path: this.focused })) {
      this.lastSent = Date.now()
      this.held = this.focused
    }
  }

  private show(element: HTMLElement, path: string, lock: FieldLock | null, refused: boolean): void {
    const input = element.querySelector<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>('[data-path]')
    const locked = lock !== null || refused
    const was = element.classList.contains('locked')
    let badge = element.querySelector<HTMLElement>('.lock-badge')
    if (!locked) {
      if (!was) return
      element.classList.remove('locked')
      element.style.removeProperty('--lock')
      element.removeAttribute('title')
      badge?.remove()
      if (input) setLocked(input, false, this.host.canEdit())
      return
    }
    const key = lock ? `${lock.path}\u0000${lock.user.id}` : 'refused'
    if (was && badge?.dataset.key === key) return
    element.classList.add('locked')
    element.style.setProperty('--lock', lock?.user.color ?? '#475569') // CSSOM: allowed by the CSP
    badge?.remove()
    const id = `${input?.id ?? path}-lock`
    const text = lock ? t('locked_by', { name: lock.user.name }) : t('locked')
    badge = h(
      'span',
      { class: 'lock-badge', id, 'data-key': key, 'data-holder': lock?.user.name ?? '' },
      padlock(),
      lock ? h('span', { 'aria-hidden': 'true', class: 'holder-name' }, lock.user.name) : null,
      h('span', { class: 'visually-hidden' }, text),
      lock && this.host.canBreak
        ? h(
            'button',
            {
              type: 'button',
              class: 'break-lock',
              'aria-label': t('break_lock_of', { name: lock.user.name }),
              onclick: () => this.host.send({ type: 'break_lock', path: lock.path })
            },
            t('break_lock')
          )
        : null
    )
    element.title = text
    // Above the input, in the flow, wrapping when the field is narrow: the holder's name is
    // always there to read (a badge drawn over a narrow field cut it, or hid it behind
    // "Break lock").
    element.querySelector('.control')?.before(badge)
    if (input) {
      setLocked(input, true, this.host.canEdit())
      const described = (input.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && !x.endsWith('-lock'))
      input.setAttribute('aria-describedby', [...described, id].join(' '))
    }
  }
}

/** A small padlock drawn in SVG (an emoji may have no glyph in the user's fonts). */
function padlock(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg'
  const svg = document.createElementNS(ns, 'svg')
  svg.setAttribute('viewBox', '0 0 12 14')
  svg.setAttribute('width', '9')
  svg.setAttribute('height', '11')
  svg.setAttribute('aria-hidden', 'true')
  svg.setAttribute('class', 'padlock')
  const shackle = document.createElementNS(ns, 'path')
  shackle.setAttribute('d', 'M3 6V4a3 3 0 0 1 6 0v2')
  shackle.setAttribute('fill', 'none')
  shackle.setAttribute('stroke', 'currentColor')
  shackle.setAttribute('stroke-width', '1.8')
  const body = document.createElementNS(ns, 'rect')
  body.setAttribute('x', '1')
  body.setAttribute('y', '6')
  body.setAttribute('width', '10')
  body.setAttribute('height', '8')
  body.setAttribute('rx', '1.5')
  body.setAttribute('fill', 'currentColor')
  svg.append(shackle, body)
  return svg
}

function setLocked(input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, locked: boolean, canEdit: boolean): void {
  if (input instanceof HTMLSelectElement) input.disabled = locked || !canEdit
  else input.readOnly = locked || !canEdit // a commenter's text areas stay read-only
  if (!locked) {
    const described = (input.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && !x.endsWith('-lock'))
    input.setAttribute('aria-describedby', described.join(' '))
  }
}
