// Inputs bound to document fields. A local edit writes the field at once; a remote change
// updates the input, keeping the caret where the person was typing.

import type * as Y from 'yjs'

import { formatDateInput, readDateInput } from '../date-input'
import type { Reading } from '../decimal-input'
import { formatDecimal, refusalText, toDocDecimal, toInputDecimal } from '../format'
import { locale } from '../i18n'
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

export type Kind = 'string' | 'decimal' | 'text' | 'upper' | 'date'

export function bind(context: BindContext, input: Input, path: string, kind: Kind): Binding {
  const read = (shown: string): Reading => {
    if (kind === 'decimal') return toDocDecimal(shown)
    if (kind === 'date') return { ok: true, value: readDateInput(shown, locale()) }
    return { ok: true, value: kind === 'upper' ? shown.trim().toUpperCase() : shown }
  }
  const toShown = (stored: string): string => {
    if (kind === 'decimal') return toInputDecimal(stored)
    return kind === 'date' ? formatDateInput(stored, locale()) : stored
  }
  /** The typed text stands for what is stored: equal, or refused while the field is empty
   * (a refused number empties the field in the document, see below). */
  const matches = (stored: string): boolean => {
    const reading = read(input.value)
    return reading.ok ? reading.value === stored : stored === ''
  }

  if (context.readOnly && context.selectable && input instanceof HTMLTextAreaElement) input.readOnly = true
  else input.disabled = context.readOnly
  input.dataset.path = path
  input.addEventListener(input instanceof HTMLSelectElement ? 'change' : 'input', () => {
    if (context.readOnly) return
    const reading = read(input.value)
    showRefusal(input, reading.ok ? null : refusalText(input.value, reading))
    if (kind === 'decimal') showParsed(input, reading.ok ? reading.value : null)
    // A refused number empties the field rather than keep what the previous keystroke wrote
    // ("1.00" on the way to an ambiguous "1.000"): the line stops counting, nothing is guessed.
    const value = reading.ok ? reading.value : ''
    if (kind === 'text') editText(context.doc(), path, value, LOCAL)
    else if (reading.ok || readField(context.doc(), path) !== '') writeField(context.doc(), path, value, LOCAL)
  })
  input.addEventListener('focus', () => context.focus(path))
  input.addEventListener('blur', () => {
    context.focus(null)
    if (kind === 'decimal') showParsed(input, null)
    // Show what is stored, in this locale's spelling ("eur" → "EUR", "12.5" → "12,5"); a
    // refused number stays as typed, with its message, for the person to correct it.
    if (input.dataset.refused) return
    const shown = toShown(readField(context.doc(), path))
    if (!(input instanceof HTMLSelectElement) && input.value !== shown) input.value = shown
  })

  const refresh = (): void => {
    const stored = readField(context.doc(), path)
    if (matches(stored)) return // what the person typed is what is stored
    if (input instanceof HTMLSelectElement && !stored && input.selectedIndex === 0) return
    showRefusal(input, null) // someone else wrote the field: their value replaces the text
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

/** Say on the field why the typed number was not taken (or stop saying it). The message is
 * kept on the input so that the validation messages drawn later (issues.ts) keep it. */
function showRefusal(input: Input, message: string | null): void {
  if ((input.dataset.refused ?? null) === message) return
  if (message === null) delete input.dataset.refused
  else input.dataset.refused = message
  const field = input.closest<HTMLElement>('.field')
  const issue = field?.querySelector('.issue')
  if (issue) issue.textContent = message ?? ''
  field?.classList.toggle('invalid', message !== null)
  input.setAttribute('aria-invalid', String(message !== null))
}

/** While a number is typed, say beside it how it was read, grouped the locale's way ("1,000"
 * typed in English: "= 1,000"; "1 000,5" in French: "= 1 000,5"), so a separator read otherwise
 * than meant shows at once (issue 13). Nothing for empty or non-number text. */
function showParsed(input: Input, value: string | null): void {
  const next = input.nextElementSibling
  let hint = next instanceof HTMLElement && next.classList.contains('parsed') ? next : null
  const text = value !== null && /^-?[0-9]+(\.[0-9]+)?$/.test(value) ? `= ${formatDecimal(value)}` : ''
  if (!hint) {
    if (!text) return
    hint = document.createElement('span')
    hint.className = 'parsed'
    hint.id = `${input.id || input.dataset.path || 'field'}-parsed`.replace(/[^A-Za-z0-9_-]/g, '-')
    input.insertAdjacentElement('afterend', hint)
    const described = input.getAttribute('aria-describedby')
    input.setAttribute('aria-describedby', described ? `${described} ${hint.id}` : hint.id)
  }
  hint.textContent = text
  hint.hidden = !text
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
