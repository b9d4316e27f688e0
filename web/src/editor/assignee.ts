// Who should act next on the invoice (docs/workflow.md, "The assignee by hand"): a select of
// the organization's members for those who may set it (editors, approvers, admins), a plain
// line for everyone else. The server judges each choice (403, 400 `not_member`, 409
// `cannot_act`); its refusal is shown beside the select, which goes back to what is stored.

import { ApiError } from '../api'
import { h, replaceChildren, uid } from '../dom'
import { t } from '../i18n'
import { members, setAssignee, type Person } from './workflow-api'

/** The states in which someone may still act (an issued invoice has no assignee yet). */
const ASSIGNABLE = new Set(['draft', 'submitted', 'approved'])

export class AssigneeControl {
  readonly element: HTMLElement
  private readonly select: HTMLSelectElement
  private readonly text = h('span', { class: 'assignee-name', 'data-testid': 'assignee' })
  private readonly error = h('span', { class: 'form-error assignee-error', role: 'alert', hidden: true })
  private people: Person[] = []
  private stored: string | null = null
  private status = ''

  constructor(
    private readonly invoiceId: string,
    orgId: string,
    private readonly canAssign: boolean,
    /** The server stored a new assignee. */
    private readonly saved: (assignee: string | null) => void
  ) {
    const id = uid('assignee')
    this.select = h('select', { id, 'data-testid': 'assignee-select', onchange: () => void this.save() })
    this.element = h('div', { class: 'assignee' }, h('label', { for: id }, t('assignee')), this.select, this.text, this.error)
    void members(orgId).then((found) => {
      this.people = found
      this.draw()
    })
  }

  /** Show the stored assignee for an invoice in `status`. */
  show(assignee: string | null, status: string): void {
    this.stored = assignee
    this.status = status
    this.error.hidden = true
    this.draw()
  }

  private nameOf(id: string | null): string {
    if (!id) return t('assignee_nobody')
    return this.people.find((p) => p.id === id)?.name ?? t('assignee_unknown')
  }

  private draw(): void {
    const editable = this.canAssign && ASSIGNABLE.has(this.status)
    this.select.hidden = !editable
    this.text.hidden = editable
    this.text.textContent = this.nameOf(this.stored)
    // Nobody to show and nothing to set (an issued invoice): the whole control goes.
    this.element.hidden = !editable && !this.stored
    if (!editable) return
    const listed = this.people.some((p) => p.id === this.stored)
    replaceChildren(
      this.select,
      h('option', { value: '', selected: !this.stored }, t('assignee_nobody')),
      ...this.people.map((p) => h('option', { value: p.id, selected: p.id === this.stored }, p.name)),
      this.stored && !listed ? h('option', { value: this.stored, selected: true }, t('assignee_unknown')) : null
    )
  }

  private async save(): Promise<void> {
    const chosen = this.select.value || null
    this.select.disabled = true
    try {
      const answer = await setAssignee(this.invoiceId, chosen)
      this.stored = answer.assignee_id
      this.error.hidden = true
      this.saved(answer.assignee_id)
    } catch (failure) {
      this.error.textContent = failure instanceof ApiError ? failure.error : String(failure)
      this.error.hidden = false
    } finally {
      this.select.disabled = false
      this.draw() // the select shows what is stored, refused or not
    }
  }
}
