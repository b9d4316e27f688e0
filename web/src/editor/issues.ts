// Validation messages on their fields (aria-invalid + the message under the input); messages
// whose field is not on screen go to the list at the top of the form.

import { h, replaceChildren } from '../dom'
import { issueText } from '../i18n'
import type { Issue } from '../evaluate'

export function renderIssues(root: HTMLElement, general: HTMLElement, issues: readonly Issue[]): void {
  const byPath = new Map<string, Issue[]>()
  for (const issue of issues) byPath.set(issue.path, [...(byPath.get(issue.path) ?? []), issue])
  const placed = new Set<string>()
  root.querySelectorAll<HTMLElement>('.field[data-field]').forEach((element) => {
    const path = element.dataset.field ?? ''
    const found = byPath.get(path) ?? []
    // A number the person typed and the editor refused (bind.ts) is what the field must say.
    const refused = element.querySelector<HTMLElement>('[data-refused]')?.dataset.refused
    // What the person typed, for the messages that quote it ("“1e3” uses exponent notation").
    const typed = element.querySelector<HTMLInputElement>('input, select, textarea')?.value.trim()
    const vars: Record<string, string> = typed === undefined ? {} : { value: typed }
    const text = refused ?? found.map((issue) => issueText(issue.code, issue.message, vars)).join(' ')
    const message = element.querySelector('.issue')
    if (message && message.textContent !== text) message.textContent = text
    // Only an error makes the field invalid (it stops a submit); a warning is said, not alarmed.
    const errors = refused !== undefined || found.some((issue) => (issue.severity ?? 'error') === 'error')
    element.classList.toggle('invalid', errors)
    element.classList.toggle('warned', found.length > 0 && !errors)
    element.querySelector('input, select, textarea')?.setAttribute('aria-invalid', String(errors))
    if (found.length) placed.add(path)
  })
  const rest = issues.filter((issue) => !placed.has(issue.path))
  general.hidden = rest.length === 0
  replaceChildren(general, ...rest.map((issue) => h('li', {}, `${issue.path}: ${issueText(issue.code, issue.message)}`)))
}
