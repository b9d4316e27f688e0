// The editor header's workflow part: status, number, what a credit note credits, the assignee,
// and the buttons of exactly the actions the server says the caller may take now
// (GET /api/invoices/{id}/workflow), each behind a confirmation that says what will happen.
// Every transition carries the version it was decided on; a 409 `stale_version` (someone moved
// the invoice meanwhile) reads the state again and says so instead of acting on old news.

import { ApiError } from '../api'
import { h, replaceChildren } from '../dom'
import { formatDate } from '../format'
import { t, type Key } from '../i18n'
import { statusText } from '../views/list'
import { confirmAction } from '../views/dialog'
import { actionClass, offersCreditNote, orderedActions, type Action } from './actions'
import { AssigneeControl } from './assignee'
import { creditNoteDialog } from './credit-note-dialog'
import { readWorkflow, transition, type WorkflowInfo } from './workflow-api'

export interface WorkflowOptions {
  invoiceId: string
  orgId: string
  /** The caller's role in the invoice's organization. */
  role: string | undefined
  /** May set the assignee (`invoice.edit`; the server judges each choice). */
  canAssign: boolean
  /** The status, number or kind changed (a transition here, or someone else's). */
  changed(info: WorkflowInfo): void
  toast(text: string, kind?: 'info' | 'error'): void
}

export class WorkflowBar {
  readonly element: HTMLElement
  /** "Credit note for F2026-000123 (1 Mar 2026)", shown under the title of a credit note. */
  readonly reference = h('p', { class: 'credit-reference', 'data-testid': 'credit-reference', hidden: true })
  private readonly badge = h('span', { class: 'status', 'data-testid': 'invoice-status' })
  private readonly number = h('span', { class: 'invoice-number', 'data-testid': 'invoice-number' })
  private readonly buttons = h('div', { class: 'workflow-actions', role: 'group', 'aria-label': t('workflow_actions') })
  private readonly assignee: AssigneeControl
  private info: WorkflowInfo
  private reads = 0

  constructor(
    initial: WorkflowInfo,
    private readonly options: WorkflowOptions
  ) {
    this.info = initial
    this.assignee = new AssigneeControl(options.invoiceId, options.orgId, options.canAssign, (id) => {
      this.info = { ...this.info, assignee_id: id }
    })
    this.element = h('div', { class: 'workflow' }, this.badge, this.number, this.buttons, this.assignee.element)
    this.draw()
  }

  get current(): WorkflowInfo {
    return this.info
  }

  /** Read the state again (after a `workflow` notice, a transition, a stale version). */
  async refresh(): Promise<void> {
    const mine = ++this.reads
    try {
      const info = await readWorkflow(this.options.invoiceId)
      if (mine === this.reads) this.show(info)
    } catch (failure) {
      if (mine === this.reads) this.options.toast(failure instanceof ApiError ? failure.error : String(failure), 'error')
    }
  }

  private show(info: WorkflowInfo): void {
    const before = this.info
    this.info = info
    this.draw()
    if (before.status !== info.status || before.number !== info.number || before.kind !== info.kind) this.options.changed(info)
  }

  private draw(): void {
    const { status, number, kind, credits } = this.info
    this.badge.className = `status status-${status}`
    this.badge.textContent = statusText(status)
    this.badge.dataset.status = status
    this.number.textContent = number ?? ''
    this.number.hidden = !number
    if (kind === 'credit_note' && credits) {
      const original = credits.number ?? t('draft_number')
      const date = credits.issue_date ? ` (${formatDate(credits.issue_date)})` : ''
      replaceChildren(this.reference, `${t('credit_note_for')} `, h('a', { href: `#/invoices/${credits.id}` }, original), date)
    }
    this.reference.hidden = !(kind === 'credit_note' && credits)
    this.assignee.show(this.info.assignee_id, status)
    const buttons = orderedActions(this.info.actions).map((action) =>
      h('button', { type: 'button', class: actionClass(action), 'data-action': action, onclick: () => void this.ask(action) }, t(`action_${action}` as Key))
    )
    if (offersCreditNote(status, kind, this.info.actions, this.options.role)) {
      buttons.push(
        h(
          'button',
          { type: 'button', class: 'secondary', 'data-action': 'credit_note', onclick: () => void creditNoteDialog(this.options.invoiceId) },
          t('credit_note_action')
        )
      )
    }
    replaceChildren(this.buttons, ...buttons)
  }

  /** What the confirmation says: the number for an issue, the kind of document. */
  private explain(action: Action): string {
    const note = this.info.kind === 'credit_note'
    if (action === 'issue' && this.info.next_number) {
      return t(note ? 'confirm_issue_credit_note' : 'confirm_issue_number', { number: this.info.next_number })
    }
    return t(`confirm_${action}` as Key)
  }

  private async ask(action: Action): Promise<void> {
    const name = t(`action_${action}` as Key)
    const decidedOn = this.info.version
    await confirmAction({
      title: t(this.info.kind === 'credit_note' ? 'confirm_title_credit_note' : 'confirm_title', { action: name }),
      text: this.explain(action),
      confirm: name,
      reason: action === 'reject' ? t('reject_reason') : undefined,
      danger: action === 'discard' || action === 'reject',
      run: async (reason) => {
        try {
          const answer = await transition(this.options.invoiceId, action, decidedOn, reason || undefined)
          // The new state at once; the actions it allows come with the next read.
          this.show({ ...this.info, status: answer.status, number: answer.number ?? null, version: answer.version, assignee_id: answer.assignee_id, actions: [] })
        } catch (failure) {
          if (!(failure instanceof ApiError && failure.code === 'stale_version')) throw failure
          // Someone acted first: the dialog closes on the current state and says so.
          this.options.toast(t('stale_version'), 'error')
        }
        if (this.info.status !== 'discarded') await this.refresh()
      }
    })
  }
}
