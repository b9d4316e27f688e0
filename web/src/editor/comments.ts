// The comment side panel: the invoice's threads (open / resolved), each anchored to a field, a
// line or a text range; replies, edit and delete of one's own comments, resolve / reopen;
// live from the server's `comment` notices. Markers and "Comment" buttons on the form are in
// comment-markers.ts.

import type * as Y from 'yjs'

import { h, replaceChildren, uid } from '../dom'
import { KeyedList } from '../keyed'
import { locale, t } from '../i18n'
import { anchorKind, anchorLabel, lineDeleted, resolveRange, type Anchor } from './anchors'
import * as api from './comments-api'
import type { Thread, ThreadStatus } from './comments-api'
import { mentionInput, renderBody } from './mentions'
import type { Notice } from './live'
import { REFRESH_EVENT } from '../views/notifications'

export interface CommentsHost {
  invoiceId: string
  orgId: string
  me: { id: string; name: string; email: string }
  /** Reviewers and above may comment; viewers read. */
  canComment: boolean
  doc(): Y.Doc
  toast(text: string, kind?: string): void
  /** Show an anchor in the form (scroll to it, select a text range). */
  reveal(anchor: Anchor): void
  /** The threads changed: redraw the markers on the form. */
  changed(): void
}

/** An anchor the composer offers ("Selected text", "Whole line", a field). */
export interface AnchorChoice {
  anchor: Anchor
  label: string
}

interface ThreadView {
  element: HTMLElement
  head: HTMLElement
  quote: HTMLElement
  messages: HTMLElement
  footer: HTMLElement
  reply: HTMLTextAreaElement
}

export class CommentsPanel {
  readonly element: HTMLElement
  threads = new Map<string, Thread>()
  private filter: ThreadStatus = 'open'
  private readonly views: KeyedList<Thread, string, ThreadView>
  private readonly empty: HTMLElement
  private readonly tabs: Record<ThreadStatus, HTMLButtonElement>
  private readonly composer: HTMLFormElement
  private readonly composerTarget: HTMLSelectElement
  private readonly composerBody: HTMLTextAreaElement
  private choices: AnchorChoice[] = []
  private editing: { thread: string; comment: string } | null = null

