// First run: on a server without any account, create the organization and its administrator.

import { anonymous, ApiError } from '../api'
import { h } from '../dom'
import { t } from '../i18n'
import { store, type TokenPair } from '../session'
import { view, type View } from '../view'
import { errorBox, labelled, showError } from './forms'

export function setupView(done: () => void): View {
  const org = labelled(t('organization_name'), { required: true, autocomplete: 'organization', maxlength: '200' })
  const name = labelled(t('your_name'), { required: true, autocomplete: 'name' })
  const email = labelled(t('email'), { type: 'email', required: true, autocomplete: 'username' })
  const password = labelled(t('password'), { type: 'password', required: true, autocomplete: 'new-password', minlength: '8' }, t('password_rule'))
  const repeat = labelled(t('password_repeat'), { type: 'password', required: true, autocomplete: 'new-password' })
  const error = errorBox()
  const submit = h('button', { type: 'submit' }, t('create_organization'))
  const form = h(
    'form',
    {
      class: 'card narrow',
      onsubmit: async (event: Event) => {
        event.preventDefault()
        if (password.input.value !== repeat.input.value) {
          showError(error, t('passwords_differ'))
          repeat.input.focus()
          return
        }
        submit.disabled = true
        try {
          await anonymous('POST', '/api/setup', {
            organization: org.input.value,
            name: name.input.value,
            email: email.input.value,
            password: password.input.value
          })
          store(await anonymous<TokenPair>('POST', '/api/auth/login', { email: email.input.value, password: password.input.value }))
          done()
        } catch (failure) {
          if (!(failure instanceof ApiError)) throw failure
          showError(error, t('error_generic', { message: failure.error }))
          if (failure.status === 403) done() // someone else finished the setup first
        } finally {
          submit.disabled = false
        }
      }
    },
    h('h1', {}, t('setup_title')),
    h('p', {}, t('setup_intro')),
    org.element,
    name.element,
    email.element,
    password.element,
    repeat.element,
    error,
    submit
  )
  queueMicrotask(() => org.input.focus())
  return view(form)
}
