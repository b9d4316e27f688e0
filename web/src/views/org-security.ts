// The organization's two-factor policy, for admins (`member.manage`): GET|PATCH
// /api/orgs/{org}/security {require_totp}. Turned on, members without a second factor (the admin
// included) reach this organization only once they set one up, so the page names them first.

import { call, type Me } from '../api'
import { h, uid } from '../dom'
import { t } from '../i18n'
import { failureText, view, type View } from '../view'
import { adminTabs, chosenOrg } from './admin-nav'
import { errorBox, showError } from './forms'
import { membersPath, type Member } from './members'

interface Policy {
  require_totp: boolean
}

export async function orgSecurityView(me: Me, query: URLSearchParams): Promise<View | { redirect: string }> {
  const org = chosenOrg(me, 'member.manage', query)
  if (!org) return { redirect: '#/invoices' }
  const path = `/api/orgs/${encodeURIComponent(org.org_id)}/security`
  const [stored, members] = await Promise.all([call<Policy>('GET', path), call<{ items: Member[] }>('GET', membersPath(org.org_id))])
  const without = members.items.filter((m) => !m.totp_enabled)
  const box = h('input', { type: 'checkbox', id: uid('sec'), name: 'require_totp', checked: stored.require_totp })
  const error = errorBox()
  const saved = h('p', { class: 'saved', role: 'status' })
  const save = h('button', { type: 'submit', class: 'primary' }, t('save'))
  const form = h(
    'form',
    {
      class: 'card org-security',
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault()
        save.disabled = true
        saved.textContent = ''
        try {
          const answer = await call<Policy>('PATCH', path, { require_totp: box.checked })
          box.checked = answer.require_totp
          showError(error, null)
          saved.textContent = answer.require_totp ? t('require_totp_saved_on') : t('require_totp_saved_off')
        } catch (failure) {
          showError(error, failureText(failure))
        } finally {
          save.disabled = false
        }
      }
    },
    h('div', { class: 'field check' }, box, h('label', { for: box.id }, t('require_totp'))),
    h('p', { class: 'hint' }, t('require_totp_hint')),
    me.totp_enabled ? null : h('p', { class: 'hint warn', 'data-testid': 'totp-self-warning' }, t('require_totp_self'), ' ', h('a', { href: '#/security' }, t('security'))),
    without.length
      ? h(
          'div',
          { class: 'without-totp' },
          h('p', {}, t('members_without_totp', { count: without.length })),
          h('ul', {}, ...without.map((m) => h('li', {}, m.name ? `${m.name} <${m.email}>` : m.email)))
        )
      : h('p', {}, t('members_all_totp')),
    error,
    h('div', { class: 'form-actions' }, save, saved)
  )
  return view(
    h('section', { class: 'admin org-security-page' }, h('h1', {}, t('org_security_title', { org: org.org_name })), adminTabs(me, org, 'admin/security'), form)
  )
}
