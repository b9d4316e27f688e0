// The live invoice editor: the form bound to the shared document, presence, connection state,
// totals computed as people type and reconciled with the server's, validation on the fields.

import type * as Y from 'yjs'

import { call, type InvoiceDetail, type Me } from '../api'
import { h, replaceChildren } from '../dom'
import { evaluate, SERVER_ONLY_CODES, type Issue } from '../evaluate'
import { t, hasKey } from '../i18n'
import { accessToken } from '../session'
import { Scope, view, type View } from '../view'
import { DEFAULT_CURRENCY } from '../schema'
import type { BindContext, Binding } from './bind'
import { customerPicker, itemPicker } from './catalog'
import { customerSection, detailsSection, notesSection, section } from './form'
import { renderIssues } from './issues'
import { LinesView } from './lines'
import { documentRows } from './adjustments'
import { connectionText, LiveInvoice, LOCAL, type ConnectionState, type Notice } from './live'
import { discardDraft, draftName } from './offline'
import { FieldLocks } from './locks'
import { fillDefaults, takeCreated } from './new-invoice'
import { CommentMarkers } from './comment-markers'
import { CommentsPanel } from './comments'
import { people, renderAvatars, renderMarkers } from './presence'
import { renderTotals, type TotalsView } from './totals'
import { paymentSection, type PaymentSection } from './payment'
import { addLine, documentJson, readField, sameJson } from './ydoc'
import { WorkflowBar } from './workflow'
import { HistoryPanel } from './history'
import { VersionsPanel } from './versions'
import { CreditNotesPanel } from './credit-notes'
import { ExceptionsPanel } from './exceptions'
import { CREDITED, GettingPaid } from './getting-paid'
import { PreviewPanel } from './preview'
import { ComplianceCheck } from './compliance'
import { readWorkflow, type WorkflowInfo } from './workflow-api'

/** Statuses whose invoice shows its credit notes. */

interface ServerView {
  document: unknown
  totals: TotalsView
  nets: Record<string, string>
  issues: Issue[]
}

function readOnlyReason(detail: InvoiceDetail, me: Me, kind: WorkflowInfo['kind']): string | null {
  const member = me.memberships.find((m) => m.org_id === detail.org_id)
  if (detail.status !== 'draft') {
    const status = hasKey(`status_${detail.status}`) ? t(`status_${detail.status}` as 'status_draft') : detail.status
    return t(kind === 'credit_note' ? 'read_only_status_credit_note' : 'read_only_status', { status: status.toLowerCase() })
  }
  if (!member?.capabilities.includes('invoice.edit')) {
    const role = member && hasKey(`role_${member.role}`) ? t(`role_${member.role}` as 'role_viewer') : member?.role
    return role ? t('read_only_role', { role }) : t('read_only')
  }
  return null
}

