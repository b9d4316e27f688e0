// Slack and Microsoft Teams channels (docs/integrations.md): the organization's, for admins
// (`#/admin/chat`, `org.settings`), and a person's own with their e-mail choices
// (`#/settings/notifications`). A channel is an incoming webhook's URL (shown masked once
// saved) and the kinds of notification it receives; each can be tested, switched off or on,
// narrowed and removed. A channel a delivery switched off (its webhook is gone) says why.

import { call, type Me } from '../api'
import { h, replaceChildren, uid } from '../dom'
import { t, type Key } from '../i18n'
import { failureText, view, type View } from '../view'
import { adminTabs, chosenOrg } from './admin-nav'
import { confirmAction } from './dialog'
import { errorBox, labelled, showError } from './forms'

export const KINDS = ['approval', 'rejected', 'mention', 'overdue', 'exception_opened', 'exception_resolved'] as const
export type Kind = (typeof KINDS)[number]

export interface Channel {
  id: string
  provider: 'slack' | 'teams'
  name: string
  url: string
  kinds: Kind[]
  language: 'en' | 'fr'
  enabled: boolean
  disabled_reason: string | null
  last_status: number | null
  last_error: string | null
}

export function kindLabel(kind: Kind): string {
  return t(`chat_kind_${kind}` as Key)
}

function kindBoxes(chosen: readonly Kind[], changed?: (kinds: Kind[]) => void): { element: HTMLElement; read(): Kind[] } {
  const boxes = KINDS.map((kind) => h('input', { type: 'checkbox', id: uid('kind'), value: kind, checked: chosen.includes(kind) }))
  const read = (): Kind[] => boxes.filter((b) => b.checked).map((b) => b.value as Kind)
  if (changed) for (const box of boxes) box.addEventListener('change', () => changed(read()))
  const element = h('div', { class: 'chat-kinds' }, ...boxes.map((box, i) => h('span', { class: 'check' }, box, h('label', { for: box.id }, kindLabel(KINDS[i] ?? 'approval')))))
  return { element, read }
}

/** The list of channels at `base` and the form adding one. */
export async function channelsPanel(base: string, hint: string): Promise<HTMLElement> {
  const list = h('div', { class: 'chat-list' })
  const error = errorBox()
  const status = h('p', { class: 'saved', role: 'status' })

  async function redraw(): Promise<void> {
    const found = await call<{ items: Channel[]; links: boolean }>('GET', base)
    replaceChildren(
      list,
      found.links ? null : h('p', { class: 'hint warn' }, t('chat_no_links')),
      found.items.length ? h('ul', { class: 'chat-channels' }, ...found.items.map(row)) : h('p', { class: 'empty' }, t('chat_none'))
    )
  }

  async function act(run: () => Promise<unknown>, said?: string): Promise<void> {
    try {
      await run()
      showError(error, null)
      status.textContent = said ?? ''
    } catch (failure) {
      showError(error, failureText(failure))
    }
    await redraw()
  }

  function row(channel: Channel): HTMLElement {
    const path = `${base}/${encodeURIComponent(channel.id)}`
    const kinds = kindBoxes(channel.kinds, (next) => void act(() => call('PATCH', path, { kinds: next }), t('chat_saved')))
    const state = channel.enabled
      ? h('span', { class: 'badge ok' }, t('chat_enabled'))
      : h('span', { class: 'badge warn' }, channel.disabled_reason ? t('chat_gone', { reason: channel.disabled_reason }) : t('chat_disabled'))
    return h(
      'li',
      { class: 'card chat-channel', 'data-channel': channel.name },
      h('h3', {}, `${channel.provider === 'slack' ? 'Slack' : 'Microsoft Teams'} · ${channel.name}`),
      h('p', { class: 'hint' }, h('code', {}, channel.url), ' · ', channel.language.toUpperCase(), ' · ', state),
      kinds.element,
      h(
        'div',
        { class: 'form-actions' },
        h('button', {
          type: 'button',
          class: 'secondary small',
          onclick: () =>
            void act(async () => {
              const answer = await call<{ delivered: boolean; error: string | null }>('POST', `${path}/test`)
              if (!answer.delivered) throw new Error(t('chat_test_failed', { error: answer.error ?? '' }))
            }, t('chat_test_sent', { name: channel.name }))
        }, t('chat_test')),
        h('button', { type: 'button', class: 'secondary small', onclick: () => void act(() => call('PATCH', path, { enabled: !channel.enabled })) }, channel.enabled ? t('chat_switch_off') : t('chat_switch_on')),
        h('button', {
          type: 'button',
          class: 'secondary danger small',
          onclick: async () => {
            const removed = await confirmAction({
              title: t('chat_remove_title', { name: channel.name }),
              text: t('chat_remove_text'),
              confirm: t('chat_remove'),
              danger: true,
              run: async () => {
                await call('DELETE', path)
              }
            })
            if (removed) await act(async () => undefined, t('chat_removed'))
          }
        }, t('chat_remove'))
      )
    )
  }

  const provider = h('select', { id: uid('prov'), name: 'provider' }, h('option', { value: 'slack' }, 'Slack'), h('option', { value: 'teams' }, 'Microsoft Teams'))
  const language = h('select', { id: uid('lang'), name: 'language' }, h('option', { value: 'en' }, 'English'), h('option', { value: 'fr' }, 'Français'))
  const name = labelled(t('chat_name'), { name: 'name', maxlength: '100', required: true })
  const url = labelled(t('chat_url'), { name: 'url', type: 'url', maxlength: '2048', required: true, autocomplete: 'off' }, hint)
  const kinds = kindBoxes(['approval'])
  const form = h(
    'form',
    {
      class: 'card chat-add',
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault()
        const body = { provider: provider.value, name: name.input.value, url: url.input.value, kinds: kinds.read(), language: language.value }
        await act(async () => {
          await call('POST', base, body)
          name.input.value = ''
          url.input.value = ''
        }, t('chat_added'))
      }
    },
    h('h2', {}, t('chat_add')),
    h('div', { class: 'field' }, h('label', { for: provider.id }, t('chat_provider')), provider),
    name.element,
    url.element,
    h('div', { class: 'field' }, h('label', { for: language.id }, t('language')), language),
    h('fieldset', {}, h('legend', {}, t('chat_kinds')), kinds.element),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, t('chat_add_button')))
  )
  await redraw()
  return h('div', { class: 'chat-panel' }, list, error, status, form)
}

export async function orgChatView(me: Me, query: URLSearchParams): Promise<View | { redirect: string }> {
  const org = chosenOrg(me, 'org.settings', query)
  if (!org) return { redirect: '#/invoices' }
  const panel = await channelsPanel(`/api/orgs/${encodeURIComponent(org.org_id)}/chat-channels`, t('chat_url_hint'))
  return view(h('section', { class: 'admin chat-page' }, h('h1', {}, t('chat_title', { org: org.org_name })), adminTabs(me, org, 'admin/chat'), panel))
}
