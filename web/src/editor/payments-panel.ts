// The "Payments" panel of an issued invoice (docs/payments.md): its balance (due, paid,
// outstanding, overpaid), the payments and refunds by date, and for accountants and admins
// (`payment.manage`) the form that records a payment. A recording moves the invoice to
// partially paid or paid: `recorded` tells the editor, whose header reads the state again.
// The same people get the public payment page's link (docs/paypage.md): shown on request,
// copied, and replaced by a new one ("New link", asked first: the old link dies).

import { ApiError } from '../api'
import { h, replaceChildren, uid } from '../dom'
import { formatDate, formatMoney, refusalText, toDocDecimal } from '../format'
import { hasKey, t, type Key } from '../i18n'
import { METHODS, newPaymentLink, paymentLink, payments, recordPayment, type Balance, type Method, type PaymentLink, type PaymentList } from '../paid-api'
import { failureText } from '../view'
import { confirmAction } from '../views/dialog'
import { field, Fields, today } from '../views/paid-fields'

/** Statuses that take payments. */
const PAYABLE = new Set(['issued', 'partially_paid', 'paid'])

export function methodText(method: string): string {
  const key = `pay_method_${method}`
  return hasKey(key) ? t(key) : method
}

/** The balance as a definition list; `overpaid` only when something was. */
export function balanceList(balance: Balance): HTMLElement {
  const money = (value: string): string => formatMoney(value, balance.currency)
  const pair = (label: Key, value: string, testId: string): HTMLElement[] => [h('dt', {}, t(label)), h('dd', { 'data-testid': testId }, money(value))]
  const overpaid = Number(balance.overpaid) > 0
  return h(
    'dl',
    { class: 'credit-summary balance' },
    ...pair('pay_due', balance.due, 'pay-due'),
    ...pair('pay_paid', balance.paid, 'pay-paid'),
    ...pair('pay_outstanding', balance.outstanding, 'pay-outstanding'),
    ...(overpaid ? pair('pay_overpaid', balance.overpaid, 'pay-overpaid') : [])
  )
}

export class PaymentsPanel {
  readonly element: HTMLElement
  private readonly summary = h('div')
  private readonly list = h('ul', { class: 'credit-list payment-list' })
  private readonly error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  private readonly form: HTMLElement | null
  private readonly link: HTMLElement | null
  private loads = 0

  constructor(
    private readonly invoiceId: string,
    canRecord: boolean,
    private readonly recorded: () => void
  ) {
    const id = 'payments-title'
    this.form = canRecord ? this.recordForm() : null
    this.link = canRecord ? this.linkBox() : null
    this.element = h(
      'section',
      { class: 'payments card', 'aria-labelledby': id, 'data-testid': 'payments', hidden: true },
      h('div', { class: 'history-head' }, h('h2', { id }, t('payments')), h('button', { type: 'button', class: 'secondary small', onclick: () => void this.load() }, t('history_refresh'))),
      this.error,
      this.summary,
      this.list,
      this.form,
      this.link
    )
  }

  /** Shown on issued, paid and cancelled invoices (refunds); the form only where payments go. */
  async show(status: string | null): Promise<void> {
    this.element.hidden = status === null
    if (status === null) return
    if (this.form) this.form.hidden = !PAYABLE.has(status)
    if (this.link) this.link.hidden = !PAYABLE.has(status)
    await this.load()
  }

  async load(): Promise<void> {
    const mine = ++this.loads
    try {
      const found = await payments(this.invoiceId)
      if (mine !== this.loads) return
      this.draw(found)
      this.error.hidden = true
    } catch (failure) {
      if (mine !== this.loads) return
      this.error.textContent = failureText(failure)
      this.error.hidden = false
    }
  }

  private draw(found: PaymentList): void {
    replaceChildren(this.summary, found.balance ? balanceList(found.balance) : null)
    replaceChildren(
      this.list,
      ...(found.items.length
        ? found.items.map((p) =>
            h(
              'li',
              { 'data-id': p.id, 'data-kind': p.kind },
              h('span', {}, formatDate(p.date), ' · ', p.kind === 'refund' ? t('pay_refund') : methodText(p.method), p.reference ? ` · ${p.reference}` : ''),
              h('span', { class: 'num' }, (p.kind === 'refund' ? '− ' : '') + formatMoney(p.amount, p.currency))
            )
          )
        : [h('li', { class: 'empty' }, t('payments_none'))])
    )
    if (this.form) this.form.hidden = !PAYABLE.has(found.status)
    if (this.link) this.link.hidden = !PAYABLE.has(found.status)
  }

