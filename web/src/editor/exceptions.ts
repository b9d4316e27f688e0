// The editor's "Exceptions" panel (docs/reports.md, "Exceptions"): the invoice's exceptions
// with their status, a form to open one (category and note), resolving one (the routed
// expert or an admin: the server answers 403 to anyone else, shown in place), and each
// exception's own thread. Read when shown and on "Refresh".

import { call, type Membership } from '../api'
import { h, replaceChildren, uid } from '../dom'
import { formatDate } from '../format'
import { t } from '../i18n'
import { categoryText } from '../views/board-card'
import { failureText } from '../view'

export const CATEGORIES = ['dispute', 'refund_request', 'cancellation_request', 'pricing_error', 'missing_po', 'other'] as const

interface Person {
  id: string
  name: string
}
interface Exception {
  id: string
  category: string
  note: string
  status: 'open' | 'resolved'
  opened_by: Person
  opened_at: string
  expert: Person | null
  resolution: string | null
  resolved_by: Person | null
}
interface Comment {
  id: string
  author: Person
  body: string
  created_at: string
}

/** A one-field form: a labelled textarea and a button; `send` gets the trimmed text. */
function textForm(label: string, button: string, send: (text: string) => Promise<void>): HTMLFormElement {
  const area = h('textarea', { id: uid('ex'), required: true, maxlength: '2000', rows: '2' })
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  const submit = h('button', { type: 'submit', class: 'small' }, button)
  const form = h('form', { class: 'exception-form' }, h('label', { for: area.id }, label), area, submit, error)
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    submit.disabled = true
    send(area.value.trim())
      .then(() => {
        area.value = ''
        error.hidden = true
      })
      .catch((failure: unknown) => {
        error.textContent = failureText(failure)
        error.hidden = false
      })
      .finally(() => (submit.disabled = false))
  })
  return form
}

export class ExceptionsPanel {
  readonly element: HTMLElement
  private readonly list = h('ul', { class: 'exception-list' })
  private readonly error = h('p', { class: 'form-error', role: 'alert', hidden: true })

  constructor(
    private readonly invoiceId: string,
    member: Membership | undefined
  ) {
    const id = 'exceptions-title'
    const caps = member?.capabilities ?? []
    this.element = h(
      'section',
      { class: 'exceptions card', 'aria-labelledby': id, 'data-testid': 'exceptions' },
      h('div', { class: 'history-head' }, h('h2', { id }, t('exceptions')), h('button', { type: 'button', class: 'secondary small', onclick: () => void this.load() }, t('history_refresh'))),
      this.error,
      this.list,
      caps.includes('exception.open') ? this.openForm() : null
    )
    void this.load()
  }

  private openForm(): HTMLElement {
    const category = h('select', { id: uid('ex'), name: 'category' }, ...CATEGORIES.map((c) => h('option', { value: c }, categoryText(c))))
    const form = textForm(t('exception_note'), t('exception_open'), async (note) => {
      await call('POST', `/api/invoices/${encodeURIComponent(this.invoiceId)}/exceptions`, { category: category.value, note })
      await this.load()
    })
    form.prepend(h('label', { for: category.id }, t('exception_category')), category)
    return h('details', { class: 'exception-new' }, h('summary', {}, t('exception_new')), form)
  }

  async load(): Promise<void> {
    try {
      const { items } = await call<{ items: Exception[] }>('GET', `/api/invoices/${encodeURIComponent(this.invoiceId)}/exceptions`)
      replaceChildren(this.list, ...(items.length ? items.map((item) => this.item(item)) : [h('li', { class: 'muted' }, t('exceptions_none'))]))
      this.error.hidden = true
    } catch (failure) {
      this.error.textContent = failureText(failure)
      this.error.hidden = false
    }
  }

  private item(exception: Exception): HTMLElement {
    const base = `/api/exceptions/${encodeURIComponent(exception.id)}`
    const thread = h('ul', { class: 'exception-thread' })
    const loadThread = async (): Promise<void> => {
      const { items } = await call<{ items: Comment[] }>('GET', `${base}/comments`)
      replaceChildren(thread, ...items.map((c) => h('li', {}, h('strong', {}, c.author.name), ` (${formatDate(c.created_at.slice(0, 10))}): `, c.body)))
    }
    const details = h(
      'details',
      { class: 'exception-details' },
      h('summary', {}, t('exception_thread')),
      thread,
      textForm(t('exception_comment'), t('exception_send'), async (body) => {
        await call('POST', `${base}/comments`, { body })
        await loadThread()
      })
    )
    details.addEventListener('toggle', () => details.open && void loadThread().catch(() => undefined))
    const open = exception.status === 'open'
    return h(
      'li',
      { class: 'exception', 'data-status': exception.status, 'data-category': exception.category },
      h('p', {}, h('strong', {}, categoryText(exception.category)), ' ', h('span', { class: `status status-${open ? 'submitted' : 'approved'}` }, t(open ? 'exception_status_open' : 'exception_status_resolved'))),
      h('p', {}, exception.note),
      h('p', { class: 'hint' }, t('exception_routed', { name: exception.expert?.name ?? t('exception_admins') })),
      exception.resolution ? h('p', { class: 'hint' }, t('exception_resolution', { text: exception.resolution, name: exception.resolved_by?.name ?? '' })) : null,
      open
        ? h(
            'details',
            { class: 'exception-resolve' },
            h('summary', {}, t('exception_resolve')),
            textForm(t('exception_resolution_label'), t('exception_resolve'), async (resolution) => {
              await call('POST', `${base}/resolve`, { resolution })
              await this.load()
            })
          )
        : null,
      details
    )
  }
}
