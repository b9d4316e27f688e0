// Comments on the form: a "Comment" button on each header field and each line, a marker with
// the number of open threads next to what they are anchored to, and showing an anchor (scroll,
// select the commented text range).

import type * as Y from 'yjs'

import { h } from '../dom'
import { t } from '../i18n'
import { anchorLabel, rangeAnchor, resolveRange, type Anchor } from './anchors'
import type { AnchorChoice, CommentsPanel } from './comments'
import { isTextPath } from './ydoc'

/** The keyboard's way to the "Comment" buttons, which are out of the tab order. */
export const SHORTCUT = 'Control+Alt+M'

const LINE_FIELDS = ['description', 'quantity', 'unit', 'unit_price', 'tax_rate', 'tax_category', 'discount.value', 'discount.kind']

function bubble(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg'
  const svg = document.createElementNS(ns, 'svg')
  svg.setAttribute('viewBox', '0 0 16 16')
  svg.setAttribute('width', '14')
  svg.setAttribute('height', '14')
  svg.setAttribute('aria-hidden', 'true')
  const path = document.createElementNS(ns, 'path')
  path.setAttribute('d', 'M2 2.5h12a1 1 0 0 1 1 1v7a1 1 0 0 1-1 1H7l-3.5 3v-3H2a1 1 0 0 1-1-1v-7a1 1 0 0 1 1-1z')
  path.setAttribute('fill', 'none')
  path.setAttribute('stroke', 'currentColor')
  path.setAttribute('stroke-width', '1.5')
  path.setAttribute('stroke-linejoin', 'round')
  svg.append(path)
  return svg
}

/** The selected text of a text field's textarea as a range choice, if any. */
function selection(doc: Y.Doc, root: HTMLElement, path: string): AnchorChoice | null {
  const area = root.querySelector<HTMLTextAreaElement>(`textarea[data-path="${CSS.escape(path)}"]`)
  if (!area || area.selectionStart === area.selectionEnd) return null
  const anchor = rangeAnchor(doc, path, area.selectionStart, area.selectionEnd)
  if (!anchor) return null
  const quote = anchor.quote && anchor.quote.length > 40 ? `${anchor.quote.slice(0, 40)}…` : anchor.quote
  return { anchor, label: t('selected_text', { where: anchorLabel(doc, anchor), quote: quote ?? '' }) }
}

function fieldChoice(doc: Y.Doc, path: string): AnchorChoice {
  const anchor: Anchor = { path }
  return { anchor, label: anchorLabel(doc, anchor) }
}

export class CommentMarkers {
  constructor(
    private readonly form: HTMLElement,
    private readonly panel: CommentsPanel,
    private readonly doc: () => Y.Doc,
    private readonly canComment: boolean
  ) {
    form.addEventListener('keydown', (event) => this.shortcut(event))
  }

  /** Ctrl+Alt+M in a field opens the composer on it (a line's field: on that line). */
  private shortcut(event: KeyboardEvent): void {
    if (!(event.ctrlKey && event.altKey && event.code === 'KeyM') || !this.canComment) return
    const target = event.target as HTMLElement
    const owner = target.closest<HTMLElement>('.line[data-line]') ?? target.closest<HTMLElement>('.field[data-field]')
    const button = owner?.querySelector<HTMLButtonElement>('.comment-add')
    if (!button) return
    event.preventDefault()
    button.click()
  }

