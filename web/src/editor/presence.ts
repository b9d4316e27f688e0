// Who is in the invoice (avatars) and which field each person is in (coloured markers).
// Names and colours come from the server, which stamps every presence state's `user`.

import type { Awareness } from 'y-protocols/awareness'

import { h, replaceChildren } from '../dom'
import { t } from '../i18n'

export interface Person {
  clientId: number
  id: string
  name: string
  color: string
  field: string | null
  self: boolean
}

const SELF_COLOR = '#1e3a8a'

/** Everyone in the invoice. The server stamps `user` on the states it forwards; this tab's
 * own state is never echoed back stamped, so `self` names it. */
export function people(awareness: Awareness, self: { id: string; name: string }): Person[] {
  const found: Person[] = []
  awareness.getStates().forEach((state, clientId) => {
    const mine = clientId === awareness.clientID
    const user = (state.user ?? (mine ? { ...self, color: SELF_COLOR } : undefined)) as
      | { id?: string; name?: string; color?: string }
      | undefined
    if (!user?.id) return
    found.push({
      clientId,
      id: user.id,
      name: user.name || '?',
      color: user.color || '#475569',
      field: typeof state.field === 'string' ? state.field : null,
      self: mine
    })
  })
  return found
}

function initials(name: string): string {
  const parts = name.trim().split(/[\s._-]+/).filter(Boolean)
  return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase()
}

/** One avatar per person (several tabs of one person show once), yourself first. */
export function renderAvatars(list: HTMLElement, everyone: Person[]): void {
  const seen = new Map<string, Person>()
  for (const person of [...everyone].sort((a, b) => Number(b.self) - Number(a.self))) {
    if (!seen.has(person.id)) seen.set(person.id, person)
  }
  replaceChildren(
    list,
    ...[...seen.values()].map((person) => {
      const label = person.self ? `${person.name} (${t('you')})` : person.name
      const item = h(
        'li',
        { class: 'avatar', title: label, 'data-user': person.name },
        h('span', { 'aria-hidden': 'true' }, initials(person.name)),
        h('span', { class: 'visually-hidden' }, label)
      )
      item.style.setProperty('--peer', person.color) // CSSOM: allowed by the page's CSP
      return item
    })
  )
}

/** Outline every field someone else is in, in their colour, with their name. */
export function renderMarkers(root: HTMLElement, everyone: Person[]): void {
  const byField = new Map<string, Person[]>()
  for (const person of everyone) {
    if (person.self || !person.field) continue
    byField.set(person.field, [...(byField.get(person.field) ?? []), person])
  }
  root.querySelectorAll<HTMLElement>('.field.peer-here').forEach((element) => {
    if (!byField.has(element.dataset.field ?? '')) {
      element.classList.remove('peer-here')
      element.style.removeProperty('--peer')
      const marker = element.querySelector('.marker')
      if (marker) marker.textContent = ''
    }
  })
  byField.forEach((here, path) => {
    const element = root.querySelector<HTMLElement>(`.field[data-field="${CSS.escape(path)}"]`)
    if (!element) return
    element.classList.add('peer-here')
    element.style.setProperty('--peer', here[0]!.color)
    const marker = element.querySelector('.marker')
    if (marker) marker.textContent = here.map((person) => person.name).join(', ')
    element.title = here.map((person) => t('is_editing', { name: person.name })).join('\n')
  })
}
