// The organization's pending invitations (GET /api/orgs/{org}/invitations, never their tokens),
// each with a button to withdraw it (DELETE: its link stops working at once). Inviting the same
// email again replaces its invitation; the server says so in the list by showing one.

import { call } from '../api'
import { h, replaceChildren } from '../dom'
import { formatDate } from '../format'
import { t } from '../i18n'
import { failureText } from '../view'
import { confirmAction } from './dialog'
import { errorBox, showError } from './forms'
import { roleText } from './roles'

interface Pending {
  id: string
  email: string
  role: string
  created_at: string
  expires_at: string
}

export interface PendingList {
  element: HTMLElement
  load(): Promise<void>
}

export function pendingInvitations(orgId: string): PendingList {
  const path = `/api/orgs/${encodeURIComponent(orgId)}/invitations`
  const list = h('ul', { class: 'pending-invitations', 'data-testid': 'pending-invitations' })
  const error = errorBox()
  const element = h('section', { class: 'pending' }, h('h2', {}, t('pending_invitations')), error, list, h('p', { class: 'hint' }, t('pending_invitations_hint')))

  async function load(): Promise<void> {
    try {
      const { items } = await call<{ items: Pending[] }>('GET', path)
      replaceChildren(list, ...(items.length ? items.map(row) : [h('li', { class: 'muted' }, t('no_pending_invitations'))]))
    } catch (failure) {
      showError(error, failureText(failure))
    }
  }

  function row(invitation: Pending): HTMLElement {
    const withdraw = h(
      'button',
      { type: 'button', class: 'secondary danger', 'aria-label': t('withdraw_invitation_of', { email: invitation.email }) },
      t('withdraw_invitation')
    )
    withdraw.addEventListener('click', () => void remove(invitation))
    return h(
      'li',
      { 'data-email': invitation.email },
      h('span', {}, `${invitation.email} · ${roleText(invitation.role)} · ${t('invitation_expires', { date: formatDate(invitation.expires_at.slice(0, 10)) })}`),
      withdraw
    )
  }

  async function remove(invitation: Pending): Promise<void> {
    const done = await confirmAction({
      title: t('withdraw_invitation_title', { email: invitation.email }),
      text: t('withdraw_invitation_text'),
      confirm: t('withdraw_invitation'),
      danger: true,
      run: () => call('DELETE', `${path}/${encodeURIComponent(invitation.id)}`)
    })
    if (done) await load()
  }

  return { element, load }
}
