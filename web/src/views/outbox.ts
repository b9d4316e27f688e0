// The outbox for admins (`#/admin/outbox`, `org.settings`; docs/mail.md): the organization's
// messages, newest first, filtered by status (without SMTP everything waits as `outbox`), a
// message's body shown on "Show"; and the dead letter: background jobs that failed for good,
// each with its last error and "Retry" (POST .../jobs/{id}/retry).

import type { Me, Membership } from '../api'
import { h, replaceChildren, uid } from '../dom'
import { t } from '../i18n'
import { deadJobs, MESSAGE_STATUSES, outbox, retryJob, type Job, type Message } from '../paid-api'
import { failureText, Scope, view, type View } from '../view'
import { messageStatusText, timeText } from '../editor/mail-panel'
import { chosenOrg, paidTabs } from './admin-nav'
import { errorBox, showError } from './forms'

export function outboxView(me: Me, query: URLSearchParams): View | { redirect: string } {
  const found = chosenOrg(me, 'org.settings', query)
  if (!found) return { redirect: '#/invoices' }
  const org: Membership = found
  const scope = new Scope()
  const status = h(
    'select',
    { id: uid('ob') },
    h('option', { value: '' }, t('all_statuses')),
    ...MESSAGE_STATUSES.map((s) => h('option', { value: s, selected: s === query.get('status') }, messageStatusText(s)))
  )
  const table = h('div', { class: 'table-wrap' })
  const shown = h('section', { class: 'card message-body', 'aria-labelledby': 'message-body-title', 'data-testid': 'message-body', hidden: true })
  const jobs = h('div', { class: 'table-wrap' })
  const error = errorBox()
  const jobsError = errorBox()
  const fetchMessages = scope.latest((s: string) => outbox(org.org_id, s))

  async function load(): Promise<void> {
    try {
      const { items } = await fetchMessages(status.value)
      replaceChildren(table, items.length ? messagesTable(items) : h('p', { class: 'empty' }, t('outbox_empty')))
      showError(error, null)
    } catch (failure) {
      showError(error, failureText(failure))
    }
  }

  function show(message: Message): void {
    replaceChildren(
      shown,
      h('h2', { id: 'message-body-title' }, message.subject),
      h('p', { class: 'muted' }, `${t('mail_to')}: ${message.to.join(', ')}`, message.cc.length ? ` · ${t('mail_cc')}: ${message.cc.join(', ')}` : ''),
      message.attachments.length ? h('p', { class: 'muted' }, `${t('outbox_attachments')}: ${message.attachments.join(', ')}`) : null,
      message.last_error ? h('p', { class: 'form-error' }, message.last_error) : null,
      h('pre', { class: 'mail-body', tabindex: '0' }, message.body),
      h('button', { type: 'button', class: 'secondary small', onclick: () => (shown.hidden = true) }, t('outbox_close'))
    )
    shown.hidden = false
    shown.scrollIntoView({ block: 'nearest' })
  }

  function messagesTable(items: Message[]): HTMLElement {
    const columns = ['outbox_when', 'mail_to', 'outbox_subject', 'status', 'outbox_invoice'] as const
    return h(
      'table',
      { class: 'admin-table outbox' },
      h('caption', { class: 'visually-hidden' }, t('outbox')),
      h('thead', {}, h('tr', {}, ...columns.map((key) => h('th', { scope: 'col' }, t(key))))),
      h(
        'tbody',
        {},
        ...items.map((m) =>
          h(
            'tr',
            { 'data-id': m.id, 'data-status': m.status },
            h('td', { 'data-label': t('outbox_when') }, h('time', { datetime: m.created_at }, timeText(m.created_at))),
            h('td', { 'data-label': t('mail_to') }, m.to.join(', ')),
            h('th', { scope: 'row', 'data-label': t('outbox_subject') }, h('button', { type: 'button', class: 'link', onclick: () => show(m) }, m.subject)),
            h('td', { 'data-label': t('status') }, h('span', { class: `tag mail-${m.status}` }, messageStatusText(m.status))),
            h('td', { 'data-label': t('outbox_invoice') }, m.invoice_id ? h('a', { href: `#/invoices/${m.invoice_id}` }, t('outbox_open_invoice')) : '')
          )
        )
      )
    )
  }

  async function loadJobs(): Promise<void> {
    try {
      const { items } = await deadJobs(org.org_id)
      replaceChildren(jobs, items.length ? jobsTable(items) : h('p', { class: 'empty' }, t('jobs_none')))
      showError(jobsError, null)
    } catch (failure) {
      showError(jobsError, failureText(failure))
    }
  }

  function jobsTable(items: Job[]): HTMLElement {
    const columns = ['jobs_kind', 'jobs_attempts', 'jobs_error', 'outbox_when', 'actions'] as const
    return h(
      'table',
      { class: 'admin-table dead-jobs' },
      h('caption', { class: 'visually-hidden' }, t('jobs_dead')),
      h('thead', {}, h('tr', {}, ...columns.map((key) => h('th', { scope: 'col' }, t(key))))),
      h(
        'tbody',
        {},
        ...items.map((job) => {
          const retry = h('button', { type: 'button', class: 'secondary small' }, t('jobs_retry'))
          retry.addEventListener('click', () => {
            retry.disabled = true
            retryJob(org.org_id, job.id).then(
              () => void Promise.all([loadJobs(), load()]),
              (failure: unknown) => {
                showError(jobsError, failureText(failure))
                retry.disabled = false
              }
            )
          })
          return h(
            'tr',
            { 'data-id': job.id },
            h('th', { scope: 'row', 'data-label': t('jobs_kind') }, h('code', {}, job.kind)),
            h('td', { 'data-label': t('jobs_attempts') }, String(job.attempts)),
            h('td', { class: 'detail', 'data-label': t('jobs_error') }, job.last_error ?? ''),
            h('td', { 'data-label': t('outbox_when') }, h('time', { datetime: job.updated_at }, timeText(job.updated_at))),
            h('td', { 'data-label': t('actions') }, retry)
          )
        })
      )
    )
  }

  status.addEventListener('change', () => void load())
  void load()
  void loadJobs()
  return view(
    h(
      'section',
      { class: 'admin outbox-page' },
      h('h1', {}, t('outbox_title', { org: org.org_name })),
      paidTabs(me, org, 'admin/outbox'),
      h('p', { class: 'hint' }, t('outbox_intro')),
      h(
        'div',
        { class: 'audit-tools' },
        h('div', { class: 'filter' }, h('label', { for: status.id }, t('status')), status),
        h('button', { type: 'button', class: 'secondary', onclick: () => void Promise.all([load(), loadJobs()]) }, t('refresh'))
      ),
      error,
      table,
      shown,
      h('h2', {}, t('jobs_dead')),
      h('p', { class: 'hint' }, t('jobs_intro')),
      jobsError,
      jobs
    ),
    scope
  )
}
