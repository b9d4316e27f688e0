// The recurring schedules (`#/recurring`, any member reads; docs/recurring.md): each with its
// cadence, bounds, mode, status, how many drafts it made and its next runs; for those who
// create invoices (`invoice.create`) "Pause" / "Resume" and "Edit" (frequency, day, end,
// count, mode); "Runs" lists each period made with its draft.

import type { Me, Membership } from '../api'
import { h, replaceChildren } from '../dom'
import { formatDate } from '../format'
import { t } from '../i18n'
import { changeSchedule, scheduleRuns, schedules, type Run, type Schedule } from '../paid-api'
import { failureText, Scope, view, type View } from '../view'
import { statusText } from './list'
import { nextRunsList, scheduleStatusText } from '../editor/recurring-panel'
import { chosenOrg, paidTabs } from './admin-nav'
import { errorBox, showError } from './forms'
import { cadenceText, modeText, scheduleForm } from './schedule-form'

export function recurringView(me: Me, query: URLSearchParams): View | { redirect: string } {
  const found = chosenOrg(me, 'invoice.read', query)
  if (!found) return { redirect: '#/invoices' }
  const org: Membership = found
  const canChange = org.capabilities.includes('invoice.create')
  const scope = new Scope()
  const list = h('div', { class: 'schedule-cards' })
  const error = errorBox()
  const fetch = scope.latest(() => schedules(org.org_id))

  async function load(): Promise<void> {
    try {
      const { items } = await fetch()
      replaceChildren(list, ...(items.length ? items.map(card) : [h('p', { class: 'empty' }, t('rec_none'))]))
      showError(error, null)
    } catch (failure) {
      showError(error, failureText(failure))
    }
  }

  function card(schedule: Schedule): HTMLElement {
    const titleId = `schedule-${schedule.id}`
    const slot = h('div', { class: 'schedule-slot' })
    const cardError = errorBox()
    const bounds = [
      t('rec_from', { date: formatDate(schedule.start) }),
      schedule.end ? t('rec_until', { date: formatDate(schedule.end) }) : null,
      schedule.count !== null ? t('rec_count_of', { count: schedule.count }) : null
    ]
      .filter(Boolean)
      .join(' · ')
    const actions: HTMLElement[] = []
    if (canChange && schedule.status !== 'finished') {
      const paused = schedule.status === 'paused'
      const toggle = h('button', { type: 'button', class: 'secondary small', 'data-action': paused ? 'resume' : 'pause' }, paused ? t('rec_resume') : t('rec_pause'))
      toggle.addEventListener('click', () => {
        toggle.disabled = true
        changeSchedule(schedule.id, { status: paused ? 'active' : 'paused' }).then(
          () => void load(),
          (failure: unknown) => {
            showError(cardError, failureText(failure))
            toggle.disabled = false
          }
        )
      })
      const edit = h('button', { type: 'button', class: 'secondary small', 'data-action': 'edit' }, t('rec_edit'))
      edit.addEventListener('click', () => {
        const form = scheduleForm({
          existing: schedule,
          submitLabel: t('save'),
          send: async (body) => {
            await changeSchedule(schedule.id, body)
            await load()
          },
          cancel: () => replaceChildren(slot)
        })
        replaceChildren(slot, form.element)
        form.element.querySelector('select')?.focus()
      })
      actions.push(toggle, edit)
    }
    const runs = h('button', { type: 'button', class: 'secondary small', 'data-action': 'runs' }, t('rec_runs'))
    runs.addEventListener('click', () => {
      scheduleRuns(schedule.id).then(
        ({ items }) => replaceChildren(slot, runsTable(items)),
        (failure: unknown) => showError(cardError, failureText(failure))
      )
    })
    actions.push(runs)
    return h(
      'article',
      { class: 'card schedule', 'aria-labelledby': titleId, 'data-id': schedule.id, 'data-status': schedule.status },
      h('h2', { id: titleId }, cadenceText(schedule), ' ', h('span', { class: `tag schedule-${schedule.status}` }, scheduleStatusText(schedule.status))),
      h(
        'p',
        {},
        h('a', { href: `#/invoices/${schedule.template_id}` }, t('rec_template')),
        ` · ${bounds} · ${modeText(schedule.mode)} · ${t('rec_made', { count: schedule.made })}`
      ),
      h('h3', { class: 'label' }, t('rec_next_runs')),
      nextRunsList(schedule),
      h('div', { class: 'row-actions' }, ...actions),
      cardError,
      slot
    )
  }

  function runsTable(items: Run[]): HTMLElement {
    if (!items.length) return h('p', { class: 'empty' }, t('rec_no_runs'))
    const columns = ['rec_run_date', 'rec_period_col', 'rec_outcome', 'outbox_invoice'] as const
    return h(
      'table',
      { class: 'admin-table runs' },
      h('caption', { class: 'visually-hidden' }, t('rec_runs')),
      h('thead', {}, h('tr', {}, ...columns.map((key) => h('th', { scope: 'col' }, t(key))))),
      h(
        'tbody',
        {},
        ...items.map((run) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, formatDate(run.run_date)),
            h('td', { 'data-label': t('rec_period_col') }, `${formatDate(run.period_start)} – ${formatDate(run.period_end)}`),
            h('td', { 'data-label': t('rec_outcome') }, t(`rec_outcome_${run.outcome}`), run.reason ? h('span', { class: 'muted' }, ` (${run.reason})`) : null),
            h('td', { 'data-label': t('outbox_invoice') }, run.invoice_id ? h('a', { href: `#/invoices/${run.invoice_id}` }, run.invoice_status ? statusText(run.invoice_status) : t('outbox_open_invoice')) : '')
          )
        )
      )
    )
  }

  void load()
  return view(
    h(
      'section',
      { class: 'admin recurring-page' },
      h('h1', {}, t('rec_title', { org: org.org_name })),
      paidTabs(me, org, 'recurring'),
      h('p', { class: 'hint' }, t('rec_intro')),
      h('div', { class: 'audit-tools' }, h('button', { type: 'button', class: 'secondary', onclick: () => void load() }, t('refresh'))),
      error,
      list
    ),
    scope
  )
}
