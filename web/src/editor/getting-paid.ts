// The editor's "getting paid" side panels (docs/payments.md, mail.md, reminders.md,
// recurring.md), built and shown together: each appears by the invoice's state, and its forms
// only for the roles the server lets act (it decides anyway).

import type { WorkflowInfo } from './workflow-api'
import { MailPanel, RemindersPanel } from './mail-panel'
import { PaymentsPanel } from './payments-panel'
import { RecurringPanel } from './recurring-panel'

/** The states of an issued invoice, credited or not. */
export const CREDITED = new Set(['issued', 'partially_paid', 'paid', 'cancelled'])

export class GettingPaid {
  readonly payments: PaymentsPanel
  readonly mail: MailPanel
  readonly reminders: RemindersPanel
  readonly recurring: RecurringPanel

  constructor(
    invoiceId: string,
    orgId: string,
    capabilities: readonly string[],
    recorded: () => void,
    currency: () => string
  ) {
    const can = (capability: string): boolean => capabilities.includes(capability)
    this.payments = new PaymentsPanel(invoiceId, can('payment.manage'), recorded)
    this.mail = new MailPanel(invoiceId, can('payment.manage') || can('invoice.issue'))
    this.reminders = new RemindersPanel(invoiceId, can('payment.manage'), currency)
    this.recurring = new RecurringPanel(invoiceId, orgId, can('invoice.create'))
  }

  show(state: WorkflowInfo): void {
    const invoice = state.kind === 'invoice'
    void this.payments.show(invoice && CREDITED.has(state.status) ? state.status : null)
    void this.mail.show(state.status)
    void this.reminders.show(invoice ? state.status : '')
    void this.recurring.show(invoice && state.status !== 'discarded')
  }
}
