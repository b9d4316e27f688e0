// The payment block of the form: what the customer already paid (BT-113) and the rounding of
// the amount due (BT-114), with the amount due (BT-115 = gross − paid + rounding) beside them.
// In the form rather than the totals panel so that their messages, locks and comments sit on
// the fields like every other one's; the totals panel repeats the figures.

import { h } from '../dom'
import { formatMoney } from '../format'
import { t } from '../i18n'
import type { Totals } from '../money'
import { bind, type BindContext, type Binding } from './bind'
import { field, input } from './fields'
import { section, type Section } from './form'

export interface PaymentSection extends Section {
  /** Show the amount due of the totals being shown ('—' when there are none). */
  showDue(totals: Pick<Totals, 'currency' | 'due'> | null): void
}

export function paymentSection(context: BindContext): PaymentSection {
  const bindings: Binding[] = []
  const amount = (path: string): HTMLInputElement => {
    const element = input({ inputmode: 'decimal', class: 'num' })
    bindings.push(bind(context, element, path, 'decimal'))
    return element
  }
  const prepaid = amount('invoice.prepaid')
  const rounding = amount('invoice.rounding')
  const due = h('output', { class: 'due', 'data-testid': 'payment-due', 'aria-label': t('amount_due') })
  const element = section(
    'payment_section',
    'sec-payment',
    h(
      'div',
      { class: 'grid' },
      field(t('prepaid_amount'), prepaid, 'invoice.prepaid'),
      field(t('rounding_amount'), rounding, 'invoice.rounding'),
      h('div', { class: 'field payment-due' }, h('span', { class: 'label' }, t('amount_due')), due)
    ),
    h('p', { class: 'hint' }, t('rounding_hint'))
  )
  return {
    element,
    bindings,
    showDue(totals) {
      due.value = totals ? formatMoney(totals.due, totals.currency) : '—'
    }
  }
}
