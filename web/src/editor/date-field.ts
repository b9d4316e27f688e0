// A date field of the editor: one text input (one tab stop) in the locale's order, bound as
// kind 'date' (date-input.ts), with a calendar button for the mouse that opens the browser's
// own date picker. The button stays out of the tab order: the keyboard types the date.

import { datePattern, formatDateInput, readDateInput } from '../date-input'
import { h } from '../dom'
import { locale, t } from '../i18n'
import { bind, type BindContext, type Binding } from './bind'
import { field, input } from './fields'

function calendar(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg'
  const svg = document.createElementNS(ns, 'svg')
  svg.setAttribute('viewBox', '0 0 16 16')
  svg.setAttribute('width', '14')
  svg.setAttribute('height', '14')
  svg.setAttribute('aria-hidden', 'true')
  const path = document.createElementNS(ns, 'path')
  path.setAttribute('d', 'M2.5 3.5h11v10h-11zM2.5 6.5h11M5 2v3M11 2v3')
  path.setAttribute('fill', 'none')
  path.setAttribute('stroke', 'currentColor')
  path.setAttribute('stroke-width', '1.4')
  svg.append(path)
  return svg
}

export function dateField(context: BindContext, label: string, path: string, bindings: Binding[]): HTMLElement {
  const text = input({ inputmode: 'numeric', placeholder: datePattern(locale()), class: 'date' })
  const binding = bind(context, text, path, 'date')
  bindings.push(binding)
  // The browser's picker, opened by the button; what it picks is typed into the text input.
  const picker = h('input', { type: 'date', tabindex: '-1', class: 'date-picker', 'aria-hidden': 'true' })
  picker.addEventListener('change', () => {
    if (!picker.value) return
    text.value = formatDateInput(picker.value, locale())
    text.dispatchEvent(new Event('input', { bubbles: true })) // the binding writes it
  })
  const open = h(
    'button',
    {
      type: 'button',
      class: 'icon date-open',
      tabindex: '-1',
      'aria-label': t('pick_date'),
      disabled: context.readOnly,
      onclick: () => {
        if (text.readOnly || text.disabled) return
        const typed = readDateInput(text.value, locale())
        picker.value = /^\d{4}-\d{2}-\d{2}$/.test(typed) ? typed : ''
        try {
          picker.showPicker()
        } catch {
          text.focus() // no picker in this browser: type the date
        }
      }
    },
    calendar()
  )
  return field(label, text, path, { after: h('span', { class: 'date-tools' }, open, picker) })
}
