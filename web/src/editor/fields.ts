// A labelled field: label, input, presence marker and validation message, found by its path.

import { h, uid } from '../dom'
import type { Input } from './bind'

export interface FieldOptions {
  className?: string
  /** Visually hidden label (the column header shows it), still read by screen readers. */
  hiddenLabel?: boolean
  after?: HTMLElement
}

export function field(label: string, input: Input, path: string, options: FieldOptions = {}): HTMLElement {
  const id = input.id || uid('in')
  const issueId = `${id}-issue`
  input.id = id
  input.setAttribute('aria-describedby', issueId)
  return h(
    'div',
    { class: `field ${options.className ?? ''}`, 'data-field': path },
    h('label', { for: id, class: options.hiddenLabel ? 'visually-hidden' : null }, label),
    h('div', { class: 'control' }, input, options.after ?? null, h('span', { class: 'marker', 'aria-hidden': 'true' })),
    h('p', { class: 'issue', id: issueId })
  )
}

export function input(attrs: Record<string, string | boolean> = {}): HTMLInputElement {
  return h('input', { type: 'text', autocomplete: 'off', ...attrs })
}

export function select(options: [string, string][], attrs: Record<string, string> = {}): HTMLSelectElement {
  return h('select', attrs, ...options.map(([value, text]) => h('option', { value }, text)))
}

export function textarea(attrs: Record<string, string> = {}): HTMLTextAreaElement {
  return h('textarea', { rows: '2', ...attrs })
}
