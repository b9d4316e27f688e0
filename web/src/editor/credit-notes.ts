// The "Credit notes" panel of an issued invoice: how much is credited (issued credit notes
// only), what remains, and each credit note with its number, status and a link. Read when the
// invoice's workflow moves (a credit note's issue can cancel it) and on "Refresh".

import { h, replaceChildren } from '../dom'
import { formatMoney } from '../format'
import { t } from '../i18n'
import { statusText } from '../views/list'
import { failureText } from '../view'
import { listCreditNotes, type CreditNotes } from './workflow-api'

export class CreditNotesPanel {
  readonly element: HTMLElement
  private readonly summary = h('dl', { class: 'credit-summary' })
  private readonly list = h('ul', { class: 'credit-list' })
  private readonly error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  private loads = 0

  constructor(private readonly invoiceId: string) {
    const id = 'credit-notes-title'
    const refresh = h('button', { type: 'button', class: 'secondary small', onclick: () => void this.load() }, t('history_refresh'))
    this.element = h(
      'section',
      { class: 'credit-notes card', 'aria-labelledby': id, 'data-testid': 'credit-notes', hidden: true },
      h('div', { class: 'history-head' }, h('h2', { id }, t('credit_notes')), refresh),
      this.error,
      this.summary,
      this.list
    )
  }

  /** Shown on issued (and paid, cancelled) invoices only; hidden ones read nothing. */
  async show(visible: boolean): Promise<void> {
    this.element.hidden = !visible
    if (visible) await this.load()
  }

  async load(): Promise<void> {
    const mine = ++this.loads
    try {
      const found = await listCreditNotes(this.invoiceId)
      if (mine !== this.loads) return
      this.draw(found)
      this.error.hidden = true
    } catch (failure) {
      if (mine !== this.loads) return
      this.error.textContent = failureText(failure)
      this.error.hidden = false
    }
  }

  private draw(found: CreditNotes): void {
    const money = (value: string | null): string => (value === null ? '' : formatMoney(value, found.currency))
    const pair = (label: string, value: string, testId: string): HTMLElement[] => [h('dt', {}, label), h('dd', { 'data-testid': testId }, value)]
    replaceChildren(
      this.summary,
      ...pair(t('credit_gross'), money(found.gross), 'credit-gross'),
      ...pair(t('credit_credited'), money(found.credited), 'credit-credited'),
      ...pair(t('credit_remaining'), money(found.remaining), 'credit-remaining')
    )
    replaceChildren(
      this.list,
      ...(found.items.length
        ? found.items.map((note) =>
            h(
              'li',
              { 'data-id': note.id },
              h('a', { href: `#/invoices/${note.id}` }, note.number ?? t('credit_note_draft')),
              ' ',
              h('span', { class: `status status-${note.status}` }, statusText(note.status)),
              h('span', { class: 'num' }, money(note.gross))
            )
          )
        : [h('li', { class: 'empty' }, t('credit_notes_none'))])
    )
  }
}
