// A person's own notification settings (`#/settings/notifications`): which kinds they get by
// e-mail and in which language (PUT /api/me/notification-settings; mentions by default), and
// their own Slack or Teams webhooks for what concerns them (chat-channels.ts).

import { call } from '../api'
import { h, uid } from '../dom'
import { t } from '../i18n'
import { failureText, view, type View } from '../view'
import { channelsPanel, kindLabel, type Kind } from './chat-channels'
import { errorBox, showError } from './forms'

interface Settings {
  language: 'en' | 'fr'
  email: Kind[]
  kinds: Kind[]
}

const PATH = '/api/me/notification-settings'

export async function notificationSettingsView(): Promise<View> {
  const [found, channels] = await Promise.all([call<Settings>('GET', PATH), channelsPanel('/api/me/chat-channels', t('chat_url_hint'))])
  const language = h('select', { id: uid('lang'), name: 'language' }, h('option', { value: 'en' }, 'English'), h('option', { value: 'fr' }, 'Français'))
  language.value = found.language
  const boxes = found.kinds.map((kind) => h('input', { type: 'checkbox', id: uid('mail'), value: kind, checked: found.email.includes(kind) }))
  const error = errorBox()
  const saved = h('p', { class: 'saved', role: 'status' })
  const form = h(
    'form',
    {
      class: 'card notification-settings',
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault()
        try {
          await call('PUT', PATH, { language: language.value, email: boxes.filter((b) => b.checked).map((b) => b.value) })
          showError(error, null)
          saved.textContent = t('chat_saved')
        } catch (failure) {
          showError(error, failureText(failure))
        }
      }
    },
    h('h2', {}, t('notify_email_title')),
    h('fieldset', {}, h('legend', {}, t('notify_email_kinds')), ...boxes.map((box) => h('span', { class: 'check' }, box, h('label', { for: box.id }, kindLabel(box.value as Kind))))),
    h('div', { class: 'field' }, h('label', { for: language.id }, t('notify_language')), language),
    error,
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, t('save')), saved)
  )
  return view(h('section', { class: 'notification-settings-page' }, h('h1', {}, t('notify_title')), form, h('h2', {}, t('notify_own_channels')), channels))
}
