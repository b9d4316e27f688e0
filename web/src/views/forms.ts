// Small helpers for the plain forms (sign in, first run, two-factor).

import { h, uid } from '../dom'

export function labelled(label: string, attrs: Record<string, string | boolean>, hint?: string): { element: HTMLElement; input: HTMLInputElement } {
  const id = uid('in')
  const hintId = hint ? `${id}-hint` : null
  const input = h('input', { id, 'aria-describedby': hintId, ...attrs })
  const element = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    input,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null
  )
  return { element, input }
}

export function errorBox(): HTMLElement {
  return h('p', { class: 'form-error', role: 'alert', hidden: true })
}

export function showError(box: HTMLElement, text: string | null): void {
  box.textContent = text ?? ''
  box.hidden = !text
}
