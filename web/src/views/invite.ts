// Inviting someone into an organization (POST /api/orgs/{org}/members {email, role, name?}).
// Nobody becomes a member without consent: the server answers an invitation token, and since no
// e-mail is sent yet the admin hands the acceptance link over themselves; the page says so.

import { ApiError, call } from '../api'
import { h, uid } from '../dom'
import { t } from '../i18n'
import { failureText } from '../view'
import { errorBox, showError } from './forms'
import { ROLES, roleText } from './roles'

interface InvitationSent {
  email: string
  role: string
  invitation_token: string
  expires_in: number
}

/** The link the invited person opens: the acceptance page of this very app. */
export function invitationLink(token: string): string {
  return `${location.origin}${location.pathname}#/invitation?token=${encodeURIComponent(token)}`
}

/** The invitation form of `orgId`; `invited()` runs after each invitation the server made. */
export function inviteForm(orgId: string, invited: () => void): HTMLElement {
  const field = (label: string, control: HTMLInputElement | HTMLSelectElement, name: string): { element: HTMLElement; issue: HTMLElement } => {
    const issue = h('p', { class: 'issue', id: `${control.id}-issue` })
    control.setAttribute('aria-describedby', issue.id)
    return { element: h('div', { class: 'field', 'data-field': name }, h('label', { for: control.id }, label), control, issue), issue }
  }
  const email = h('input', { id: uid('inv'), type: 'email', name: 'email', required: true, autocomplete: 'off', maxlength: '320' })
  const name = h('input', { id: uid('inv'), type: 'text', name: 'name', autocomplete: 'off', maxlength: '200' })
  const role = h('select', { id: uid('inv'), name: 'role' }, ...ROLES.map((r) => h('option', { value: r, selected: r === 'editor' }, roleText(r))))
  const fields = { email: field(t('email'), email, 'email'), name: field(t('invite_name'), name, 'name'), role: field(t('role'), role, 'role') }
  const error = errorBox()
  const submit = h('button', { type: 'submit', class: 'primary' }, t('invite'))
  const result = h('div', { class: 'invitation-made', role: 'status' })

  function showDetails(failure: unknown): void {
    for (const { element, issue } of Object.values(fields)) {
      issue.textContent = ''
      element.classList.remove('invalid')
      element.querySelector('input, select')?.removeAttribute('aria-invalid')
    }
    const details = failure instanceof ApiError ? failure.details : []
    for (const detail of details) {
      const target = fields[detail.path as keyof typeof fields]
      if (!target) continue
      target.issue.textContent = detail.message
      target.element.classList.add('invalid')
      target.element.querySelector('input, select')?.setAttribute('aria-invalid', 'true')
    }
  }

  function showLink(sent: InvitationSent): void {
    const link = h('input', { id: uid('inv'), type: 'text', readonly: true, value: invitationLink(sent.invitation_token), 'data-testid': 'invitation-link' })
    const copied = h('span', { class: 'saved' })
    const copy = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: async () => {
          link.select()
          try {
            await navigator.clipboard.writeText(link.value)
            copied.textContent = t('copied')
          } catch {
            copied.textContent = t('copy_by_hand') // no clipboard (plain http): the text is selected
          }
        }
      },
      t('copy_link')
    )
    result.replaceChildren(
      h('p', { class: 'strong' }, t('invitation_made', { email: sent.email, role: roleText(sent.role), days: Math.round(sent.expires_in / 86400) })),
      h('p', { class: 'hint warn' }, t('invitation_no_email')),
      h('div', { class: 'field' }, h('label', { for: link.id }, t('invitation_link')), h('div', { class: 'copy-row' }, link, copy, copied))
    )
  }

  return h(
    'form',
    {
      class: 'card invite-form',
      novalidate: true,
      'aria-labelledby': 'invite-title',
      onsubmit: async (event: Event) => {
        event.preventDefault()
        submit.disabled = true
        result.replaceChildren()
        const body: Record<string, string> = { email: email.value.trim(), role: role.value }
        if (name.value.trim()) body.name = name.value.trim()
        try {
          const sent = await call<InvitationSent>('POST', `/api/orgs/${encodeURIComponent(orgId)}/members`, body)
          showDetails(null)
          showError(error, null)
          showLink(sent)
          email.value = ''
          name.value = ''
          invited()
        } catch (failure) {
          showDetails(failure)
          showError(error, failureText(failure))
        } finally {
          submit.disabled = false
        }
      }
    },
    h('h2', { id: 'invite-title' }, t('invite_title')),
    h('p', { class: 'hint' }, t('invite_intro')),
    h('div', { class: 'invite-grid' }, fields.email.element, fields.name.element, fields.role.element),
    error,
    h('div', { class: 'form-actions' }, submit),
    result
  )
}