export async function invoiceEditor(invoiceId: string, me: Me): Promise<View> {
  const [detail, info] = await Promise.all([call<InvoiceDetail>('GET', `/api/invoices/${encodeURIComponent(invoiceId)}`), readWorkflow(invoiceId)])
  detail.status = info.status // the workflow's answer is the newer of the two
  let readOnly = readOnlyReason(detail, me, info.kind)
  const member = me.memberships.find((m) => m.org_id === detail.org_id)
  // State first: the connection's events may arrive while the pickers below load.
  let bindings: Binding[] = []
  let payment: PaymentSection | null = null
  let lines: LinesView | null = null
  let server: ServerView | null = serverView(detail)
  let frame = 0
  let checkTimer = 0
  let unsubscribe: (() => void) | null = null
  let deniedShown = false
  let locks: FieldLocks | null = null
  let comments: CommentsPanel | null = null
  let markers: CommentMarkers | null = null
  let preview: PreviewPanel | null = null
  const canComment = member?.capabilities.includes('invoice.comment') ?? false
  let lastState: ConnectionState = 'connecting'

  // Only an editor keeps an offline copy; a stored one it can no longer send is dropped below.
  const draft = draftName(me.id, invoiceId)
  const live = new LiveInvoice(invoiceId, { status, doc: () => render(), notice, denied, ended }, await accessToken(), readOnly ? null : draft)
  // Stopped last first: pending redraws and checks, then the locks (an unlock goes out), then
  // the connection.
  const scope = new Scope()
  scope.add(() => live.destroy())
  // The official EN 16931 rules on the draft, from the server a moment after edits.
  const compliance = new ComplianceCheck(invoiceId, () => refresh())
  scope.add(() => compliance.stop())
  const doc = (): Y.Doc => live.doc
  const context: BindContext = {
    doc,
    focus: (path) => {
      live.focus(path)
      locks?.focus(path)
    },
    readOnly: readOnly !== null,
    // Commenters without edit rights can still select text in a description or the notes.
    selectable: canComment
  }

  const title = h('h1', { id: 'editor-title' }, t('invoice_draft_title'))
  const connection = h('p', { class: 'connection', role: 'status', 'data-state': 'connecting' }, t('conn_connecting'))
  const avatars = h('ul', { class: 'avatars', 'aria-label': t('people_here') })
  const notices = h('div', { class: 'notices', 'aria-live': 'polite' })
  const banner = h('p', { class: 'banner read-only', role: 'status', 'data-testid': 'read-only', hidden: !readOnly }, readOnly ?? '')
  const workflow = new WorkflowBar(info, {
    invoiceId,
    orgId: detail.org_id,
    role: member?.role,
    canAssign: member?.capabilities.includes('invoice.edit') ?? false,
    changed: moved,
    toast
  })
  const general = h('ul', { class: 'general-issues', hidden: true })
  const totalsPanel = h('aside', { class: 'totals card', 'aria-labelledby': 'totals-title', 'aria-live': 'off' })
  const form = h('form', { class: 'editor-form', novalidate: true, onsubmit: (e: Event) => e.preventDefault() })
  const element = h(
    'div',
    { class: 'editor' },
    h(
      'div',
      { class: 'editor-head' },
      h('a', { href: '#/invoices', class: 'back' }, `← ${t('back_to_invoices')}`),
      title,
      workflow.element,
      h('div', { class: 'head-side' }, avatars, connection)
    ),
    workflow.reference,
    banner,
    notices,
    h('div', { class: 'editor-grid' }, form, h('div', { class: 'side' }, totalsPanel))
  )

  locks = new FieldLocks(form, {
    me: me.id,
    canEdit: () => !context.readOnly,
    canBreak: member?.capabilities.includes('lock.break') ?? false,
    send: (body) => live.send(body),
    toast,
    blockLines: (ids) => lines?.setLocked(ids)
  })

  scope.add(() => locks?.destroy())
  scope.add(() => {
    unsubscribe?.()
    cancelAnimationFrame(frame)
    window.clearTimeout(checkTimer)
  })

  comments = new CommentsPanel({
    invoiceId,
    orgId: detail.org_id,
    me: { id: me.id, name: me.name || me.email, email: me.email },
    canComment,
    doc,
    toast,
    reveal: (anchor) => markers?.reveal(anchor),
    changed: () => markers?.decorate()
  })
  markers = new CommentMarkers(form, comments, doc, canComment)
  const history = new HistoryPanel(invoiceId, doc)
  const versions = new VersionsPanel(invoiceId, member?.capabilities.includes('invoice.edit') ?? false, (text) => toast(text))
  const credits = new CreditNotesPanel(invoiceId)
  const paid = new GettingPaid(invoiceId, detail.org_id, member?.capabilities ?? [], () => void workflow.refresh(), () => readField(live.doc, 'invoice.currency') || DEFAULT_CURRENCY)
  // The PDF as the customer will get it, drawn again a moment after edits (preview.ts).
  preview = new PreviewPanel(invoiceId, toast)
  scope.add(() => preview?.destroy())
  totalsPanel.after(preview.element, paid.payments.element, paid.mail.element, paid.reminders.element, credits.element, paid.recurring.element, new ExceptionsPanel(invoiceId, member).element, comments.element, history.element, versions.element)
  showWorkflow(info)

  const [customers, items] = await Promise.all([
    readOnly ? null : customerPicker(detail.org_id, doc),
    readOnly ? null : itemPicker(detail.org_id, doc, () => readField(live.doc, 'invoice.currency') || DEFAULT_CURRENCY, (id) => lines?.focusLine(id))
  ])

  /** Build the form for the current document (again after a resync). */
  function render(): void {
    unsubscribe?.()
    const customer = customerSection(context, context.readOnly ? null : customers)
    const details = detailsSection(context, info.kind === 'credit_note')
    const notes = notesSection(context)
    payment = paymentSection(context)
    lines = new LinesView(context)
    const add = h(
      'button',
      { type: 'button', class: 'secondary', disabled: context.readOnly, onclick: () => lines?.focusLine(addLine(live.doc, {}, LOCAL)) },
      `+ ${t('add_line')}`
    )
    replaceChildren(
      form,
      general,
      customer.element,
      details.element,
      section('lines_section', 'sec-lines', lines.element, h('div', { class: 'line-actions' }, add, context.readOnly ? null : items)),
      lines.adjustments.element,
      notes.element,
      payment.element
    )
    bindings = [...customer.bindings, ...details.bindings, ...notes.bindings, ...payment.bindings]
    const onUpdate = (): void => schedule()
    live.doc.on('update', onUpdate)
    const onAwareness = (): void => showPresence()
    live.awareness.on('change', onAwareness)
    unsubscribe = () => {
      live.doc.off('update', onUpdate)
      live.awareness.off('change', onAwareness)
    }
    refresh()
    showPresence()
  }

  function schedule(): void {
    if (frame) return
    frame = requestAnimationFrame(() => {
      frame = 0
      refresh()
    })
    window.clearTimeout(checkTimer)
    checkTimer = window.setTimeout(() => void checkServer(), 400)
    preview?.changed()
    compliance.changed()
  }

  function refresh(): void {
    if (!lines) return
    lines.sync()
    for (const binding of [...bindings, ...lines.bindings]) binding.refresh()
    showTitle()
    const current = documentJson(live.doc)
    let view: ServerView
    if (server && sameJson(server.document, current)) {
      view = server
    } else {
      const local = evaluate(current)
      const nets: Record<string, string> = {}
      local.counted.forEach((id, index) => {
        const net = local.totals?.lines[index]?.net
        if (net !== undefined) nets[id] = net
      })
      // The identifier checks only the server makes stay shown until it answers again.
      const kept = (server?.issues ?? []).filter((i) => SERVER_ONLY_CODES.has(i.code) && readField(live.doc, i.path))
      const uncounted = Math.max(0, current.lines.length - local.counted.length)
      view = { document: current, totals: { totals: local.totals, complete: local.complete, uncounted, source: 'local' }, nets, issues: [...local.issues, ...kept] }
    }
    renderTotals(totalsPanel, view.totals, documentRows(live.doc, view.totals.totals))
    payment?.showDue(view.totals.totals)
    lines.showNets(view.nets, view.totals.totals?.currency ?? DEFAULT_CURRENCY)
    lines.showAdjustments(view.totals.totals, view.issues)
    const rules = workflow.current.status === 'draft' ? compliance.issues : []
    renderIssues(form, general, [...view.issues, ...rules])
    locks?.apply()
    markers?.decorate()
    comments?.refresh()
  }

  /** Ask the server for its totals and messages; use them if it has the same content. */
  async function checkServer(): Promise<void> {
    if (live.status.state !== 'connected') return
    try {
      const answer = await call<InvoiceDetail>('GET', `/api/invoices/${encodeURIComponent(invoiceId)}`)
      const candidate = serverView(answer)
      if (sameJson(candidate.document, documentJson(live.doc))) {
        server = candidate
        refresh()
      } else {
        server = candidate // its identifier checks still help
        window.clearTimeout(checkTimer)
        checkTimer = window.setTimeout(() => void checkServer(), 1000)
      }
    } catch {
      // The next change asks again.
    }
  }

  function showPresence(): void {
    const everyone = people(live.awareness, { id: me.id, name: me.name || me.email })
    renderAvatars(avatars, everyone)
    renderMarkers(form, everyone)
  }

  function status(state: ConnectionState, pending: number): void {
    connection.dataset.state = state
    connection.dataset.pending = String(pending)
    connection.textContent = connectionText(state, pending)
    if (state === 'connected') schedule()
    if (state !== lastState) {
      if (state === 'connected') {
        locks?.connected()
        // The tab that created this invoice writes its defaults once, into the synced document.
        if (!context.readOnly && takeCreated(invoiceId)) void fillDefaults(doc, detail.org_id, LOCAL)
        // Comment notices sent while away were missed: list the threads again.
        if (lastState === 'reconnecting') void comments?.load()
      } else if (lastState === 'connected') locks?.disconnected()
      lastState = state
    }
  }

  function toast(text: string, kind = 'info'): void {
    const item = h(
      'div',
      { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' },
      h('span', {}, text),
      h('button', { type: 'button', class: 'icon', 'aria-label': t('dismiss'), onclick: () => item.remove() }, '✕')
    )
    notices.append(item)
    while (notices.children.length > 3) notices.firstElementChild?.remove()
  }

  function showTitle(): void {
    const name = readField(live.doc, 'invoice.customer.name')
    const { status, number, kind } = workflow.current
    const note = kind === 'credit_note'
    const head = number
      ? t(note ? 'credit_note_number_title' : 'invoice_number_title', { number })
      : status === 'draft'
        ? t(note ? 'credit_note_draft_title' : 'invoice_draft_title')
        : t(note ? 'credit_note_heading' : 'invoice_title')
    title.textContent = name ? `${head} — ${name}` : head
  }

  /** The invoice moved in the workflow (this tab's action or someone else's): show it, and
   * turn the form read-only (or editable again) when the edit rights changed with it. */
  function moved(state: WorkflowInfo): void {
    if (state.status === 'discarded') {
      location.hash = '#/invoices'
      return
    }
    showWorkflow(state)
    showTitle()
    preview?.changed() // an issued invoice shows its number, no watermark
    const reason = readOnlyReason({ ...detail, status: state.status }, me, state.kind)
    if (reason === readOnly) return
    readOnly = reason
    banner.textContent = reason ?? ''
    banner.hidden = !reason
    if (context.readOnly !== (reason !== null)) {
      context.readOnly = reason !== null
      render() // the bindings take the new rights
    }
  }

  function notice(message: Notice): void {
    if (message.type === 'workflow') {
      void workflow.refresh() // the actions the caller may take moved with the state
      return
    }
    if (locks?.notice(message) || comments?.notice(message)) return
    if (message.type === 'update_refused') {
      toast(t('refused', { reason: message.reason ?? '' }), 'error')
      if (message.resync) toast(t('resynced'))
    }
  }

  /** The side panels that follow the state: versions (named at submit and approve, restored
   * in drafts) and an issued invoice's credit notes. */
  function showWorkflow(state: WorkflowInfo): void {
    versions.update(state.status)
    void credits.show(state.kind === 'invoice' && CREDITED.has(state.status))
    paid.show(state)
  }

  function denied(reason: string): void {
    if (!deniedShown) toast(t('denied', { reason }), 'error')
    deniedShown = true
  }

  function ended(reason: string): void {
    toast(t('access_ended', { reason }), 'error')
    context.readOnly = true
    form.querySelectorAll<HTMLInputElement>('input, select, textarea, button').forEach((el) => (el.disabled = true))
  }

  render()
  void comments?.load()
  if (readOnly) void discardDraft(draft).then((lost) => lost > 0 && toast(t('offline_discarded', { count: lost }), 'error'))
  return view(element, scope)
}

function serverView(detail: InvoiceDetail): ServerView {
  const totals = detail.totals
  const lines = detail.lines ?? []
  const uncounted = totals ? Math.max(0, lines.length - Object.keys(totals.line_nets ?? {}).length) : lines.length
  return {
    document: { invoice: detail.invoice ?? {}, lines, adjustments: (detail as { adjustments?: unknown[] }).adjustments ?? [] },
    totals: { totals, complete: totals?.complete ?? false, uncounted, source: 'server' },
    nets: totals?.line_nets ?? {},
    issues: detail.validation ?? []
  }
}
