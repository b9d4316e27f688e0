// "E-mail" and "Reminders" panels of an issued invoice (docs/mail.md, docs/reminders.md): the
// messages sent about it (to, when, status) and "Send by e-mail" (to, cc, a note; for
// accountants, approvers and admins); the reminder log (sent and skipped steps, with the late
// charges shown) and "Send a reminder now" (accountants and admins).

import { h, replaceChildren } from '../dom'
import { formatDate, formatMoney } from '../format'
import { hasKey, locale, t } from '../i18n'
import { messages, reminderLog, remindNow, sendInvoice, TONES, type Message, type Reminder, type Tone } from '../paid-api'
import { failureText } from '../view'
import { field, Fields } from '../views/paid-fields'

/** Statuses an invoice is sent and reminded in. */
export const SENDABLE = new Set(['issued', 'partially_paid', 'paid'])

export function messageStatusText(status: string): string {
  const key = `mail_status_${status}`
  return hasKey(key) ? t(key) : status
}

export function toneText(tone: string): string {
  const key = `tone_${tone}`
  return hasKey(key) ? t(key) : tone
}

export function timeText(iso: string): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
}

/** "a@x.fr, b@y.fr" → the addresses; empty entries dropped. */
function addresses(typed: string): string[] {
  return typed
    .split(/[,;\s]+/)
    .map((a) => a.trim())
    .filter(Boolean)
}

/** A titled card with a refresh button, hidden until shown. */
function card(id: string, title: string, testId: string, refresh: () => void, ...content: (HTMLElement | null)[]): HTMLElement {
  return h(
    'section',
    { class: 'card paid-panel', 'aria-labelledby': id, 'data-testid': testId, hidden: true },
    h('div', { class: 'history-head' }, h('h2', { id }, title), h('button', { type: 'button', class: 'secondary small', onclick: refresh }, t('history_refresh'))),
    ...content
  )
}

export class MailPanel {
  readonly element: HTMLElement
  private readonly list = h('ul', { class: 'credit-list message-list' })
  private readonly error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  private loads = 0

  constructor(
    private readonly invoiceId: string,
    canSend: boolean
  ) {
    this.element = card('mail-title', t('mail_sent_title'), 'mail', () => void this.load(), this.error, this.list, canSend ? this.sendForm() : null)
  }

  async show(status: string): Promise<void> {
    this.element.hidden = !SENDABLE.has(status)
    if (!this.element.hidden) await this.load()
  }

  async load(): Promise<void> {
    const mine = ++this.loads
    try {
      const { items } = await messages(this.invoiceId)
      if (mine !== this.loads) return
      replaceChildren(this.list, ...(items.length ? items.map(messageItem) : [h('li', { class: 'empty' }, t('mail_none'))]))
      this.error.hidden = true
    } catch (failure) {
      if (mine !== this.loads) return
      this.error.textContent = failureText(failure)
      this.error.hidden = false
    }
  }

  private sendForm(): HTMLElement {
    const to = field('to', t('mail_to'), h('input', { type: 'text', autocomplete: 'off', inputmode: 'email' }), t('mail_to_hint'))
    const cc = field('cc', t('mail_cc'), h('input', { type: 'text', autocomplete: 'off', inputmode: 'email' }))
    const note = field('message', t('mail_message'), h('textarea', { rows: '2', maxlength: '2000' }))
    const fields = new Fields([to, cc, note])
    const submit = h('button', { type: 'submit', class: 'small' }, t('mail_send'))
    const done = h('p', { class: 'saved', role: 'status' })
    const form = h('form', { class: 'paid-form', novalidate: true, 'data-testid': 'send-form' }, to.element, cc.element, note.element, fields.error, h('div', { class: 'form-actions' }, submit, done))
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      fields.clear()
      done.textContent = ''
      const toList = addresses(to.input.value)
      const ccList = addresses(cc.input.value)
      const message = note.input.value.trim()
      submit.disabled = true
      sendInvoice(this.invoiceId, { ...(toList.length ? { to: toList } : {}), ...(ccList.length ? { cc: ccList } : {}), ...(message ? { message } : {}) })
        .then(async (sent) => {
          note.input.value = ''
          done.textContent = t(sent.status === 'outbox' ? 'mail_in_outbox' : 'mail_queued', { to: sent.to.join(', ') })
          await this.load()
        })
        .catch((failure: unknown) =>
          fields.fail(failure, (refusal) => {
            if (refusal.code === 'no_to') {
              fields.mark('to', t('mail_no_to'))
              return ''
            }
            return null
          })
        )
        .finally(() => (submit.disabled = false))
    })
    return h('details', { class: 'paid-new' }, h('summary', {}, t('mail_send_title')), form)
  }
}

