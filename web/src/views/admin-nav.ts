// What the administration pages share: which of the person's organizations a page is about
// (`?org=` when they administer several) and the tabs between the pages. Each page asks the
// server anyway; this only decides what to offer, from the capabilities of `/api/me`.

import type { Me, Membership } from '../api'
import { h } from '../dom'
import { t, type Key } from '../i18n'

/** An administration page: its address (after `#/`), its tab's label, the capability it needs. */
interface AdminPage {
  path: string
  label: Key
  capability: string
}

export const ADMIN_PAGES: readonly AdminPage[] = [
  { path: 'admin/members', label: 'admin_members', capability: 'member.manage' },
  { path: 'admin/audit', label: 'admin_audit', capability: 'member.manage' },
  { path: 'admin/security', label: 'admin_security', capability: 'member.manage' },
  { path: 'admin/tokens', label: 'api_tokens', capability: 'token.manage' },
  { path: 'admin/chat', label: 'chat_channels', capability: 'org.settings' },
  { path: 'admin/webhooks', label: 'webhooks', capability: 'org.settings' },
  { path: 'settings/profile', label: 'seller_profile', capability: 'org.settings' },
  { path: 'settings/reminders', label: 'reminder_settings', capability: 'payment.manage' },
  { path: 'settings/accounting', label: 'accounting', capability: 'accounting.export' },
  { path: 'admin/outbox', label: 'outbox', capability: 'org.settings' }
]

/** The getting-paid pages (issue 16): what is owed, bank reconciliation, recurring schedules,
 * reminders, the outbox. */
export const PAID_PAGES: readonly AdminPage[] = [
  { path: 'receivables', label: 'receivables', capability: 'invoice.read' },
  { path: 'reconciliation', label: 'reconciliation', capability: 'payment.manage' },
  { path: 'recurring', label: 'recurring', capability: 'invoice.read' },
  { path: 'settings/reminders', label: 'reminder_settings', capability: 'payment.manage' },
  { path: 'settings/accounting', label: 'accounting', capability: 'accounting.export' },
  { path: 'admin/outbox', label: 'outbox', capability: 'org.settings' }
]

/** The memberships whose role has `capability`. */
export function orgsWith(me: Me, capability: string): Membership[] {
  return me.memberships.filter((m) => m.capabilities.includes(capability))
}

/** The organization `?org=` names among those where the person has `capability`, else the
 * first of them; undefined when they have it nowhere (the page then sends them home). */
export function chosenOrg(me: Me, capability: string, query: URLSearchParams): Membership | undefined {
  const allowed = orgsWith(me, capability)
  return allowed.find((m) => m.org_id === query.get('org')) ?? allowed[0]
}

function withOrg(path: string, org: Membership): string {
  return `#/${path}?org=${encodeURIComponent(org.org_id)}`
}

/** The tabs between the administration pages the person may open for `org`, `current` marked. */
export function adminTabs(me: Me, org: Membership, current: string, list: readonly AdminPage[] = ADMIN_PAGES, label: Key = 'administration'): HTMLElement {
  const pages = list.filter((page) => org.capabilities.includes(page.capability))
  return h(
    'nav',
    { class: 'admin-tabs', 'aria-label': t(label) },
    ...pages.map((page) => h('a', { href: withOrg(page.path, org), 'aria-current': page.path === current ? 'page' : null }, t(page.label))),
    orgSwitch(me, org, current, list)
  )
}

/** The tabs between the getting-paid pages. */
export function paidTabs(me: Me, org: Membership, current: string): HTMLElement {
  return adminTabs(me, org, current, PAID_PAGES, 'getting_paid')
}

/** Links to the same page for the person's other organizations (none when there is one). */
function orgSwitch(me: Me, org: Membership, current: string, list: readonly AdminPage[]): HTMLElement | null {
  const page = list.find((p) => p.path === current)
  const others = page ? orgsWith(me, page.capability).filter((m) => m.org_id !== org.org_id) : []
  if (!others.length) return null
  return h(
    'span',
    { class: 'org-switch' },
    `${t('other_organizations')}: `,
    ...others.flatMap((m, index) => [index ? ', ' : '', h('a', { href: withOrg(current, m) }, m.org_name)])
  )
}
