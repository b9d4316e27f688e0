// The REST calls and shapes of getting paid (issue 16): payments and receivables
// (docs/payments.md), mail and the outbox (docs/mail.md), reminders (docs/reminders.md),
// recurring schedules (docs/recurring.md), bank reconciliation (docs/reconciliation.md), the
// payment page's link (docs/paypage.md). The server decides; these only carry its answers.

import { ApiError, call, type ErrorDetail } from './api'
import { accessToken, clear, refresh, SessionEnded } from './session'

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

// -- bank reconciliation ---------------------------------------------------------------------

export type Verdict = 'exact' | 'partial' | 'over' | 'ambiguous' | 'unknown'
export type Basis = 'reference' | 'number' | 'amount_and_name'

export interface Suggestion {
  invoice_id: string
  number: string
  customer: string
  outstanding: string
  currency: string
  rf_reference: string | null
  basis: Basis
}

export interface StatementLine {
  id: string
  statement_id: string
  booking_date: string
  amount: string
  currency: string
  reference: string | null
  structured: boolean
  debtor: string | null
  bank_reference: string | null
  state: 'open' | 'matched' | 'ignored'
  invoice_id: string | null
  payment_id: string | null
  decided_by: string | null
  decided_at: string | null
  match: Verdict | null
  suggestions: Suggestion[]
}

export interface StatementSummary {
  id: string
  org_id: string
  format: 'camt.053' | 'csv'
  bank_id: string | null
  account: string | null
  added: number
  known: number
  debits: number
  imported_by: string
  imported_at: string
  counts: { open: number; matched: number; ignored: number }
}

export interface StatementWithLines extends StatementSummary {
  lines: StatementLine[]
}

export interface Statements {
  org_id: string
  statements: StatementSummary[]
  open_lines: StatementLine[]
}

export interface ConfirmedLine extends StatementLine {
  payment: { id: string; invoice_id: string; amount: string; currency: string; date: string; invoice: Balance & { status: string } }
}

/** How to read a CSV export: the columns by their header, the separators. */
export interface CsvMapping {
  date: string
  amount: string
  reference?: string
  name?: string
  currency?: string
  decimal: '.' | ','
  delimiter: ',' | ';' | '\t' | '|'
}

export const statements = (orgId: string): Promise<Statements> => call('GET', `/api/orgs/${enc(orgId)}/statements`)
export const statement = (id: string): Promise<StatementWithLines> => call('GET', `/api/statements/${enc(id)}`)
export const confirmLine = (lineId: string, invoiceId: string): Promise<ConfirmedLine> =>
  call('POST', `/api/statements/lines/${enc(lineId)}/confirm`, { invoice_id: invoiceId })
export const ignoreLine = (lineId: string): Promise<StatementLine> => call('POST', `/api/statements/lines/${enc(lineId)}/ignore`)

/** Import a statement file: the file itself is the body (not JSON), the mapping in the query. */
export async function importStatement(orgId: string, file: Blob, csv: CsvMapping | null): Promise<StatementWithLines> {
  const query = new URLSearchParams({ format: csv ? 'csv' : 'camt.053' })
  if (csv) for (const [key, value] of Object.entries(csv)) if (value) query.set(key, value)
  const path = `/api/orgs/${enc(orgId)}/statements?${query}`
  const type = csv ? 'text/csv' : 'application/xml'
  const send = (token: string): Promise<Response> =>
    fetch(path, { method: 'POST', headers: { accept: 'application/json', authorization: `Bearer ${token}`, 'content-type': type }, body: file })
  let token = await accessToken()
  let response = await send(token)
  if (response.status === 401) {
    token = await refresh(token)
    response = await send(token)
    if (response.status === 401) {
      clear()
      throw new SessionEnded('the server ended the session')
    }
  }
  const data = (await response.json().catch(() => ({}))) as { error?: string; code?: unknown; details?: ErrorDetail[] }
  if (!response.ok) {
    const error = response.status === 413 ? 'file_too_large' : null
    throw new ApiError(response.status, data.error ?? `HTTP ${response.status}`, null, typeof data.code === 'string' ? data.code : error, Array.isArray(data.details) ? data.details : [])
  }
  return data as StatementWithLines
}

// -- the payment page's link -----------------------------------------------------------------

export interface PaymentLink {
  invoice_id: string
  url: string
  created_at: string
  rotated_at: string | null
}
export const paymentLink = (invoiceId: string): Promise<PaymentLink> => call('GET', `/api/invoices/${enc(invoiceId)}/payment-link`)
export const newPaymentLink = (invoiceId: string): Promise<PaymentLink> => call('POST', `/api/invoices/${enc(invoiceId)}/payment-link`)
