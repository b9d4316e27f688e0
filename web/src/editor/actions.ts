// Which workflow actions to offer (docs/workflow.md, "The table"): derived from the caller's
// capabilities in the invoice's organization and the invoice's status. Only what to show: the
// server stays the judge and its refusal is shown when it says no.

export const ACTIONS = ['submit', 'approve', 'reject', 'issue', 'reopen', 'discard'] as const
export type Action = (typeof ACTIONS)[number]

export interface Caller {
  id: string
  /** The capabilities of the caller's role in the invoice's organization (from /api/me). */
  capabilities: readonly string[]
}

/** The actions `caller` may take on an invoice in `status` created by `createdBy`. */
export function offeredActions(status: string, caller: Caller, createdBy?: string): Action[] {
  const can = (capability: string): boolean => caller.capabilities.includes(capability)
  const offered: Action[] = []
  if (status === 'draft') {
    if (can('invoice.submit')) offered.push('submit')
    if (can('invoice.edit')) offered.push('discard')
  } else if (status === 'submitted') {
    // Four-eyes: the creator never approves their own invoice (the server checks it too).
    if (can('invoice.approve') && createdBy !== caller.id) offered.push('approve')
    if (can('invoice.approve')) offered.push('reject')
    if (can('invoice.edit')) offered.push('reopen')
  } else if (status === 'approved') {
    if (can('invoice.issue')) offered.push('issue')
    // Reopening an approved invoice undoes someone's approval: approvers and admins only.
    if (can('invoice.approve')) offered.push('reopen')
  }
  return offered
}
