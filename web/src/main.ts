// Boot: the route table and what runs before every route (first run, who is signed in).
// A new screen is one line here and one view module (docs/web.md, "Writing a view").

import './style.css'

import { anonymous, call, SessionEnded, type Me } from './api'
import { h } from './dom'
import { language, setLanguage, t } from './i18n'
import { route, Router } from './router'
import { restore } from './session'
import { invoiceEditor } from './editor/editor'
import { frame } from './views/shell'
import { listView } from './views/list'
import { loginView, type Credentials } from './views/login'
import { auditView } from './views/audit'
import { boardView } from './views/board'
import { kpisView } from './views/kpis'
import { exceptionsView } from './views/exceptions-log'
import { catalogueView } from './views/catalogue'
import { customerImportView } from './views/customer-import'
import { timeImportView } from './views/time-import'
import { orgChatView } from './views/chat-channels'
import { notificationSettingsView } from './views/notification-settings'
import { invitationView } from './views/invitation'
import { membersView } from './views/members'
import { orgSecurityView } from './views/org-security'
import { apiTokensView } from './views/api-tokens'
import { webhooksView } from './views/webhooks'
import { profileView } from './views/profile'
import { outboxView } from './views/outbox'
import { receivablesView } from './views/receivables'
import { reconciliationView } from './views/reconciliation'
import { recurringView } from './views/recurring'
import { reminderSettingsView } from './views/reminder-settings'
import { accountingView } from './views/accounting'
import { setupView } from './views/setup'
import { twoFactorView } from './views/twofactor'

/** Email and password kept between a sign-in that requires two factors and the enrolment. */
let pendingEnrolment: Credentials | undefined
/** Said once on the next sign-in page ("your session has ended"). */
let notice: string | undefined

const routes = [
  route('login', 'anonymous', () => {
    pendingEnrolment = undefined
    const shown = notice
    notice = undefined
    return loginView({
      done: () => router.go('#/invoices'),
      enrol: (credentials) => {
        pendingEnrolment = credentials
        router.go('#/security')
      },
      notice: shown
    })
  }),
  // The first-run guard below shows the setup page while it is needed; afterwards, sign in.
  route('setup', 'any', () => ({ redirect: '#/login' })),
  route('security', 'any', ({ me, refresh }) => {
    if (me) return twoFactorView({ me, finished: refresh })
    if (pendingEnrolment) return twoFactorView({ me: null, credentials: pendingEnrolment, finished: () => router.go('#/login') })
    return { redirect: '#/login' }
  }),
  // An organization that requires a second factor opens only once it is set up: with no other
  // organization to work in, the two-factor page comes first.
  route('invoices', 'member', ({ me, query }) =>
    me.memberships.length > 0 && me.memberships.every((m) => m.totp_required) ? { redirect: '#/security' } : listView(me, query)
  ),
  route('invoices/:id', 'member', ({ me, params }) => invoiceEditor(params.id, me)),
  // The manager's board and the KPI and reports page (docs/web.md, "The board", "Reports").
  route('board', 'member', ({ me, query }) => boardView(me, query)),
  route('reports', 'member', ({ me, query }) => kpisView(me, query)),
  route('exceptions', 'member', ({ me, query }) => exceptionsView(me, query)),
  route('settings/profile', 'member', ({ me, query }) => profileView(me, query)),
  // Administration and the catalogue (docs/web.md, "Administration").
  route('admin/members', 'member', ({ me, query }) => membersView(me, query)),
  route('admin/audit', 'member', ({ me, query }) => auditView(me, query)),
  route('admin/security', 'member', ({ me, query }) => orgSecurityView(me, query)),
  route('admin/chat', 'member', ({ me, query }) => orgChatView(me, query)),
  route('settings/notifications', 'member', () => notificationSettingsView()),
  route('admin/tokens', 'member', ({ me, query }) => apiTokensView(me, query)),
  route('admin/webhooks', 'member', ({ me, query }) => webhooksView(me, query)),
  // Getting paid (docs/web.md, "Getting paid"): what is owed, reconciliation, schedules,
  // reminders, the outbox.
  route('receivables', 'member', ({ me, query }) => receivablesView(me, query)),
  route('reconciliation', 'member', ({ me, query }) => reconciliationView(me, query)),
  route('recurring', 'member', ({ me, query }) => recurringView(me, query)),
  route('settings/reminders', 'member', ({ me, query }) => reminderSettingsView(me, query)),
  route('admin/outbox', 'member', ({ me, query }) => outboxView(me, query)),
  // The accounting export and chart of accounts (docs/integrations.md, "Accounting export").
  route('settings/accounting', 'member', ({ me, query }) => accountingView(me, query)),
  // CSV imports (docs/integrations.md): customers from and to a CRM, time entries into lines.
  route('catalogue/import', 'member', ({ me, query }) => customerImportView(me, query)),
  route('time-import', 'member', ({ me, query }) => timeImportView(me, query)),
  route('catalogue/:kind', 'member', ({ me, params, query }) =>
    params.kind === 'customers' || params.kind === 'items' ? catalogueView(me, params.kind, query) : { redirect: '#/catalogue/customers' }
  ),
  route('invitation', 'any', ({ me, query }) =>
    invitationView({ me, token: query.get('token'), signedIn: () => router.go('#/invoices'), changed: () => router.go('#/invitation') })
  )
]

async function loadMe(): Promise<Me | null> {
  if (!(await restore())) return null
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

const router = new Router(routes, {
  async guard(path) {
    document.documentElement.lang = language()
    document.title = t('app_name')
    // A server without any account shows the first-run page, whatever the address.
    if (path[0] !== 'setup' && (await restore())) return null
    const { needed } = await anonymous<{ needed: boolean }>('GET', '/api/setup')
    return needed ? setupView(() => router.go('#/invoices')) : null
  },
  me: loadMe,
  frame: (content, me, refresh) => frame(document.getElementById('app') as HTMLElement, content, me, refresh),
  home: (me) => (me ? '#/invoices' : '#/login'),
  loading: () => h('p', { class: 'loading' }, t('loading')),
  failed: (failure) => {
    const status = (failure as { status?: number }).status
    return h('p', { class: 'banner' }, status === 404 ? t('not_found') : t('error_generic', { message: String(failure) }))
  }
})

window.addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof SessionEnded) {
    notice = t('session_expired')
    router.go('#/login')
  }
})
setLanguage(language())
router.start()
