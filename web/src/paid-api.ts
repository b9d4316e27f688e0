// The REST calls and shapes of getting paid (issue 16): payments and receivables
// (docs/payments.md), mail and the outbox (docs/mail.md), reminders (docs/reminders.md),
// recurring schedules (docs/recurring.md). The server decides; these only carry its answers.

import { call } from './api'

const enc = encodeURIComponent

export interface Balance {
  currency: string
  due: string
  credited: string
  paid: string
  refunded: string
  outstanding: string
  overpaid: string
}

export const METHODS = ['transfer', 'card', 'cheque', 'cash', 'direct_debit', 'other'] as const
export type Method = (typeof METHODS)[number]

export interface Payment {
  id: string
  kind: 'payment' | 'refund'
  amount: string
  currency: string
  date: string
  method: Method
  reference: string | null
  credit_note_id: string | null
  recorded_by: string | null
  recorded_at: string
}

export interface PaymentList {
  invoice_id: string
  status: string
  balance: Balance | null
  items: Payment[]
}

export interface NewPayment {
  amount: string
  date: string
  method: Method
  reference?: string
}

export interface Recorded extends Payment {
  invoice: Balance & { status: string }
}

export const payments = (invoiceId: string): Promise<PaymentList> => call('GET', `/api/invoices/${enc(invoiceId)}/payments`)
export const recordPayment = (invoiceId: string, body: NewPayment): Promise<Recorded> => call('POST', `/api/invoices/${enc(invoiceId)}/payments`, body)

export interface CustomerOwed {
  customer: string
  vat_id: string | null
  currency: string
  outstanding: string
  overdue: string
  invoices: number
  overdue_invoices: number
}
export interface Receivables {
  org_id: string
  as_of: string
  customers: CustomerOwed[]
}
export const receivables = (orgId: string): Promise<Receivables> => call('GET', `/api/receivables?org=${enc(orgId)}`)

// -- mail ------------------------------------------------------------------------------------

export type MessageStatus = 'outbox' | 'queued' | 'sent' | 'failed'
export const MESSAGE_STATUSES: readonly MessageStatus[] = ['outbox', 'queued', 'sent', 'failed']

export interface Message {
  id: string
  invoice_id: string | null
  purpose: string
  language: string
  to: string[]
  cc: string[]
  subject: string
  body: string
  attachments: string[]
  status: MessageStatus
  created_by: string | null
  created_at: string
  sent_at: string | null
  last_error: string | null
}

export interface SendBody {
  to?: string[]
  cc?: string[]
  message?: string
  language?: 'en' | 'fr'
}

export const messages = (invoiceId: string): Promise<{ items: Message[] }> => call('GET', `/api/invoices/${enc(invoiceId)}/messages`)
export const sendInvoice = (invoiceId: string, body: SendBody): Promise<Message> => call('POST', `/api/invoices/${enc(invoiceId)}/send`, body)
export const outbox = (orgId: string, status: string): Promise<{ items: Message[] }> =>
  call('GET', `/api/orgs/${enc(orgId)}/outbox${status ? `?status=${enc(status)}` : ''}`)

export interface Job {
  id: string
  kind: string
  status: 'queued' | 'running' | 'done' | 'dead'
  attempts: number
  run_at: string
  last_error: string | null
  created_at: string
  updated_at: string
}
export const deadJobs = (orgId: string): Promise<{ items: Job[] }> => call('GET', `/api/orgs/${enc(orgId)}/jobs?status=dead`)
export const retryJob = (orgId: string, jobId: string): Promise<Job> => call('POST', `/api/orgs/${enc(orgId)}/jobs/${enc(jobId)}/retry`)

// -- reminders -------------------------------------------------------------------------------

export const TONES = ['friendly', 'firm', 'final'] as const
export type Tone = (typeof TONES)[number]

export interface ReminderSettings {
  enabled: boolean
  steps: { days: number; tone: Tone }[]
  late_interest_rate: string | null
  opted_out?: string[]
}

export interface Reminder {
  id: string
  step: number | null
  days: number
  tone: Tone
  status: 'sent' | 'skipped'
  reason: string | null
  message_id: string | null
  outstanding: string
  interest: string
  indemnity: string
  created_by: string | null
  created_at: string
}

const remindersPath = (orgId: string): string => `/api/orgs/${enc(orgId)}/reminders`
export const reminderSettings = (orgId: string): Promise<ReminderSettings> => call('GET', remindersPath(orgId))
export const saveReminderSettings = (orgId: string, body: ReminderSettings): Promise<ReminderSettings> => call('PUT', remindersPath(orgId), body)
export const optOut = (orgId: string, customerId: string, out: boolean): Promise<ReminderSettings> =>
  call(out ? 'PUT' : 'DELETE', `${remindersPath(orgId)}/opt-outs/${enc(customerId)}`)
export const reminderLog = (invoiceId: string): Promise<{ items: Reminder[] }> => call('GET', `/api/invoices/${enc(invoiceId)}/reminders`)
export const remindNow = (invoiceId: string, body: { tone: Tone; message?: string }): Promise<Reminder> =>
  call('POST', `/api/invoices/${enc(invoiceId)}/reminders`, body)

// -- recurring -------------------------------------------------------------------------------

export const FREQUENCIES = ['monthly', 'quarterly', 'yearly'] as const
export type Frequency = (typeof FREQUENCIES)[number]
export const MODES = ['draft', 'submit'] as const
export type Mode = (typeof MODES)[number]
export type Day = number | 'last'

export interface NextRun {
  run_date: string
  period_start: string
  period_end: string
}

export interface Schedule {
  id: string
  org_id: string
  template_id: string
  owner_id: string
  frequency: Frequency
  day: Day
  start: string
  end: string | null
  count: number | null
  mode: Mode
  status: 'active' | 'paused' | 'finished'
  made: number
  next_runs: NextRun[]
  created_at: string
  updated_at: string
}

export interface Run {
  period_start: string
  period_end: string
  run_date: string
  invoice_id: string | null
  invoice_status: string | null
  outcome: 'pending' | 'draft' | 'submitted' | 'refused' | 'skipped'
  reason: string | null
  created_at: string
}

export interface ScheduleBody {
  frequency?: Frequency
  day?: Day
  start?: string
  end?: string | null
  count?: number | null
  mode?: Mode
  status?: 'active' | 'paused'
}

export const schedules = (orgId: string): Promise<{ items: Schedule[] }> => call('GET', `/api/orgs/${enc(orgId)}/recurring`)
export const makeRecurring = (invoiceId: string, body: ScheduleBody): Promise<Schedule> => call('POST', `/api/invoices/${enc(invoiceId)}/recurring`, body)
export const changeSchedule = (id: string, body: ScheduleBody): Promise<Schedule> => call('PATCH', `/api/recurring/${enc(id)}`, body)
export const scheduleRuns = (id: string): Promise<{ items: Run[] }> => call('GET', `/api/recurring/${enc(id)}/invoices`)
