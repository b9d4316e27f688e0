// Outgoing webhooks (docs/integrations.md, "Domain events and webhooks"), for admins
// (`#/admin/webhooks`, `org.settings`): the organization's endpoints with the events each
// receives; one added with a URL and events, its signing secret shown once; events changed in
// place; switched off or on; removed after a confirmation; a test event sent; its delivery log
// (every attempt with its HTTP answer) with a replay of a logged event. An endpoint we switched
// off (410 Gone, failing for a day) says why, and the admin's notices of it are listed on top.

import { call, type Me } from '../api'
import { h, replaceChildren, uid } from '../dom'
import { t, type Key } from '../i18n'
import { failureText, view, type View } from '../view'
import { adminTabs, chosenOrg } from './admin-nav'
import { confirmAction } from './dialog'
import { errorBox, labelled, showError } from './forms'

export const EVENT_TYPES = [
  'invoice.created',
  'invoice.submitted',
  'invoice.approved',
  'invoice.rejected',
  'invoice.issued',
  'invoice.paid',
  'invoice.overdue',
  'payment.recorded',
  'comment.created',
  'exception.opened',
  'exception.resolved'
] as const

interface Endpoint {
  id: string
  url: string
  description: string
  events: string[]
  enabled: boolean
  disabled_reason: string | null
  failing_since: string | null
}

interface Attempt {
  id: string
  event_id: string
  event_type: string
  attempt: number
  at: string
  status_code: number | null
  duration_ms: number
  error: string | null
  response: string | null
  outcome: 'succeeded' | 'retrying' | 'failed' | 'disabled'
  next_at: string | null
}

interface Notice {
  id: string
  endpoint_id: string
  text: string
  created_at: string
}

function eventBoxes(chosen: readonly string[], changed?: (events: string[]) => void): { element: HTMLElement; read(): string[] } {
  const boxes = EVENT_TYPES.map((type) => h('input', { type: 'checkbox', id: uid('ev'), value: type, checked: chosen.includes(type) }))
  const read = (): string[] => boxes.filter((b) => b.checked).map((b) => b.value)
  if (changed) for (const box of boxes) box.addEventListener('change', () => changed(read()))
  const element = h('div', { class: 'chat-kinds webhook-events' }, ...boxes.map((box) => h('span', { class: 'check' }, box, h('label', { for: box.id }, h('code', {}, box.value)))))
  return { element, read }
}

function when(iso: string): string {
  return new Date(iso).toLocaleString()
}

/** The secret of a new endpoint, or of a rotated one: shown once, with a copy button. */
function secretPanel(box: HTMLElement, secret: string): void {
  const field = h('input', { id: uid('sec'), type: 'text', readonly: true, class: 'secret', value: secret, 'data-testid': 'webhook-secret' })
  const copied = h('span', { class: 'saved', role: 'status' })
  const copy = h('button', { type: 'button', class: 'secondary' }, t('webhook_copy'))
  copy.addEventListener('click', async () => {
    field.select()
    try {
      await navigator.clipboard.writeText(field.value)
      copied.textContent = t('webhook_copied')
    } catch {
      copied.textContent = t('webhook_copy_by_hand')
    }
  })
  const done = h('button', { type: 'button', class: 'secondary' }, t('webhook_secret_done'))
  done.addEventListener('click', () => box.replaceChildren())
  box.replaceChildren(
    h(
      'div',
      { class: 'card' },
      h('p', { class: 'hint warn' }, t('webhook_secret_warning')),
      h('div', { class: 'field' }, h('label', { for: field.id }, t('webhook_secret')), h('div', { class: 'copy-row' }, field, copy, copied)),
      h('div', { class: 'form-actions' }, done)
    )
  )
  field.focus()
  field.select()
}

function outcomeLabel(outcome: Attempt['outcome']): string {
  return t(`webhook_outcome_${outcome}` as Key)
}

