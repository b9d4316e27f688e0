// A modal confirmation (the native <dialog>): a title, what will happen, an optional reason box,
// and the action itself run from the dialog, so a refusal is shown where the person is looking.

import { ApiError } from '../api'
import { h, uid } from '../dom'
import { t } from '../i18n'

export interface ConfirmOptions {
  title: string
  text: string
  confirm: string
  /** Ask for a reason (required): its label. */
  reason?: string
  danger?: boolean
  /** Carry out the action; a thrown error is shown in the dialog, which stays open. */
  run(reason: string): Promise<void>
}

/** Open the dialog; resolves true once `run` succeeded, false when cancelled. */
export function confirmAction(options: ConfirmOptions): Promise<boolean> {
  const titleId = uid('dlg')
  const textId = `${titleId}-text`
  const reasonId = `${titleId}-reason`
  const reason = options.reason ? h('textarea', { id: reasonId, rows: '3', required: true, maxlength: '2000' }) : null
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  const ok = h('button', { type: 'submit', class: options.danger ? 'primary danger' : 'primary' }, options.confirm)
  const cancel = h('button', { type: 'button', class: 'secondary' }, t('cancel'))
  const form = h(
    'form',
    { method: 'dialog', novalidate: true },
    h('h2', { id: titleId }, options.title),
    h('p', { id: textId }, options.text),
    reason ? h('div', { class: 'field' }, h('label', { for: reasonId }, options.reason ?? ''), reason) : null,
    error,
    h('div', { class: 'dialog-actions' }, cancel, ok)
  )
  const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': titleId, 'aria-describedby': textId }, form)
  document.body.append(dialog)
  return new Promise<boolean>((resolve) => {
    let done = false
    const close = (result: boolean): void => {
      done = result
      dialog.close()
    }
    dialog.addEventListener('close', () => {
      dialog.remove()
      resolve(done)
    })
    cancel.addEventListener('click', () => close(false))
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      const why = reason?.value.trim() ?? ''
      if (reason && !why) {
        error.textContent = t('reason_needed')
        error.hidden = false
        reason.focus()
        return
      }
      ok.disabled = true
      error.hidden = true
      options.run(why).then(
        () => close(true),
        (failure: unknown) => {
          ok.disabled = false
          error.textContent = failure instanceof ApiError ? failure.error : String(failure)
          error.hidden = false
        }
      )
    })
    dialog.showModal()
    ;(reason ?? ok).focus()
  })
}
