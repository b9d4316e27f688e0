// Labelled fields whose server refusals are shown under them (`aria-invalid`,
// `aria-describedby`), for the getting-paid forms: the payment, the e-mail, a reminder, a
// recurring schedule, the reminder settings. A 400's `details` name their field by path
// (`amount`, `to.0`, `steps.1.days`); a 422 without details belongs to the form's main field.

import { ApiError } from '../api'
import { h, uid } from '../dom'
import { failureText } from '../view'
import { errorBox, showError } from './forms'

type Input = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement

export interface Field {
  name: string
  input: Input
  issue: HTMLElement
  element: HTMLElement
}

/** A label, its input (given an id), an optional hint and the place for its refusal. */
export function field(name: string, label: string, input: Input, hint?: string): Field {
  if (!input.id) input.id = uid('pf')
  input.name = input.name || name
  const issue = h('p', { class: 'issue', id: `${input.id}-issue` })
  const hintId = hint ? `${input.id}-hint` : null
  input.setAttribute('aria-describedby', [issue.id, hintId].filter(Boolean).join(' '))
  const element = h('div', { class: 'field', 'data-field': name }, h('label', { for: input.id }, label), input, hint ? h('p', { class: 'hint', id: hintId }, hint) : null, issue)
  return { name, input, issue, element }
}

/** A checkbox with its label after it. */
export function checkField(name: string, label: string, checked: boolean): Field {
  const input = h('input', { type: 'checkbox', id: uid('pf'), name, checked })
  const issue = h('p', { class: 'issue', id: `${input.id}-issue` })
  input.setAttribute('aria-describedby', issue.id)
  const element = h('div', { class: 'field check', 'data-field': name }, input, h('label', { for: input.id }, label), issue)
  return { name, input, issue, element }
}

/** The fields of one form and its error box. */
export class Fields {
  readonly error = errorBox()
  private readonly byName = new Map<string, Field>()

  constructor(
    fields: Field[],
    /** Where a refusal without a field goes (the amount of a payment); null: the error box. */
    private readonly main: string | null = null
  ) {
    for (const one of fields) this.byName.set(one.name, one)
  }

  get(name: string): Field {
    const found = this.byName.get(name)
    if (!found) throw new Error(`no field ${name}`)
    return found
  }

  clear(): void {
    for (const one of this.byName.values()) {
      one.issue.textContent = ''
      one.input.removeAttribute('aria-invalid')
      one.element.classList.remove('invalid')
    }
    showError(this.error, null)
  }

  /** Say `message` under the field `path` names (its first known segments), else in the box. */
  mark(path: string, message: string): void {
    const parts = path.split('.')
    let target: Field | undefined
    for (let n = parts.length; n > 0 && !target; n--) target = this.byName.get(parts.slice(0, n).join('.'))
    if (!target) {
      showError(this.error, [this.error.textContent, message].filter(Boolean).join(' '))
      return
    }
    target.issue.textContent = [target.issue.textContent, message].filter(Boolean).join(' ')
    target.input.setAttribute('aria-invalid', 'true')
    target.element.classList.add('invalid')
  }

  /** Show a failed request: on its fields when the server named them. */
  fail(failure: unknown, explain: (failure: ApiError) => string | null = () => null): void {
    this.clear()
    if (failure instanceof ApiError) {
      const said = explain(failure)
      if (failure.details.length) {
        for (const detail of failure.details) this.mark(detail.path, detail.message)
        return
      }
      if (said === '') return // the explanation marked its field itself
      if (failure.status === 422 && this.main) {
        this.mark(this.main, said ?? failure.error)
        return
      }
      if (said) {
        showError(this.error, said)
        return
      }
    }
    showError(this.error, failureText(failure))
  }
}

/** Today in the browser's zone, as an ISO date. */
export function today(): string {
  const now = new Date()
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}
