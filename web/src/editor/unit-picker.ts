// The unit of a line: a text input with one shared list of suggestions, the common units first
// (with their names, in the page's language), then every other UN/ECE Recommendation 20 and 21
// code. The browser's own list control filters it as people type a code or a name, and it is
// keyboard accessible as any input (arrow keys to move through the suggestions, Enter to pick).

import { h } from '../dom'
import { language } from '../i18n'
import { COMMON_UNITS, UNIT_CODES } from '../tables'

const LIST_ID = 'unit-codes'
let builtFor: string | null = null

/** The name of a unit in the page's language: common units only (the others have their code). */
export function unitName(code: string): string | undefined {
  const unit = COMMON_UNITS.find((candidate) => candidate.code === code)
  return unit ? (language() === 'fr' ? unit.fr : unit.en) : undefined
}

/** The shared suggestion list, built once per language (about two thousand options). */
function ensureList(): string {
  const lang = language()
  let list = document.getElementById(LIST_ID)
  if (list && builtFor === lang) return LIST_ID
  list?.remove()
  const common = new Set(COMMON_UNITS.map((unit) => unit.code))
  const options = [
    ...COMMON_UNITS.map((unit) => h('option', { value: unit.code, label: `${unit.code} — ${unitName(unit.code)}` })),
    ...[...UNIT_CODES].filter((code) => !common.has(code)).map((code) => h('option', { value: code }))
  ]
  list = h('datalist', { id: LIST_ID }, ...options)
  document.body.append(list)
  builtFor = lang
  return LIST_ID
}

export function unitInput(): HTMLInputElement {
  return h('input', {
    type: 'text',
    class: 'unit',
    list: ensureList(),
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: '3',
    autocapitalize: 'characters'
  })
}
