// The workflow's REST calls and their shapes, in one place (docs/workflow.md): the invoice's
// workflow state with the actions the caller may take, transitions, the assignee, named
// versions and restore, credit notes, and who may be assigned.

import { call, type InvoiceSummary } from '../api'

/** `GET /api/invoices/{id}/workflow`: the server has applied role, four-eyes, threshold and
 * "never submitted" to `actions`, so the browser shows exactly those. */
export interface WorkflowInfo {
  id: string
  status: string
  number: string | null
  version: number
  assignee_id: string | null
  issue_date: string | null
  kind: 'invoice' | 'credit_note'
  ever_submitted: boolean
  actions: string[]
  /** The number an issue today would take (when "issue" is offered). */
  next_number: string | null
  /** For a credit note: the invoice it credits. */
  credits: { id: string; number: string | null; issue_date: string | null } | null
}

/** What a transition answers: the new state (the actions come from a fresh GET). */
export interface TransitionResult {
  status: string
  number: string | null
  version: number
  assignee_id: string | null
}

export interface Version {
  id: number
  name: string
  kind: 'auto' | 'manual'
  seq: number
  author: { id: string; name: string }
  at: string
}

export interface CreditNoteItem {
  id: string
  number: string | null
  status: string
  gross: string | null
  created_at: string
}

export interface CreditNotes {
  currency: string
  gross: string | null
  credited: string
  remaining: string
  items: CreditNoteItem[]
}

export interface Person {
  id: string
  name: string
}

const invoicePath = (id: string): string => `/api/invoices/${encodeURIComponent(id)}`

export function readWorkflow(id: string): Promise<WorkflowInfo> {
  return call<WorkflowInfo>('GET', `${invoicePath(id)}/workflow`)
}

export function transition(id: string, action: string, version: number, reason?: string): Promise<TransitionResult> {
  const body: Record<string, string | number> = { action, version }
  if (reason) body.reason = reason
  return call<TransitionResult>('POST', `${invoicePath(id)}/transitions`, body)
}

export function setAssignee(id: string, userId: string | null): Promise<{ id: string; assignee_id: string | null }> {
  return call('PUT', `${invoicePath(id)}/assignee`, { user_id: userId })
}

export async function listVersions(id: string): Promise<Version[]> {
  return (await call<{ items: Version[] }>('GET', `${invoicePath(id)}/versions`)).items
}

export function nameVersion(id: string, name: string): Promise<Version> {
  return call<Version>('POST', `${invoicePath(id)}/versions`, { name })
}

export function restoreVersion(id: string, seq: number): Promise<unknown> {
  return call('POST', `${invoicePath(id)}/restore`, { seq })
}

/** The new credit-note draft, and what could not be carried over from the invoice. */
export interface CreditNoteCreated extends InvoiceSummary {
  warnings?: string[]
}

/** A credit-note draft for the whole invoice (`lines` omitted) or the chosen lines. */
export function createCreditNote(id: string, lines?: string[]): Promise<CreditNoteCreated> {
  return call<CreditNoteCreated>('POST', `${invoicePath(id)}/credit-notes`, lines ? { lines } : {})
}

export function listCreditNotes(id: string): Promise<CreditNotes> {
  return call<CreditNotes>('GET', `${invoicePath(id)}/credit-notes`)
}

const people = new Map<string, Promise<Person[]>>()

/** The organization's members by id and name. `/members` is for admins only, so this reads
 * the list every member may read (the mention list); cached per organization for the page. */
export function members(orgId: string): Promise<Person[]> {
  let found = people.get(orgId)
  if (!found) {
    found = call<{ items: { id?: unknown; name?: unknown; handle?: unknown }[] }>('GET', `/api/orgs/${encodeURIComponent(orgId)}/mentionable`)
      .then((answer) =>
        answer.items.flatMap((m) =>
          typeof m.id === 'string' ? [{ id: m.id, name: typeof m.name === 'string' && m.name ? m.name : String(m.handle ?? m.id) }] : []
        )
      )
      .catch(() => {
        people.delete(orgId) // try again next time
        return []
      })
    people.set(orgId, found)
  }
  return found
}