  constructor(private readonly host: CommentsHost) {
    const tab = (status: ThreadStatus): HTMLButtonElement =>
      h('button', { type: 'button', class: 'tab', 'aria-pressed': String(status === this.filter), 'data-filter': status, onclick: () => this.show(status) })
    this.tabs = { open: tab('open'), resolved: tab('resolved') }
    const list = h('ol', { class: 'threads' })
    this.views = new KeyedList(list, (thread: Thread) => thread.id, (thread) => this.makeView(thread))
    this.empty = h('p', { class: 'hint' })
    const targetId = uid('anchor')
    const bodyId = uid('comment')
    this.composerTarget = h('select', { id: targetId })
    this.composerBody = mentionInput(host.orgId, { id: bodyId, rows: '3', required: true })
    this.composer = h(
      'form',
      { class: 'composer', hidden: true, 'aria-labelledby': `${bodyId}-title`, onsubmit: (event: Event) => void this.submitNew(event) },
      h('h3', { id: `${bodyId}-title` }, t('new_comment')),
      h('label', { for: targetId }, t('comment_on')),
      this.composerTarget,
      h('label', { for: bodyId }, t('comment')),
      this.composerBody,
      h('p', { class: 'hint' }, t('mention_hint')),
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'submit' }, t('post_comment')),
        h('button', { type: 'button', class: 'secondary', onclick: () => this.closeComposer() }, t('cancel'))
      )
    )
    this.element = h(
      'section',
      { class: 'comments card', 'aria-labelledby': 'comments-title', 'data-testid': 'comments' },
      h('h2', { id: 'comments-title' }, t('comments')),
      // The form's "Comment" buttons are out of the tab order: say how the keyboard gets there.
      host.canComment ? h('p', { class: 'hint shortcut' }, t('comment_shortcut')) : null,
      h('div', { class: 'tabs', role: 'group', 'aria-label': t('comments_filter') }, this.tabs.open, this.tabs.resolved),
      this.composer,
      list,
      this.empty
    )
    this.renderTabs()
  }

  async load(): Promise<void> {
    try {
      const threads = await api.listThreads(this.host.invoiceId)
      this.threads = new Map(threads.map((thread) => [thread.id, thread]))
    } catch (failure) {
      this.host.toast(t('comments_unavailable', { reason: String((failure as Error).message ?? failure) }), 'error')
    }
    this.render()
  }

  /** A `comment` notice: the thread as the REST API returns it. */
  notice(notice: Notice): boolean {
    if (notice.type !== 'comment') return false
    const thread = api.parseThread(notice.thread)
    if (thread) this.upsert(thread)
    // A new or edited comment may mention this person: the top bar's count may have changed.
    if (notice.event === 'created' || notice.event === 'replied' || notice.event === 'edited') {
      window.dispatchEvent(new Event(REFRESH_EVENT))
    }
    return true
  }

  /** Threads anchored at or inside `path` (a field, or a line with everything in it). */
  threadsAt(path: string, status: ThreadStatus | null = 'open'): Thread[] {
    return [...this.threads.values()].filter(
      (thread) => (status === null || thread.status === status) && (thread.anchor.path === path || thread.anchor.path.startsWith(path + '.'))
    )
  }

  /** Open the composer for one of `choices` (the first is chosen). */
  compose(choices: AnchorChoice[]): void {
    if (!this.host.canComment || choices.length === 0) return
    this.choices = choices
    replaceChildren(this.composerTarget, ...choices.map((choice, index) => h('option', { value: String(index) }, choice.label)))
    this.composer.hidden = false
    this.composer.scrollIntoView({ block: 'nearest' })
    this.composerBody.focus()
  }

  /** Show a thread in the panel and move the keyboard to it. */
  focusThread(id: string): void {
    const thread = this.threads.get(id)
    if (!thread) return
    if (thread.status !== this.filter) this.show(thread.status)
    const view = this.views.get(id)
    view?.element.scrollIntoView({ block: 'nearest' })
    view?.element.focus()
  }

  /** The document changed: anchors' labels, quotes and "line deleted" follow it. */
  refresh(): void {
    for (const [id, view] of this.views.entries()) {
      const thread = this.threads.get(id)
      if (thread) this.renderHead(thread, view)
    }
  }

  private show(status: ThreadStatus): void {
    this.filter = status
    this.render()
  }

  private upsert(thread: Thread, removed = false): void {
    if (removed) this.threads.delete(thread.id)
    else this.threads.set(thread.id, thread)
    this.render()
  }

  private renderTabs(): void {
    const count = (status: ThreadStatus): number => [...this.threads.values()].filter((thread) => thread.status === status).length
    for (const status of ['open', 'resolved'] as const) {
      this.tabs[status].textContent = t(status === 'open' ? 'comments_open' : 'comments_resolved', { count: count(status) })
      this.tabs[status].setAttribute('aria-pressed', String(status === this.filter))
    }
  }

  private render(): void {
    this.renderTabs()
    const shown = [...this.threads.values()]
      .filter((thread) => thread.status === this.filter)
      .sort((a, b) => a.created_at.localeCompare(b.created_at))
    this.views.sync(shown, (view, thread) => this.renderThread(thread, view))
    this.empty.hidden = shown.length > 0
    this.empty.textContent = this.filter === 'open' ? t('no_open_comments') : t('no_resolved_comments')
    this.host.changed()
  }

  private makeView(thread: Thread): ThreadView {
    const replyId = uid('reply')
    const reply = mentionInput(this.host.orgId, { id: replyId, rows: '2', class: 'reply-body', placeholder: t('reply_placeholder') })
    const head = h('div', { class: 'thread-head' })
    const quote = h('blockquote', { class: 'quote' })
    const messages = h('ol', { class: 'messages' })
    const footer = h('div', { class: 'thread-actions' })
    const form = this.host.canComment
      ? h(
          'form',
          { class: 'reply', id: `${replyId}-form`, onsubmit: (event: Event) => void this.submitReply(event, thread.id, reply) },
          h('label', { for: replyId, class: 'visually-hidden' }, t('reply_label')),
          reply
        )
      : null
    const element = h('li', { class: 'thread', 'data-thread': thread.id, tabindex: '-1' }, head, quote, messages, form, footer)
    return { element, head, quote, messages, footer, reply }
  }

  private renderHead(thread: Thread, view: ThreadView): void {
    const doc = this.host.doc()
    const deleted = thread.line_deleted || lineDeleted(doc, thread.anchor)
    const label = anchorLabel(doc, thread.anchor)
    const kind = anchorKind(thread.anchor)
    const key = `${label}\u0000${deleted}`
    if (view.head.dataset.key !== key) {
      view.head.dataset.key = key
      replaceChildren(
        view.head,
        deleted
          ? h('span', { class: 'anchor' }, label)
          : h(
              'button',
              { type: 'button', class: 'link anchor', title: t('show_anchor', { where: label }), onclick: () => this.host.reveal(thread.anchor) },
              label
            ),
        deleted ? h('span', { class: 'tag deleted' }, t('line_deleted')) : null,
        thread.status === 'resolved' ? h('span', { class: 'tag resolved' }, t('resolved')) : null
      )
    }
    view.element.classList.toggle('orphan', deleted)
    const now = kind === 'range' ? resolveRange(doc, thread.anchor) : null
    const quoted = now?.text ?? thread.anchor.quote ?? ''
    view.quote.hidden = kind !== 'range' || quoted === ''
    if (view.quote.textContent !== quoted) view.quote.textContent = quoted
  }

  private renderThread(thread: Thread, view: ThreadView): void {
    view.element.dataset.status = thread.status
    view.head.dataset.key = '' // status may have changed
    this.renderHead(thread, view)
    const format = new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' })
    const when = (iso: string): string => {
      const date = new Date(iso)
      return Number.isNaN(date.getTime()) ? '' : format.format(date)
    }
    replaceChildren(
      view.messages,
      ...thread.comments.map((comment) => {
        const own = comment.author.id === this.host.me.id && this.host.canComment && !comment.deleted
        const editing = this.editing?.thread === thread.id && this.editing.comment === comment.id
        const item = h(
          'li',
          { class: 'message', 'data-comment': comment.id },
          h(
            'p',
            { class: 'meta' },
            h('strong', { class: 'author' }, comment.author.name),
            ' ',
            h('time', { datetime: comment.created_at }, when(comment.created_at)),
            comment.edited_at ? h('span', { class: 'edited' }, ` · ${t('edited')}`) : null
          )
        )
        if (comment.deleted) item.append(h('p', { class: 'body deleted' }, t('comment_deleted')))
        else if (editing) item.append(this.editForm(thread, comment.id, comment.body))
        else item.append(renderBody(comment.body, this.host.me.email))
        if (own && !editing) {
          item.append(
            h(
              'div',
              { class: 'message-actions' },
              h('button', { type: 'button', class: 'link', 'aria-label': t('edit_comment_by', { name: comment.author.name }), onclick: () => this.startEdit(thread, comment.id) }, t('edit')),
              h('button', { type: 'button', class: 'link danger', 'aria-label': t('delete_comment_by', { name: comment.author.name }), onclick: () => void this.remove(thread.id, comment.id) }, t('delete'))
            )
          )
        }
        return item
      })
    )
    const form = view.element.querySelector<HTMLFormElement>('form.reply')
    const open = thread.status === 'open'
    if (form) form.hidden = !open
    replaceChildren(
      view.footer,
      this.host.canComment
        ? h(
            'button',
            { type: 'button', class: 'secondary small', onclick: () => void this.setStatus(thread.id, open ? 'resolved' : 'open') },
            open ? t('resolve') : t('reopen')
          )
        : null,
      form && open ? h('button', { type: 'submit', class: 'small', form: form.id }, t('reply')) : null
    )
  }

  private editForm(thread: Thread, commentId: string, body: string): HTMLFormElement {
    const id = uid('edit')
    const area = mentionInput(this.host.orgId, { id, rows: '2' })
    area.value = body
    queueMicrotask(() => area.focus())
    return h(
      'form',
      {
        class: 'edit',
        onsubmit: (event: Event) => {
          event.preventDefault()
          void this.act(() => api.editComment(this.host.invoiceId, thread.id, commentId, area.value.trim())).then(() => {
            this.editing = null
            this.render()
          })
        }
      },
      h('label', { for: id, class: 'visually-hidden' }, t('edit_comment')),
      area,
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'submit', class: 'small' }, t('save')),
        h('button', { type: 'button', class: 'secondary small', onclick: () => ((this.editing = null), this.render()) }, t('cancel'))
      )
    )
  }

  private startEdit(thread: Thread, commentId: string): void {
    this.editing = { thread: thread.id, comment: commentId }
    this.render()
  }

  private async remove(threadId: string, commentId: string): Promise<void> {
    await this.act(() => api.deleteComment(this.host.invoiceId, threadId, commentId))
  }

  private async setStatus(threadId: string, status: ThreadStatus): Promise<void> {
    await this.act(() => api.setStatus(this.host.invoiceId, threadId, status))
  }

  private async submitReply(event: Event, threadId: string, area: HTMLTextAreaElement): Promise<void> {
    event.preventDefault()
    const body = area.value.trim()
    if (!body) return
    if ((await this.act(() => api.reply(this.host.invoiceId, threadId, body))) !== undefined) area.value = ''
  }

  private async submitNew(event: Event): Promise<void> {
    event.preventDefault()
    const body = this.composerBody.value.trim()
    const choice = this.choices[Number(this.composerTarget.value)]
    if (!body || !choice) return
    const made = await this.act(() => api.createThread(this.host.invoiceId, choice.anchor, body))
    if (made === undefined) return
    this.closeComposer()
    if (made) {
      if (this.filter !== 'open') this.show('open')
      this.focusThread(made.id)
    }
  }

  private closeComposer(): void {
    this.composer.hidden = true
    this.composerBody.value = ''
    this.choices = []
  }

  /** Run a request; its thread (if any) replaces ours. undefined when it failed (told). */
  private async act(request: () => Promise<Thread | null>): Promise<Thread | null | undefined> {
    try {
      const thread = await request()
      if (thread) this.upsert(thread)
      return thread
    } catch (failure) {
      this.host.toast(t('comment_failed', { reason: String((failure as Error).message ?? failure) }), 'error')
      return undefined
    }
  }
}
