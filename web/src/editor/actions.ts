// The workflow actions as the header shows them: the server says which ones the caller may
// take now (GET /api/invoices/{id}/workflow, `actions`); this module only orders them and says
// how each looks. Nothing here decides who may do what.

export const ACTIONS = ['submit', 'approve', 'reject', 'issue', 'reopen', 'discard'] as const
export type Action = (typeof ACTIONS)[number]

/** The statuses a credit note can be made from (docs/workflow.md). */
export const CREDITABLE = new Set(['issued', 'partially_paid', 'paid'])

/** The server's `actions`, known ones only, in the header's order (forward moves first). */
export function orderedActions(actions: readonly string[]): Action[] {
  return ACTIONS.filter((action) => actions.includes(action))
}

/** The button's look: destructive moves in red, going back plain, going forward primary. */
export function actionClass(action: Action): string {
  if (action === 'discard' || action === 'reject') return 'secondary danger'
  return action === 'reopen' ? 'secondary' : 'primary'
}

/** Whether the credit-note action is shown: the server's word when it lists `credit_note`,
 * otherwise every role but viewer and reviewer on an issued invoice (the server answers 403
 * to them anyway). */
export function offersCreditNote(status: string, kind: string, actions: readonly string[], role: string | undefined): boolean {
  if (kind !== 'invoice' || !CREDITABLE.has(status)) return false
  if (actions.includes('credit_note')) return true
  return role !== undefined && role !== 'viewer' && role !== 'reviewer'
}
