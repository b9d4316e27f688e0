// The editor header's workflow part: the invoice's status and number, and the buttons of the
// actions the caller may take (editor/actions.ts), each behind a confirmation that says what
// will happen. POST /api/invoices/{id}/transitions; the server's refusal is shown as it says it.

import { call } from '../api'
import { h, replaceChildren } from '../dom'
import { t, type Key } from '../i18n'
import { statusText } from '../views/list'
import { confirmAction } from '../views/dialog'
import { offeredActions, type Action, type Caller } from './actions'

export interface WorkflowState {
  status: string
  number: string | null
}

export interface WorkflowOptions {
  invoiceId: string
  caller: Caller
  createdBy?: string
  /** A transition succeeded (the server's new state), or a `workflow` notice arrived. */
  changed(state: WorkflowState): void
}

export class WorkflowBar {
  readonly element: HTMLElement
  private readonly badge = h('span', { class: 'status', 'data-testid': 'invoice-status' })
  private readonly number = h('span', { class: 'invoice-number', 'data-testid': 'invoice-number' })
  private readonly buttons = h('div', { class: 'workflow-actions', role: 'group', 'aria-label': t('workflow_actions') })
  private state: WorkflowState

  constructor(
    initial: WorkflowState,
    private readonly options: WorkflowOptions
  ) {
    this.state = initial
    this.element = h('div', { class: 'workflow' }, this.badge, this.number, this.buttons)
    this.draw()
  }

  get current(): WorkflowState {
    return this.state
  }

  /** Show a new state (from the server); no-op when nothing changed. */
  update(state: WorkflowState): void {
    if (state.status === this.state.status && state.number === this.state.number) return
    this.state = { status: state.status, number: state.number }
    this.draw()
    this.options.changed(this.state)
  }

  private draw(): void {
    const { status, number } = this.state
    this.badge.className = `status status-${status}`
    this.badge.textContent = statusText(status)
    this.badge.dataset.status = status
    this.number.textContent = number ?? ''
    this.number.hidden = !number
    const actions = offeredActions(status, this.options.caller, this.options.createdBy)
    replaceChildren(
      this.buttons,
      ...actions.map((action) =>
        h(
          'button',
          {
            type: 'button',
            class: action === 'discard' || action === 'reject' ? 'secondary danger' : action === 'reopen' ? 'secondary' : 'primary',
            'data-action': action,
            onclick: () => void this.ask(action)
          },
          t(`action_${action}` as Key)
        )
      )
    )
  }

  private async ask(action: Action): Promise<void> {
    const name = t(`action_${action}` as Key)
    await confirmAction({
      title: t('confirm_title', { action: name }),
      text: t(`confirm_${action}` as Key),
      confirm: name,
      reason: action === 'reject' ? t('reject_reason') : undefined,
      danger: action === 'discard' || action === 'reject',
      run: async (reason) => {
        const body: Record<string, string> = { action }
        if (reason) body.reason = reason
        const answer = await call<WorkflowState>('POST', `/api/invoices/${encodeURIComponent(this.options.invoiceId)}/transitions`, body)
        this.update({ status: answer.status, number: answer.number ?? null })
      }
    })
  }
}
