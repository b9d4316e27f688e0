// Inputs bound to document fields. A local edit writes the field at once; a remote change
// updates the input, keeping the caret where the person was typing.

import type * as Y from 'yjs'

import { toDocDecimal, toInputDecimal } from '../format'
import { diff, editText, readField, writeField } from './ydoc'
import { LOCAL } from './live'

export type Input = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement

export interface Binding {
  path: string
  input: Input
  refresh(): void
}

export interface BindContext {
  doc(): Y.Doc
  focus(path: string | null): void
  readOnly: boolean
  /** Read-only text areas stay selectable (for comments on a text range). */
  selectable?: boolean
}

export type Kind = 'string' | 'decimal' | 'text' | 'upper'

export function bind(context: BindContext, input: Input, path: string, kind: Kind): Binding {
  const toDoc = (shown: string): string => {
    if (kind === 'decimal') return toDocDecimal(shown)
    if (kind === 'upper') return shown.trim().toUpperCase()
    return shown
  }
  const toShown = (stored: string): string => (kind === 'decimal' ? toInputDecimal(stored) : stored)

  if (context.readOnly && context.selectable && input instanceof HTMLTextAreaElement) input.readOnly = true
  else input.disabled = context.readOnly
  input.dataset.path = path
  input.addEventListener(input instanceof HTMLSelectElement ? 'change' : 'input', () => {
    if (context.readOnly) return
    const value = toDoc(input.value)
    if (kind === 'text') editText(context.doc(), path, value, LOCAL)
    else writeField(context.doc(), path, value, LOCAL)
  })
  input.addEventListener('focus', () => context.focus(path))
  input.addEventListener('blur', () => {
    context.focus(null)
    // Show what is stored, in this locale's spelling ("eur" → "EUR", "12.5" → "12,5").
    const shown = toShown(readField(context.doc(), path))
    if (!(input instanceof HTMLSelectElement) && input.value !== shown) input.value = shown
  })

  const refresh = (): void => {
    const stored = readField(context.doc(), path)
    if (toDoc(input.value) === stored) return // what the person typed is what is stored
    if (input instanceof HTMLSelectElement && !stored && input.selectedIndex === 0) return
    const shown = toShown(stored)
    if (input instanceof HTMLSelectElement) {
      // An empty field shows the first choice, which is the server's default for it.
      const value = shown || input.options[0]?.value || ''
      ensureOption(input, value)
      input.value = value
      return
    }
    replaceKeepingCaret(input, shown)
  }
  refresh()
  return { path, input, refresh }
}

/** A select shows values outside its list too (another client may write any code). */
function ensureOption(select: HTMLSelectElement, value: string): void {
  if (![...select.options].some((option) => option.value === value)) {
    select.add(new Option(value, value))
  }
}

function replaceKeepingCaret(input: HTMLInputElement | HTMLTextAreaElement, next: string): void {
  const focused = document.activeElement === input
  let start = input.selectionStart
  let end = input.selectionEnd
  const change = diff(input.value, next)
  input.value = next
  if (!focused || start === null || end === null) return
  const shift = (position: number): number => {
    if (position <= change.start) return position
    if (position >= change.start + change.removed) return position - change.removed + change.inserted.length
    return change.start + change.inserted.length
  }
  start = shift(start)
  end = shift(end)
  try {
    input.setSelectionRange(start, end)
  } catch {
    // inputs of type date or number have no selection
  }
}
