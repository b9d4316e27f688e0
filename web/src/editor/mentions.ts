// @mentions in comment bodies: shown highlighted, and typed with suggestions from the
// organization's members when the server lists them for the caller.

import { call } from '../api'
import { h, uid } from '../dom'

/** `@` then a name, email or handle: letters, digits, and . _ - + @ inside. */
export const MENTION = /(^|\s)@([\p{L}\p{N}][\p{L}\p{N}._+@-]*[\p{L}\p{N}]|[\p{L}\p{N}])/gu

export function mentionsIn(body: string): string[] {
  return [...body.matchAll(MENTION)].map((match) => match[2] ?? '')
}

/** A comment's text, mentions in bold (yours marked), line breaks kept; never HTML.
 * A handle is an email or its local part (docs/comments.md). */
export function renderBody(body: string, myEmail: string): HTMLElement {
  const email = myEmail.toLowerCase()
  const paragraph = h('p', { class: 'body' })
  let last = 0
  for (const match of body.matchAll(MENTION)) {
    const at = (match.index ?? 0) + (match[1]?.length ?? 0)
    paragraph.append(body.slice(last, at))
    const handle = match[2] ?? ''
    const mine = handle.toLowerCase() === email || email.startsWith(handle.toLowerCase() + '@')
    paragraph.append(h('strong', { class: mine ? 'mention me' : 'mention' }, `@${handle}`))
    last = at + 1 + handle.length
  }
  paragraph.append(body.slice(last))
  return paragraph
}

export interface Member {
  name: string
  handle: string
}

let members: Promise<Member[]> | null = null

/** The people who can be mentioned; an empty list when the server does not say. */
async function mentionable(orgId: string): Promise<Member[]> {
  members ??= call<unknown>('GET', `/api/orgs/${encodeURIComponent(orgId)}/mentionable`)
    .then((answer) => {
      const list = Array.isArray(answer) ? answer : ((answer as { items?: unknown[] })?.items ?? [])
      return list.flatMap((item) => {
        const v = item as { name?: unknown; handle?: unknown; email?: unknown }
        const handle = typeof v.handle === 'string' ? v.handle : typeof v.email === 'string' ? v.email.split('@')[0] : ''
        return handle ? [{ name: typeof v.name === 'string' && v.name ? v.name : handle, handle: handle ?? '' }] : []
      })
    })
    .catch(() => [])
  return members
}

/** A textarea for a comment; with a members list, typing `@ro` offers "rita" in a datalist-like
 * list (arrow keys and Enter, or click). */
export function mentionInput(orgId: string, attrs: Record<string, string | boolean>): HTMLTextAreaElement {
  const area = h('textarea', attrs)
  const listId = uid('mentions')
  const list = h('ul', { class: 'mention-list', id: listId, role: 'listbox', hidden: true })
  area.setAttribute('aria-autocomplete', 'list')
  area.setAttribute('aria-controls', listId)
  let options: Member[] = []
  let active = 0
  const token = (): { start: number; text: string } | null => {
    const before = area.value.slice(0, area.selectionStart ?? area.value.length)
    const found = /(^|\s)@([\p{L}\p{N}._+-]*)$/u.exec(before)
    return found ? { start: before.length - (found[2]?.length ?? 0) - 1, text: found[2] ?? '' } : null
  }
  const close = (): void => {
    list.hidden = true
    options = []
    area.removeAttribute('aria-activedescendant')
  }
  const choose = (member: Member): void => {
    const at = token()
    if (!at) return close()
    const end = area.selectionStart ?? area.value.length
    area.value = `${area.value.slice(0, at.start)}@${member.handle} ${area.value.slice(end)}`
    const caret = at.start + member.handle.length + 2
    area.setSelectionRange(caret, caret)
    close()
  }
  const draw = (): void => {
    list.replaceChildren(
      ...options.map((member, index) => {
        const item = h('li', { role: 'option', id: `${listId}-${index}`, 'aria-selected': String(index === active) }, `${member.name} (@${member.handle})`)
        item.addEventListener('mousedown', (event) => {
          event.preventDefault()
          choose(member)
        })
        return item
      })
    )
    list.hidden = options.length === 0
    if (options.length) area.setAttribute('aria-activedescendant', `${listId}-${active}`)
  }
  area.addEventListener('input', () => {
    const at = token()
    if (!at) return close()
    void mentionable(orgId).then((all) => {
      const query = at.text.toLowerCase()
      options = all.filter((m) => m.handle.toLowerCase().startsWith(query) || m.name.toLowerCase().startsWith(query)).slice(0, 6)
      active = 0
      draw()
    })
  })
  area.addEventListener('keydown', (event) => {
    if (list.hidden) return
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      active = (active + (event.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length
      draw()
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      const member = options[active]
      if (member) {
        event.preventDefault()
        choose(member)
      }
    } else if (event.key === 'Escape') close()
  })
  area.addEventListener('blur', () => window.setTimeout(close, 150))
  // The list is placed right after the textarea once the textarea is in the page.
  queueMicrotask(() => area.after(list))
  return area
}
