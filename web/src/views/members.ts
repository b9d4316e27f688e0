// Members and roles, for admins (`member.manage`): the members of one organization
// (GET /api/orgs/{org}/members), a role changed (PATCH, applied at once to their open editors),
// a member removed (DELETE, after a confirmation), and the invitation form. The server judges
// every change (the last admin cannot leave, for instance) and its refusal is shown as it says it.

import { call, type Me, type Membership } from '../api'
import { h, replaceChildren, uid } from '../dom'
import { t } from '../i18n'
import { failureText, Scope, view, type View } from '../view'
import { adminTabs, chosenOrg } from './admin-nav'
import { confirmAction } from './dialog'
import { errorBox, showError } from './forms'
import { inviteForm } from './invite'
import { pendingInvitations } from './pending-invitations'
import { ROLES, roleText } from './roles'

export interface Member {
  user_id: string
  email: string
  name: string
  role: string
  totp_enabled: boolean
}

export function membersPath(orgId: string): string {
  return `/api/orgs/${encodeURIComponent(orgId)}/members`
}

export function membersView(me: Me, query: URLSearchParams): View | { redirect: string } {
  const found = chosenOrg(me, 'member.manage', query)
  if (!found) return { redirect: '#/invoices' }
  const org: Membership = found // named for the functions below (hoisted, so not narrowed)
  const scope = new Scope()
  const table = h('div', { class: 'table-wrap' })
  const error = errorBox()
  const done = h('p', { class: 'saved', role: 'status' })
  const fetchMembers = scope.latest(() => call<{ items: Member[] }>('GET', membersPath(org.org_id)))

  async function load(): Promise<void> {
    try {
      const { items } = await fetchMembers()
      // The error box is left as is: it may hold the refusal of the change that read this list.
      replaceChildren(table, membersTable(items))
    } catch (failure) {
      showError(error, failureText(failure))
    }
  }

  function membersTable(items: Member[]): HTMLElement {
    return h(
      'table',
      { class: 'admin-table members' },
      h('caption', { class: 'visually-hidden' }, t('admin_members')),
      h(
        'thead',
        {},
        h('tr', {}, ...(['member_name', 'email', 'role', 'member_totp', 'actions'] as const).map((key) => h('th', { scope: 'col' }, t(key))))
      ),
      h('tbody', {}, ...items.map((member) => memberRow(member)))
    )
  }

  function memberRow(member: Member): HTMLElement {
    const who = member.name || member.email
    const select = h(
      'select',
      { id: uid('role'), 'aria-label': t('role_of', { name: who }) },
      ...ROLES.map((r) => h('option', { value: r, selected: r === member.role }, roleText(r)))
    )
    // A button applies the choice: a select alone would send a change per arrow key.
    const apply = h('button', { type: 'button', class: 'secondary', disabled: true }, t('change_role'))
    select.addEventListener('change', () => (apply.disabled = select.value === member.role))
    apply.addEventListener('click', () => void changeRole(member, select, apply))
    const remove = h(
      'button',
      { type: 'button', class: 'secondary danger', onclick: () => void removeMember(member, who) },
      t('remove_member')
    )
    const self = member.user_id === me.id
    return h(
      'tr',
      { 'data-user': member.email },
      h('th', { scope: 'row', 'data-label': t('member_name') }, who, self ? h('span', { class: 'muted' }, ` (${t('you')})`) : null),
      h('td', { 'data-label': t('email') }, member.email),
      h('td', { 'data-label': t('role') }, h('div', { class: 'role-row' }, select, apply)),
      h('td', { 'data-label': t('member_totp') }, member.totp_enabled ? t('totp_yes') : t('totp_no')),
      h('td', { 'data-label': t('actions') }, remove)
    )
  }

  async function changeRole(member: Member, select: HTMLSelectElement, apply: HTMLButtonElement): Promise<void> {
    apply.disabled = true
    done.textContent = ''
    showError(error, null)
    try {
      const changed = await call<Member>('PATCH', `${membersPath(org.org_id)}/${encodeURIComponent(member.user_id)}`, { role: select.value })
      done.textContent = t('role_changed', { name: changed.name || changed.email, role: roleText(changed.role) })
    } catch (failure) {
      showError(error, failureText(failure))
    }
    await load()
  }

  async function removeMember(member: Member, who: string): Promise<void> {
    const removed = await confirmAction({
      title: t('remove_member_title', { name: who }),
      text: t('remove_member_text', { name: who, org: org.org_name }),
      confirm: t('remove_member'),
      danger: true,
      run: () => call('DELETE', `${membersPath(org.org_id)}/${encodeURIComponent(member.user_id)}`)
    })
    if (!removed) return
    done.textContent = t('member_removed', { name: who })
    await load()
  }

  const pending = pendingInvitations(org.org_id)
  void load()
  void pending.load()
  return view(
    h(
      'section',
      { class: 'admin members-page' },
      h('h1', {}, t('members_title', { org: org.org_name })),
      adminTabs(me, org, 'admin/members'),
      error,
      done,
      table,
      inviteForm(org.org_id, () => void pending.load()),
      pending.element
    ),
    scope
  )
}
