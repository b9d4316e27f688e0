// The editor's "Recurring" panel (docs/recurring.md): the schedules made from this invoice with
// their next runs, and "Make recurring" for those who create invoices (`invoice.create`).
// Pausing and editing are on the recurring page (#/recurring), linked from here.

import { h, replaceChildren } from '../dom'
import { formatDate } from '../format'
import { t } from '../i18n'
import { makeRecurring, schedules, type Schedule } from '../paid-api'
import { failureText } from '../view'
import { cadenceText, scheduleForm } from '../views/schedule-form'

export function nextRunsList(schedule: Schedule): HTMLElement {
  return schedule.next_runs.length
    ? h(
        'ul',
        { class: 'next-runs', 'data-testid': 'next-runs' },
        ...schedule.next_runs.map((run) => h('li', {}, formatDate(run.run_date), h('span', { class: 'muted' }, ` (${t('rec_period', { from: formatDate(run.period_start), to: formatDate(run.period_end) })})`)))
      )
    : h('p', { class: 'muted' }, t('rec_no_next'))
}

export function scheduleStatusText(status: string): string {
  return status === 'active' ? t('rec_active') : status === 'paused' ? t('rec_paused') : t('rec_finished')
}

export class RecurringPanel {
  readonly element: HTMLElement
  private readonly list = h('div', { class: 'schedule-list' })
  private readonly error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  private loads = 0

  constructor(
    private readonly invoiceId: string,
    private readonly orgId: string,
    canMake: boolean
  ) {
    const id = 'recurring-title'
    const form = canMake
      ? scheduleForm({
          submitLabel: t('rec_make'),
          send: async (body) => {
            await makeRecurring(this.invoiceId, body)
            details.open = false
            await this.load()
          }
        }).element
      : null
    const details = h('details', { class: 'paid-new' }, h('summary', {}, t('rec_make_title')), form)
    this.element = h(
      'section',
      { class: 'card paid-panel', 'aria-labelledby': id, 'data-testid': 'recurring', hidden: true },
      h('div', { class: 'history-head' }, h('h2', { id }, t('recurring')), h('a', { href: `#/recurring?org=${encodeURIComponent(orgId)}` }, t('rec_all'))),
      this.error,
      this.list,
      form ? details : null
    )
  }

  async show(visible: boolean): Promise<void> {
    this.element.hidden = !visible
    if (visible) await this.load()
  }

  async load(): Promise<void> {
    const mine = ++this.loads
    try {
      const { items } = await schedules(this.orgId)
      if (mine !== this.loads) return
      const own = items.filter((s) => s.template_id === this.invoiceId)
      replaceChildren(
        this.list,
        ...(own.length
          ? own.map((s) =>
              h(
                'div',
                { class: 'schedule', 'data-id': s.id, 'data-status': s.status },
                h('p', {}, h('strong', {}, cadenceText(s)), ` · ${scheduleStatusText(s.status)} · ${t('rec_made', { count: s.made })}`),
                h('p', { class: 'muted' }, t('rec_next_runs')),
                nextRunsList(s)
              )
            )
          : [h('p', { class: 'muted' }, t('rec_none_here'))])
      )
      this.error.hidden = true
    } catch (failure) {
      if (mine !== this.loads) return
      this.error.textContent = failureText(failure)
      this.error.hidden = false
    }
  }
}