function messageItem(message: Message): HTMLElement {
  return h(
    'li',
    { 'data-id': message.id, 'data-status': message.status },
    h(
      'span',
      {},
      h('strong', {}, message.subject),
      h('br'),
      `${t('mail_to')}: ${message.to.join(', ')}`,
      message.cc.length ? ` · ${t('mail_cc')}: ${message.cc.join(', ')}` : '',
      h('br'),
      h('span', { class: 'muted' }, timeText(message.created_at), message.attachments.length ? ` · ${message.attachments.join(', ')}` : '')
    ),
    h('span', { class: `tag mail-${message.status}` }, messageStatusText(message.status))
  )
}

export class RemindersPanel {
  readonly element: HTMLElement
  private readonly list = h('ul', { class: 'credit-list reminder-list' })
  private readonly error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  private loads = 0

  constructor(
    private readonly invoiceId: string,
    canRemind: boolean,
    private readonly currency: () => string
  ) {
    this.element = card('reminders-title', t('reminders_title'), 'reminders', () => void this.load(), this.error, this.list, canRemind ? this.remindForm() : null)
  }

  async show(status: string): Promise<void> {
    this.element.hidden = !SENDABLE.has(status)
    if (!this.element.hidden) await this.load()
  }

  async load(): Promise<void> {
    const mine = ++this.loads
    try {
      const { items } = await reminderLog(this.invoiceId)
      if (mine !== this.loads) return
      replaceChildren(this.list, ...(items.length ? items.map((r) => this.item(r)) : [h('li', { class: 'empty' }, t('reminders_none'))]))
      this.error.hidden = true
    } catch (failure) {
      if (mine !== this.loads) return
      this.error.textContent = failureText(failure)
      this.error.hidden = false
    }
  }

  private item(reminder: Reminder): HTMLElement {
    const money = (value: string): string => formatMoney(value, this.currency())
    const which = reminder.step === null ? t('reminder_by_hand') : t('reminder_step', { step: reminder.step, days: reminder.days })
    const charges = Number(reminder.interest) > 0 || Number(reminder.indemnity) > 0
    return h(
      'li',
      { 'data-id': reminder.id, 'data-status': reminder.status },
      h(
        'span',
        {},
        h('strong', {}, which),
        ` · ${toneText(reminder.tone)} · ${formatDate(reminder.created_at.slice(0, 10))}`,
        h('br'),
        reminder.status === 'sent'
          ? t('reminder_amounts', { outstanding: money(reminder.outstanding) }) + (charges ? ` · ${t('reminder_charges', { interest: money(reminder.interest), indemnity: money(reminder.indemnity) })}` : '')
          : h('span', { class: 'muted' }, t('reminder_skipped_because', { reason: reminder.reason ?? '' }))
      ),
      h('span', { class: `tag reminder-${reminder.status}` }, reminder.status === 'sent' ? t('reminder_sent') : t('reminder_skipped'))
    )
  }

  private remindForm(): HTMLElement {
    const tone = field('tone', t('reminder_tone'), h('select', {}, ...TONES.map((x) => h('option', { value: x, selected: x === 'firm' }, toneText(x)))))
    const note = field('message', t('mail_message'), h('textarea', { rows: '2', maxlength: '2000' }))
    const fields = new Fields([tone, note])
    const submit = h('button', { type: 'submit', class: 'small' }, t('reminder_send_now'))
    const done = h('p', { class: 'saved', role: 'status' })
    const form = h('form', { class: 'paid-form', novalidate: true, 'data-testid': 'remind-form' }, tone.element, note.element, fields.error, h('div', { class: 'form-actions' }, submit, done))
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      fields.clear()
      done.textContent = ''
      const message = note.input.value.trim()
      submit.disabled = true
      remindNow(this.invoiceId, { tone: tone.input.value as Tone, ...(message ? { message } : {}) })
        .then(async () => {
          note.input.value = ''
          done.textContent = t('reminder_done')
          await this.load()
        })
        .catch((failure: unknown) => fields.fail(failure))
        .finally(() => (submit.disabled = false))
    })
    return h('details', { class: 'paid-new' }, h('summary', {}, t('reminder_send_now')), form)
  }
}