  /** The payment page's link: fetched on request (the first request makes it), copied,
   * opened, or replaced by a new one after a confirmation. */
  private linkBox(): HTMLElement {
    const url = h('input', { type: 'text', id: uid('pl'), readonly: true, 'data-testid': 'payment-link' })
    const open = h('a', { href: '#', target: '_blank', rel: 'noopener noreferrer', class: 'paylink-open' }, t('paylink_open'))
    const said = h('p', { class: 'saved', role: 'status' })
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true })
    const fill = (found: PaymentLink): void => {
      url.value = found.url
      open.href = found.url
      shown.hidden = false
      show.hidden = true
    }
    const fail = (failure: unknown): void => {
      error.textContent = failureText(failure)
      error.hidden = false
    }
    const show = h('button', { type: 'button', class: 'secondary small' }, t('paylink_show'))
    show.addEventListener('click', () => {
      show.disabled = true
      error.hidden = true
      paymentLink(this.invoiceId)
        .then(fill, fail)
        .finally(() => (show.disabled = false))
    })
    const copy = h('button', { type: 'button', class: 'secondary small' }, t('copy_link'))
    copy.addEventListener('click', () => {
      url.select()
      navigator.clipboard.writeText(url.value).then(
        () => (said.textContent = t('copied')),
        () => (said.textContent = t('copy_by_hand')) // no clipboard (plain http): the text is selected
      )
    })
    const renew = h('button', { type: 'button', class: 'secondary small danger' }, t('paylink_new'))
    renew.addEventListener('click', () => {
      said.textContent = ''
      void confirmAction({
        title: t('paylink_new_title'),
        text: t('paylink_new_text'),
        confirm: t('paylink_new_confirm'),
        danger: true,
        run: async () => fill(await newPaymentLink(this.invoiceId))
      }).then((made) => {
        if (made) said.textContent = t('paylink_replaced')
      })
    })
    const shown = h(
      'div',
      { class: 'paylink-shown', hidden: true },
      h('label', { for: url.id }, t('paylink_label')),
      h('div', { class: 'copy-row' }, url, copy),
      h('div', { class: 'form-actions' }, open, renew)
    )
    return h(
      'details',
      { class: 'payment-new paylink', 'data-testid': 'payment-link-box' },
      h('summary', {}, t('paylink_title')),
      h('p', { class: 'hint' }, t('paylink_hint')),
      error,
      show,
      shown,
      said
    )
  }

  private recordForm(): HTMLElement {
    const amount = field('amount', t('pay_amount'), h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', required: true }))
    const date = field('date', t('pay_date'), h('input', { type: 'date', value: today(), required: true }))
    const method = field('method', t('pay_method'), h('select', {}, ...METHODS.map((m) => h('option', { value: m }, methodText(m)))))
    const reference = field('reference', t('pay_reference'), h('input', { type: 'text', maxlength: '140', autocomplete: 'off' }))
    const fields = new Fields([amount, date, method, reference], 'amount')
    const submit = h('button', { type: 'submit', class: 'small' }, t('pay_record'))
    const done = h('p', { class: 'saved', role: 'status' })
    const form = h(
      'form',
      { class: 'payment-form', novalidate: true, 'data-testid': 'payment-form' },
      h('div', { class: 'payment-grid' }, amount.element, date.element, method.element, reference.element),
      fields.error,
      h('div', { class: 'form-actions' }, submit, done)
    )
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      fields.clear()
      done.textContent = ''
      const typed = amount.input.value.trim()
      if (!typed) return fields.mark('amount', t('pay_amount_needed'))
      const reading = toDocDecimal(typed)
      if (!reading.ok) return fields.mark('amount', refusalText(typed, reading))
      if (!date.input.value) return fields.mark('date', t('pay_date_needed'))
      submit.disabled = true
      const ref = reference.input.value.trim()
      recordPayment(this.invoiceId, { amount: reading.value, date: date.input.value, method: method.input.value as Method, ...(ref ? { reference: ref } : {}) })
        .then(async (answer) => {
          amount.input.value = ''
          reference.input.value = ''
          done.textContent = t('pay_recorded', { amount: formatMoney(answer.amount, answer.currency) })
          await this.load()
          this.recorded()
        })
        .catch((failure: unknown) => fields.fail(failure, amountText))
        .finally(() => (submit.disabled = false))
    })
    return h('details', { class: 'payment-new', open: true }, h('summary', {}, t('pay_record_title')), form)
  }
}

/** The 422's reason in the UI's language when it is one we know. */
function amountText(failure: ApiError): string | null {
  const key = `pay_refused_${failure.code ?? ''}`
  return hasKey(key) ? t(key) : null
}
