// Boot and routing. Routes live in the hash so the server serves one page:
//   #/setup  #/login  #/invoices[?filters]  #/invoices/<id>  #/security

import './style.css'

import { anonymous, call, SessionEnded, type Me } from './api'
import { h } from './dom'
import { language, setLanguage, t } from './i18n'
import { signedIn } from './session'
import { invoiceEditor, type View } from './editor/editor'
import { frame } from './views/shell'
import { listView } from './views/list'
import { loginView, type Credentials } from './views/login'
import { setupView } from './views/setup'
import { twoFactorView } from './views/twofactor'

const root = document.getElementById('app') as HTMLElement
let current: View | null = null
let me: Me | null = null
let pendingEnrolment: Credentials | undefined
let notice: string | undefined
let generation = 0

function parseHash(): { path: string[]; params: URLSearchParams } {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?')
  return { path: path.split('/').filter(Boolean), params: new URLSearchParams(query) }
}

function show(content: HTMLElement, view: View | null = null, user: Me | null = me): void {
  current?.destroy()
  current = view
  frame(root, content, user, () => void route())
  document.title = `${t('app_name')}`
}

async function loadMe(): Promise<Me | null> {
  if (!signedIn()) return null
  try {
    return await call<Me>('GET', '/api/me')
  } catch (failure) {
    if (failure instanceof SessionEnded) {
      notice = t('session_expired')
      return null
    }
    throw failure
  }
}

async function route(): Promise<void> {
  const mine = ++generation
  const { path, params } = parseHash()
  document.documentElement.lang = language()
  if (path[0] === 'setup' || !signedIn()) {
    const { needed } = await anonymous<{ needed: boolean }>('GET', '/api/setup')
    if (mine !== generation) return
    if (needed) return show(setupView(() => go('#/invoices')), null, null)
    if (path[0] === 'setup') return go('#/login')
  }
  me = await loadMe()
  if (mine !== generation) return
  if (!me) {
    if (path[0] === 'security' && pendingEnrolment) {
      return show(twoFactorView(null, pendingEnrolment, () => go('#/login')), null, null)
    }
    if (path[0] !== 'login') return go('#/login')
    const shown = notice
    notice = undefined
    return show(
      loginView(
        () => go('#/invoices'),
        (credentials) => {
          pendingEnrolment = credentials
          go('#/security')
        },
        shown
      ),
      null,
      null
    )
  }
  pendingEnrolment = undefined
  if (path[0] === 'login' || path[0] === 'setup' || path.length === 0) return go('#/invoices')
  if (path[0] === 'security') return show(twoFactorView(me, undefined, () => void route()))
  if (path[0] === 'invoices' && path[1]) {
    show(h('p', { class: 'loading' }, t('loading')))
    try {
      const editor = await invoiceEditor(path[1], me)
      if (mine !== generation) return editor.destroy()
      return show(editor.element, editor)
    } catch (failure) {
      if (mine !== generation) return
      const status = (failure as { status?: number }).status
      return show(h('p', { class: 'banner' }, status === 404 ? t('not_found') : t('error_generic', { message: String(failure) })))
    }
  }
  return show(listView(me, params))
}

function go(hash: string): void {
  if (location.hash === hash) void route()
  else location.hash = hash
}

window.addEventListener('hashchange', () => void route())
window.addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof SessionEnded) {
    notice = t('session_expired')
    go('#/login')
  }
})
setLanguage(language())
void route()
