// The page frame: skip link, top bar (organization, user, language, two-factor, sign out), main.

import { call, type Me } from '../api'
import { h, replaceChildren } from '../dom'
import { LANGUAGES, language, setLanguage, t, type Language } from '../i18n'
import { clear } from '../session'
import { clearDrafts } from '../editor/offline'
import { Scope, view, type View } from '../view'
import { notificationsMenu } from './notifications'

export function languagePicker(onChange: () => void): HTMLElement {
  const choose = h(
    'select',
    {
      id: 'language',
      onchange: () => {
        setLanguage(choose.value as Language)
        onChange()
      }
    },
    ...Object.entries(LANGUAGES).map(([code, name]) => h('option', { value: code, selected: code === language(), lang: code }, name))
  )
  return h('div', { class: 'language' }, h('label', { for: 'language' }, t('language')), choose)
}

export async function signOut(userId: string): Promise<void> {
  try {
    await call('POST', '/api/auth/logout')
  } catch {
    // Already ended: signing out locally is what matters.
  }
  clear()
  location.hash = '#/login'
  // The offline copies of this user's invoices go too (a shared computer): the one the
  // editor has open is deleted as the page above closes it.
  await clearDrafts(userId)
}

/** "Invitations (N)" once the person has pending invitations (GET /api/me/invitations); hidden
 * otherwise, so that the bar stays short for everyone else. */
function invitationsLink(scope: Scope): HTMLElement {
  const link = h('a', { href: '#/invitation', hidden: true, 'data-testid': 'invitations-link' })
  call<{ items: unknown[] }>('GET', '/api/me/invitations').then(
    ({ items }) => {
      if (!scope.alive || !items.length) return
      link.textContent = t('invitations_count', { count: items.length })
      link.hidden = false
    },
    () => undefined // the link is a shortcut: the invitation page says what went wrong
  )
  return link
}

/** Put `content` in the page, under a top bar when someone is signed in. The frame is a view
 * of its own (the notifications menu polls), destroyed when the next page is framed. */
export function frame(root: HTMLElement, content: HTMLElement, me: Me | null, rerender: () => void): View {
  const scope = new Scope()
  const orgs = me ? [...new Set(me.memberships.map((m) => m.org_name))].join(', ') : ''
  // On a phone the links and controls fold under a "Menu" button (style.css shows the button
  // only on narrow screens, where the open menu wraps under the bar).
  const toggle = h('button', { type: 'button', class: 'menu-toggle secondary', 'aria-expanded': 'false', 'aria-controls': 'topbar-menu' }, t('menu'))
  const bar = h(
    'header',
    { class: 'topbar' },
    h('a', { href: me ? '#/invoices' : '#/login', class: 'brand' }, t('app_name')),
    me ? h('span', { class: 'org' }, orgs) : null,
    toggle,
    h(
      'nav',
      { 'aria-label': t('app_name'), id: 'topbar-menu' },
      me ? h('a', { href: '#/invoices' }, t('invoices')) : null,
      me ? h('a', { href: '#/board' }, t('board_title')) : null,
      me ? h('a', { href: '#/exceptions' }, t('exceptions')) : null,
      me ? h('a', { href: '#/catalogue/customers' }, t('catalogue')) : null,
      me ? h('a', { href: '#/receivables' }, t('getting_paid')) : null,
      me?.memberships.some((m) => m.capabilities.includes('org.settings')) ? h('a', { href: '#/settings/profile' }, t('seller_profile')) : null,
      me?.memberships.some((m) => m.capabilities.includes('member.manage')) ? h('a', { href: '#/admin/members' }, t('administration')) : null,
      me ? invitationsLink(scope) : null,
      me ? h('a', { href: '#/security' }, t('security')) : null,
      me ? h('a', { href: '#/settings/notifications' }, t('notification_settings')) : null,
      languagePicker(rerender),
      me ? notificationsMenu(scope) : null,
      me ? h('span', { class: 'user', 'data-testid': 'user' }, me.name || me.email) : null,
      me ? h('button', { type: 'button', class: 'link', onclick: () => void signOut(me.id) }, t('sign_out')) : null
    )
  )
  toggle.addEventListener('click', () => {
    const open = !bar.classList.contains('open')
    bar.classList.toggle('open', open)
    toggle.setAttribute('aria-expanded', String(open))
  })
  replaceChildren(
    root,
    h('a', { href: '#main', class: 'skip' }, t('skip_to_content')),
    bar,
    h('main', { id: 'main', tabindex: '-1' }, content)
  )
  return view(root, scope)
}
