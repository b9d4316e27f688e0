// Sign in with email and password, then a TOTP code when the account has two factors.

import { anonymous, ApiError } from '../api'
import { h } from '../dom'
import { t } from '../i18n'
import { store, type TokenPair } from '../session'
import { view, type View } from '../view'
import { errorBox, labelled, showError } from './forms'

export interface Credentials {
  email: string
  password: string
}

export interface LoginOptions {
  done(): void
  /** The organization requires two factors and this account has none yet. */
  enrol(credentials: Credentials): void
  notice?: string | undefined
}

export function loginView({ done, enrol, notice }: LoginOptions): View {
  const email = labelled(t('email'), { type: 'email', autocomplete: 'username', required: true, name: 'email' })
  const password = labelled(t('password'), { type: 'password', autocomplete: 'current-password', required: true, name: 'password' })
  const code = labelled(t('totp_code'), { autocomplete: 'one-time-code', inputmode: 'numeric', name: 'totp' }, t('totp_hint'))
  code.element.hidden = true
  const error = errorBox()
  const submit = h('button', { type: 'submit' }, t('sign_in'))
  const form = h(
    'form',
    {
      class: 'card narrow',
      onsubmit: async (event: Event) => {
        event.preventDefault()
        showError(error, null)
        submit.disabled = true
        const body: Record<string, string> = { email: email.input.value, password: password.input.value }
        if (!code.element.hidden && code.input.value.trim()) body.totp = code.input.value.replace(/\s/g, '')
        try {
          store(await anonymous<TokenPair>('POST', '/api/auth/login', body))
          done()
        } catch (failure) {
          if (!(failure instanceof ApiError)) throw failure
          if (failure.error === 'totp_required') {
            const again = !code.element.hidden
            code.element.hidden = false
            code.input.focus()
            if (again) showError(error, t('invalid_credentials'))
          } else if (failure.error === 'totp_enrollment_required') {
            enrol({ email: body.email ?? '', password: body.password ?? '' })
          } else if (failure.status === 429) {
            showError(error, t('too_many_attempts', { seconds: failure.retryAfter ?? 60 }))
          } else if (failure.status === 401) {
            showError(error, t('invalid_credentials'))
          } else {
            showError(error, t('error_generic', { message: failure.error }))
          }
        } finally {
          submit.disabled = false
        }
      }
    },
    h('h1', {}, t('sign_in_title')),
    notice ? h('p', { class: 'banner', role: 'status' }, notice) : null,
    email.element,
    password.element,
    code.element,
    error,
    submit
  )
  queueMicrotask(() => email.input.focus())
  return view(form)
}
