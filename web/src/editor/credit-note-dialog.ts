// "Credit note" on an issued invoice: a modal that credits the whole invoice or chosen lines
// (each with its description and net amount, from the server's reading of the frozen
// document), POST /api/invoices/{id}/credit-notes, then opens the new draft. The server's
// refusal (nothing left to credit, a line credited already) is shown in the dialog.

import { ApiError, call, type InvoiceDetail } from '../api'
import { h, uid } from '../dom'
import { formatMoney } from '../format'
import { t } from '../i18n'
import { DEFAULT_CURRENCY } from '../schema'
import { createCreditNote } from './workflow-api'

interface LineChoice {
  id: string
  box: HTMLInputElement
}

function lineRows(detail: InvoiceDetail): { rows: HTMLElement[]; choices: LineChoice[] } {
  const currency = detail.totals?.currency ?? detail.currency ?? DEFAULT_CURRENCY
  const nets = detail.totals?.line_nets ?? {}
  const choices: LineChoice[] = []
  const rows = detail.lines.flatMap((line, index) => {
    const id = typeof line.id === 'string' ? line.id : null
    if (!id) return []
    const boxId = uid('cn-line')
    const box = h('input', { type: 'checkbox', id: boxId, value: id, disabled: true })
    choices.push({ id, box })
    const description = typeof line.description === 'string' && line.description ? line.description : t('line_n', { n: index + 1 })
    const net = nets[id]
    return [
      h(
        'li',
        { 'data-line': id },
        box,
        h('label', { for: boxId }, h('span', {}, description), h('span', { class: 'num' }, net === undefined ? '' : formatMoney(net, currency)))
      )
    ]
  })
  return { rows, choices }
}

/** Open the dialog; resolves once it is closed (after navigating to the new draft, or not). */
export async function creditNoteDialog(invoiceId: string): Promise<void> {
  const detail = await call<InvoiceDetail>('GET', `/api/invoices/${encodeURIComponent(invoiceId)}`)
  const titleId = uid('cn')
  const group = `${titleId}-scope`
  const { rows, choices } = lineRows(detail)
  const whole = h('input', { type: 'radio', name: group, id: `${group}-whole`, value: 'whole', checked: true })
  const some = h('input', { type: 'radio', name: group, id: `${group}-lines`, value: 'lines', disabled: choices.length === 0 })
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  const warnings = h('div', { class: 'banner', role: 'status', hidden: true })
  const ok = h('button', { type: 'submit', class: 'primary' }, t('credit_note_create'))
  const cancel = h('button', { type: 'button', class: 'secondary' }, t('cancel'))
  const list = h('ul', { class: 'credit-lines', 'aria-label': t('credit_note_lines') }, ...rows)
  const scope = h(
    'fieldset',
    { class: 'credit-scope' },
    h('legend', {}, t('credit_note_scope')),
    h('div', { class: 'choice' }, whole, h('label', { for: whole.id }, t('credit_note_whole'))),
    h('div', { class: 'choice' }, some, h('label', { for: some.id }, t('credit_note_some'))),
    list
  )
  const form = h(
    'form',
    { method: 'dialog', novalidate: true },
    h('h2', { id: titleId }, t('credit_note_title', { number: detail.number ?? '' })),
    h('p', { class: 'hint' }, t('credit_note_intro')),
    scope,
    warnings,
    error,
    h('div', { class: 'dialog-actions' }, cancel, ok)
  )
  const dialog = h('dialog', { class: 'confirm credit-note-dialog', 'aria-labelledby': titleId }, form)
  const pick = (): void => {
    for (const choice of choices) choice.box.disabled = !some.checked
  }
  whole.addEventListener('change', pick)
  some.addEventListener('change', pick)
  document.body.append(dialog)

  await new Promise<void>((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove()
      resolve()
    })
    cancel.addEventListener('click', () => dialog.close())
    // Set once the credit note exists: the button then only opens it.
    let open: (() => void) | null = null
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      if (open) return open()
      const chosen = choices.filter((c) => c.box.checked).map((c) => c.id)
      if (some.checked && chosen.length === 0) {
        error.textContent = t('credit_note_pick_lines')
        error.hidden = false
        return
      }
      ok.disabled = true
      error.hidden = true
      createCreditNote(invoiceId, some.checked ? chosen : undefined).then(
        (made) => {
          open = () => {
            dialog.close()
            location.hash = `#/invoices/${made.id}`
          }
          if (!made.warnings?.length) return open()
          // Made, but not all of it could be carried over: say what before opening it.
          warnings.replaceChildren(h('p', {}, t('credit_note_warnings')), h('ul', {}, ...made.warnings.map((w) => h('li', {}, w))))
          warnings.hidden = false
          scope.disabled = true
          cancel.hidden = true
          ok.textContent = t('credit_note_open')
          ok.disabled = false
        },
        (failure: unknown) => {
          ok.disabled = false
          error.textContent = failure instanceof ApiError ? failure.error : String(failure)
          error.hidden = false
        }
      )
    })
    dialog.showModal()
    ok.focus()
  })
}
