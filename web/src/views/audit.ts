// The organization's audit log, for admins (`member.manage`): the newest events
// (GET /api/orgs/{org}/audit?limit=N) with who did what to whom, and "Verify the chain"
// (GET /api/orgs/{org}/audit/verify), the server's walk of the hash chain: intact, or where it
// breaks. Actors and targets are user ids; the members' list names the ones still members.

import { call, type Me, type Membership } from '../api'
import { h, replaceChildren, uid } from '../dom'
import { locale, t } from '../i18n'
import { failureText, Scope, view, type View } from '../view'
import { adminTabs, chosenOrg } from './admin-nav'
import { errorBox, showError } from './forms'
import { membersPath, type Member } from './members'

interface AuditEvent {
  id: number
  at: string
  event: string
  actor_id: string | null
  target: string | null
  ip: string | null
  detail: string | null
}

interface Verification {
  ok: boolean
  entries: number
  head_hash: string
  first_broken?: { position: number; id: number; reason: string } | null
}

const LIMITS = [50, 100, 500, 1000]

function formatTime(iso: string): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso))
}

export function auditView(me: Me, query: URLSearchParams): View | { redirect: string } {
  const found = chosenOrg(me, 'member.manage', query)
  if (!found) return { redirect: '#/invoices' }
  const org: Membership = found // named for the functions below (hoisted, so not narrowed)
  const scope = new Scope()
  const base = `/api/orgs/${encodeURIComponent(org.org_id)}/audit`
  const limit = h('select', { id: uid('audit') }, ...LIMITS.map((n) => h('option', { value: String(n), selected: n === 100 }, String(n))))
  const table = h('div', { class: 'table-wrap' })
  const error = errorBox()
  const verdict = h('p', { class: 'verdict', role: 'status', 'data-testid': 'audit-verdict' })
  const verify = h('button', { type: 'button', class: 'secondary' }, t('audit_verify'))
  const fetchPage = scope.latest((n: string) => Promise.all([call<{ items: AuditEvent[] }>('GET', `${base}?limit=${n}`), names()]))

  // Who the ids are: the members today (a former member stays an id).
  async function names(): Promise<Map<string, string>> {
    try {
      const { items } = await call<{ items: Member[] }>('GET', membersPath(org.org_id))
      return new Map(items.map((m) => [m.user_id, m.name ? `${m.name} <${m.email}>` : m.email]))
    } catch {
      return new Map()
    }
  }

  async function load(): Promise<void> {
    try {
      const [{ items }, named] = await fetchPage(limit.value)
      replaceChildren(table, items.length ? eventsTable(items, named) : h('p', { class: 'empty' }, t('audit_empty')))
      showError(error, null)
    } catch (failure) {
      showError(error, failureText(failure))
    }
  }

  function eventsTable(items: AuditEvent[], named: Map<string, string>): HTMLElement {
    const who = (id: string | null): string => (id ? (named.get(id) ?? id) : '')
    const columns = ['audit_time', 'audit_event', 'audit_actor', 'audit_target', 'audit_detail'] as const
    return h(
      'table',
      { class: 'admin-table audit' },
      h('caption', { class: 'visually-hidden' }, t('admin_audit')),
      h('thead', {}, h('tr', {}, ...columns.map((key) => h('th', { scope: 'col' }, t(key))))),
      h(
        'tbody',
        {},
        ...items.map((event) =>
          h(
            'tr',
            { 'data-event': event.event },
            h('td', { 'data-label': t('audit_time') }, h('time', { datetime: event.at }, formatTime(event.at))),
            h('th', { scope: 'row', 'data-label': t('audit_event') }, h('code', {}, event.event)),
            h('td', { 'data-label': t('audit_actor') }, who(event.actor_id), event.ip ? h('span', { class: 'muted' }, ` (${event.ip})`) : null),
            h('td', { 'data-label': t('audit_target') }, who(event.target)),
            h('td', { class: 'detail', 'data-label': t('audit_detail') }, event.detail ?? '')
          )
        )
      )
    )
  }

  verify.addEventListener('click', async () => {
    verify.disabled = true
    verdict.textContent = t('audit_verifying')
    verdict.className = 'verdict'
    try {
      const found = await call<Verification>('GET', `${base}/verify`)
      const broken = found.first_broken
      verdict.textContent = found.ok || !broken
        ? t('audit_chain_ok', { count: found.entries, hash: found.head_hash.slice(0, 16) })
        : t('audit_chain_broken', { position: broken.position, id: broken.id, reason: broken.reason })
      verdict.classList.add(found.ok ? 'ok' : 'broken')
    } catch (failure) {
      verdict.textContent = failureText(failure)
      verdict.classList.add('broken')
    } finally {
      verify.disabled = false
    }
  })
  limit.addEventListener('change', () => void load())
  void load()
  return view(
    h(
      'section',
      { class: 'admin audit-page' },
      h('h1', {}, t('audit_title', { org: org.org_name })),
      adminTabs(me, org, 'admin/audit'),
      h('p', { class: 'hint' }, t('audit_intro')),
      h(
        'div',
        { class: 'audit-tools' },
        h('div', { class: 'filter' }, h('label', { for: limit.id }, t('audit_limit')), limit),
        h('button', { type: 'button', class: 'secondary', onclick: () => void load() }, t('refresh')),
        verify
      ),
      verdict,
      error,
      table
    ),
    scope
  )
}
