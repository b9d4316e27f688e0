// Joining an organization. The link an admin hands over (`#/invitation?token=...`) opens a form:
// a new person chooses their password, someone with an account gives theirs
// (POST /api/auth/accept-invitation {token, password}); then they are signed in. A signed-in
// person also sees their pending invitations here (GET /api/me/invitations), to accept or decline.

import { anonymous, ApiError, call, type Me } from '../api'
import { h, replaceChildren } from '../dom'
import { t } from '../i18n'
import { store, type TokenPair } from '../session'
import { failureText, Scope, view, type View } from '../view'
import { formatDate } from '../format'
import { errorBox, labelled, showError } from './forms'
import { roleText } from './roles'

interface MyInvitation {
  id: string
  org_id: string
  org_name: string
  role: string
  expires_at: string
}

export interface InvitationOptions {
  me: Me | null
  token: string | null
  /** Signed in after accepting: go on to the app. */
  signedIn(): void
  /** The person's memberships changed: show the page again with a fresh `/api/me`. */
  changed(): void
}

export function invitationView(options: InvitationOptions): View | { redirect: string } {
  const { me, token } = options
  if (!me && !token) return { redirect: '#/login' }
  const scope = new Scope()
  const parts: HTMLElement[] = [h('h1', {}, t('invitation_title'))]
  if (token) parts.push(tokenForm(options, token))
  if (me) parts.push(pendingInvitations(scope, options.changed))
  return view(h('section', { class: 'invitation-page' }, ...parts), scope)
}

function tokenForm({ me, signedIn, changed }: InvitationOptions, token: string): HTMLElement {
  // The token does not say which email it was for, and signing in needs it.
  const email = me ? null : labelled(t('email'), { type: 'email', required: true, autocomplete: 'username', name: 'email' }, t('invitation_email_hint'))
  const password = labelled(t('password'), { type: 'password', required: true, autocomplete: 'new-password', name: 'password' }, t('invitation_password_hint'))
  const error = errorBox()
  const outcome = h('p', { class: 'saved', role: 'status' })
  const submit = h('button', { type: 'submit', class: 'primary' }, t('accept_invitation'))
  const form = h(
    'form',
    {
      class: 'card narrow',
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault()
        showError(error, null)
        submit.disabled = true
        try {
          await anonymous('POST', '/api/auth/accept-invitation', { token, password: password.input.value })
        } catch (failure) {
          submit.disabled = false
          showError(error, failureText(failure))
          password.input.focus()
          return
        }
        form.querySelectorAll('input').forEach((input) => (input.disabled = true))
        if (me) {
          changed()
          return
        }
        try {
          store(await anonymous<TokenPair>('POST', '/api/auth/login', { email: email?.input.value.trim() ?? '', password: password.input.value }))
          signedIn()
        } catch (failure) {
          // Accepted, but the sign-in needs more (a second factor) or the email was mistyped.
          const why = failure instanceof ApiError && failure.status === 401 ? '' : ` ${failureText(failure)}`
          replaceChildren(outcome, `${t('invitation_accepted_sign_in')}${why} `, h('a', { href: '#/login' }, t('sign_in')))
        }
      }
    },
    h('h2', {}, t('invitation_accept_title')),
    h('p', {}, me ? t('invitation_intro_signed_in') : t('invitation_intro')),
    email?.element,
    password.element,
    error,
    submit,
    outcome
  )
  queueMicrotask(() => (email ?? password).input.focus())
  return form
}

function pendingInvitations(scope: Scope, changed: () => void): HTMLElement {
  const list = h('ul', { class: 'my-invitations' })
  const error = errorBox()
  const fetchMine = scope.latest(() => call<{ items: MyInvitation[] }>('GET', '/api/me/invitations'))

  async function answer(invitation: MyInvitation, verb: 'accept' | 'decline'): Promise<void> {
    try {
      await call('POST', `/api/me/invitations/${encodeURIComponent(invitation.id)}/${verb}`)
      if (verb === 'accept') changed()
      else await load()
    } catch (failure) {
      showError(error, failureText(failure))
    }
  }

  async function load(): Promise<void> {
    try {
      const { items } = await fetchMine()
      showError(error, null)
      replaceChildren(
        list,
        ...(items.length
          ? items.map((invitation) =>
              h(
                'li',
                { 'data-org': invitation.org_name },
                h('span', {}, t('invitation_item', { org: invitation.org_name, role: roleText(invitation.role), date: formatDate(invitation.expires_at.slice(0, 10)) })),
                h('button', { type: 'button', class: 'primary', onclick: () => void answer(invitation, 'accept') }, t('accept')),
                h('button', { type: 'button', class: 'secondary', onclick: () => void answer(invitation, 'decline') }, t('decline'))
              )
            )
          : [h('li', { class: 'muted' }, t('no_invitations'))])
      )
    } catch (failure) {
      showError(error, failureText(failure))
    }
  }

  void load()
  return h('div', { class: 'card' }, h('h2', {}, t('my_invitations')), error, list)
}