export async function webhooksView(me: Me, query: URLSearchParams): Promise<View | { redirect: string }> {
  const org = chosenOrg(me, 'org.settings', query)
  if (!org) return { redirect: '#/invoices' }
  const base = `/api/orgs/${encodeURIComponent(org.org_id)}/webhooks`
  const list = h('div', { class: 'webhook-list' })
  const notices = h('div', { class: 'webhook-notices' })
  const secretBox = h('div', { class: 'token-secret' })
  const error = errorBox()
  const status = h('p', { class: 'saved', role: 'status' })
  const openLogs = new Set<string>() // the endpoints whose delivery log stays open across redraws

  async function redraw(): Promise<void> {
    const found = await call<{ items: Endpoint[] }>('GET', base)
    const told = await call<{ items: Notice[] }>('GET', `/api/orgs/${encodeURIComponent(org!.org_id)}/webhook-notices`)
    replaceChildren(
      notices,
      ...told.items.map((notice) =>
        h(
          'p',
          { class: 'hint warn', role: 'alert' },
          notice.text,
          ' ',
          h('button', {
            type: 'button',
            class: 'secondary small',
            onclick: () => void act(() => call('POST', `/api/orgs/${encodeURIComponent(org!.org_id)}/webhook-notices/${encodeURIComponent(notice.id)}/read`))
          }, t('webhook_notice_read'))
        )
      )
    )
    replaceChildren(list, found.items.length ? h('ul', { class: 'chat-channels' }, ...found.items.map(row)) : h('p', { class: 'empty' }, t('webhook_none')))
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

  function logTable(path: string, attempts: Attempt[], holder: HTMLElement): HTMLElement {
    if (!attempts.length) return h('p', { class: 'empty' }, t('webhook_log_empty'))
    return h(
      'table',
      { class: 'data webhook-log' },
      h('caption', {}, t('webhook_log')),
      h(
        'thead',
        {},
        h('tr', {}, ...(['webhook_log_at', 'webhook_log_event', 'webhook_log_attempt', 'webhook_log_code', 'webhook_log_duration', 'webhook_log_outcome', 'webhook_log_actions'] as Key[]).map((k) => h('th', { scope: 'col' }, t(k))))
      ),
      h(
        'tbody',
        {},
        ...attempts.map((a) =>
          h(
            'tr',
            { 'data-event': a.event_id },
            h('td', {}, when(a.at)),
            h('td', {}, h('code', {}, a.event_type), h('br'), h('small', {}, a.event_id)),
            h('td', {}, String(a.attempt)),
            h('td', { class: 'status-code' }, a.status_code === null ? '—' : String(a.status_code)),
            h('td', {}, t('webhook_ms', { ms: String(a.duration_ms) })),
            h(
              'td',
              {},
              outcomeLabel(a.outcome),
              a.next_at ? h('small', {}, ' ', t('webhook_next', { at: when(a.next_at) })) : null,
              a.error ? h('div', { class: 'hint' }, a.error) : null,
              a.response ? h('pre', { class: 'webhook-response' }, a.response) : null
            ),
            h(
              'td',
              {},
              a.event_type === 'webhook.test'
                ? null
                : h('button', {
                    type: 'button',
                    class: 'secondary small',
                    onclick: () =>
                      void act(async () => {
                        await call('POST', `${path}/replay`, { event_id: a.event_id })
                        await showLog(path, holder)
                      }, t('webhook_replayed'))
                  }, t('webhook_replay'))
            )
          )
        )
      )
    )
  }

  async function showLog(path: string, holder: HTMLElement): Promise<void> {
    openLogs.add(path)
    const found = await call<{ items: Attempt[] }>('GET', `${path}/deliveries`)
    replaceChildren(holder, logTable(path, found.items, holder))
  }

  function row(endpoint: Endpoint): HTMLElement {
    const path = `${base}/${encodeURIComponent(endpoint.id)}`
    const events = eventBoxes(endpoint.events, (next) => {
      if (next.length) void act(() => call('PATCH', path, { events: next }), t('webhook_saved'))
    })
    const state = endpoint.enabled
      ? h('span', { class: 'badge ok' }, t('webhook_enabled'))
      : h('span', { class: 'badge warn' }, t('webhook_off', { reason: endpoint.disabled_reason ?? '' }))
    const log = h('div', { class: 'webhook-log-holder' })
    if (openLogs.has(path)) void showLog(path, log)
    return h(
      'li',
      { class: 'card chat-channel webhook', 'data-url': endpoint.url },
      h('h3', {}, h('code', {}, endpoint.url)),
      h('p', { class: 'hint' }, endpoint.description ? `${endpoint.description} · ` : '', state),
      h('fieldset', {}, h('legend', {}, t('webhook_events')), events.element),
      h(
        'div',
        { class: 'form-actions' },
        h('button', {
          type: 'button',
          class: 'secondary small',
          disabled: !endpoint.enabled,
          onclick: () =>
            void act(async () => {
              await call('POST', `${path}/test`)
              await showLog(path, log)
            }, t('webhook_test_sent'))
        }, t('webhook_test')),
        h('button', { type: 'button', class: 'secondary small', onclick: () => void showLog(path, log) }, t('webhook_show_log')),
        h('button', { type: 'button', class: 'secondary small', onclick: () => void act(() => call('POST', `${path}/${endpoint.enabled ? 'disable' : 'enable'}`)) }, endpoint.enabled ? t('webhook_switch_off') : t('webhook_switch_on')),
        h('button', {
          type: 'button',
          class: 'secondary small',
          onclick: () =>
            void act(async () => {
              const answer = await call<{ secret: string }>('POST', `${path}/rotate-secret`)
              secretPanel(secretBox, answer.secret)
            })
        }, t('webhook_rotate')),
        h('button', {
          type: 'button',
          class: 'secondary danger small',
          onclick: async () => {
            const removed = await confirmAction({
              title: t('webhook_remove_title'),
              text: t('webhook_remove_text', { url: endpoint.url }),
              confirm: t('webhook_remove'),
              danger: true,
              run: async () => {
                await call('DELETE', path)
              }
            })
            if (removed) await act(async () => undefined, t('webhook_removed'))
          }
        }, t('webhook_remove'))
      ),
      log
    )
  }

  const url = labelled(t('webhook_url'), { name: 'url', type: 'url', maxlength: '2000', required: true, autocomplete: 'off' }, t('webhook_url_hint'))
  const description = labelled(t('webhook_description'), { name: 'description', maxlength: '200' })
  const chosen = eventBoxes(['invoice.issued', 'invoice.paid'])
  const form = h(
    'form',
    {
      class: 'card chat-add',
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault()
        const body = { url: url.input.value, events: chosen.read(), description: description.input.value }
        await act(async () => {
          const made = await call<Endpoint & { secret: string }>('POST', base, body)
          url.input.value = ''
          description.input.value = ''
          secretPanel(secretBox, made.secret)
        }, t('webhook_added'))
      }
    },
    h('h2', {}, t('webhook_add')),
    url.element,
    description.element,
    h('fieldset', {}, h('legend', {}, t('webhook_events')), chosen.element),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, t('webhook_add_button')))
  )
  await redraw()
  return view(
    h(
      'section',
      { class: 'admin webhooks-page' },
      h('h1', {}, t('webhooks_title', { org: org.org_name })),
      adminTabs(me, org, 'admin/webhooks'),
      h('p', { class: 'hint' }, t('webhooks_intro')),
      notices,
      secretBox,
      list,
      error,
      status,
      form
    )
  )
}