  /** Add the buttons the form lacks, and show the open threads' counts. */
  decorate(): void {
    const doc = this.doc()
    this.form.querySelectorAll<HTMLElement>('.field[data-field^="invoice."]').forEach((field) => {
      const path = field.dataset.field ?? ''
      const tools = this.tools(field, (tools) => field.querySelector('label')?.after(tools), () => {
        const range = isTextPath(path) ? selection(doc, this.form, path) : null
        this.panel.compose([...(range ? [range] : []), fieldChoice(doc, path)])
      }, t('comment_on_field', { where: anchorLabel(doc, { path }) }))
      this.count(tools, path, anchorLabel(doc, { path }))
      field.classList.toggle('commented', this.panel.threadsAt(path).length > 0)
    })
    this.form.querySelectorAll<HTMLElement>('.line[data-line]').forEach((line) => {
      const id = line.dataset.line ?? ''
      const path = `lines.${id}`
      const where = anchorLabel(doc, { path })
      const tools = this.tools(line, (tools) => line.querySelector('.line-order')?.append(tools), () => {
        const range = selection(doc, this.form, `${path}.description`)
        this.panel.compose([...(range ? [range] : []), fieldChoice(doc, path), ...LINE_FIELDS.map((name) => fieldChoice(doc, `${path}.${name}`))])
      }, t('comment_on_field', { where }))
      this.count(tools, path, where)
      line.querySelectorAll<HTMLElement>('.field[data-field]').forEach((field) => {
        field.classList.toggle('commented', this.panel.threadsAt(field.dataset.field ?? '').length > 0)
      })
    })
  }

  /** Scroll to an anchor and show it: a text range is selected in its field. */
  reveal(anchor: Anchor): void {
    const doc = this.doc()
    const target =
      this.form.querySelector<HTMLElement>(`.field[data-field="${CSS.escape(anchor.path)}"]`) ??
      this.form.querySelector<HTMLElement>(`.line[data-line="${CSS.escape(anchor.path.split('.')[1] ?? '')}"]`)
    if (!target) return
    target.scrollIntoView({ block: 'center' })
    target.classList.remove('flash')
    void target.offsetWidth // restart the animation
    target.classList.add('flash')
    const range = resolveRange(doc, anchor)
    const area = target.querySelector<HTMLTextAreaElement>('textarea')
    if (range && area && !area.disabled) {
      area.focus()
      area.setSelectionRange(range.from, range.to)
    }
  }

  private tools(owner: HTMLElement, place: (tools: HTMLElement) => void, compose: () => void, label: string): HTMLElement {
    let tools = owner.querySelector<HTMLElement>(':scope .comment-tools')
    if (!tools) {
      tools = h('span', { class: 'comment-tools' }, h('span', { class: 'comment-count' }))
      if (this.canComment) {
        tools.append(
          h(
            'button',
            {
              type: 'button',
              class: 'icon comment-add',
              // Out of the tab order (one per field would double the stops): the keyboard
              // comments on the field it is in with the shortcut, see `shortcut` below.
              tabindex: '-1',
              'aria-keyshortcuts': SHORTCUT,
              title: t('comment_shortcut'),
              onmousedown: (e: Event) => e.preventDefault(),
              onclick: compose
            },
            bubble(),
            h('span', { class: 'add-plus', 'aria-hidden': 'true' }, '+'),
            h('span', { class: 'visually-hidden' })
          )
        )
      }
      place(tools)
    }
    // The name is the button's (hidden) text, not aria-label: a field's own label must stay the
    // only label that finds its input.
    const name = tools.querySelector('.comment-add .visually-hidden')
    if (name && name.textContent !== label) name.textContent = label
    return tools
  }

  private count(tools: HTMLElement, path: string, where: string): void {
    const threads = this.panel.threadsAt(path)
    const holder = tools.querySelector<HTMLElement>('.comment-count')
    if (!holder) return
    const key = threads.map((thread) => `${thread.id}:${thread.comments.length}`).join(',') + where
    if (holder.dataset.key === key) return
    holder.dataset.key = key
    holder.replaceChildren()
    const first = threads[0]
    if (!first) return
    holder.append(
      h(
        'button',
        {
          type: 'button',
          class: 'comment-marker',
          onclick: () => this.panel.focusThread(first.id)
        },
        bubble(),
        h('span', { 'aria-hidden': 'true' }, String(threads.length)),
        h('span', { class: 'visually-hidden' }, threads.length === 1 ? t('comments_on_one', { where }) : t('comments_on', { count: threads.length, where }))
      )
    )
  }
}
