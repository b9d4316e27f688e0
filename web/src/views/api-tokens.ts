// The organization's API tokens, for admins (`token.manage`; docs/integrations.md, "API
// tokens"): the live tokens (GET /api/orgs/{org}/tokens) with their scopes, creator, last use
// and expiry; a token made with a name, scopes and an optional expiry (POST), whose secret is
// shown once with a copy button and a warning; a token revoked after a confirmation (DELETE).
// The server judges every request; its refusals are shown as it words them.

import { call, type Me, type Membership } from '../api'
import { h, replaceChildren, uid } from '../dom'
import { formatDate } from '../format'
import { t, type Key } from '../i18n'
import { failureText, Scope, view, type View } from '../view'
import { adminTabs, chosenOrg } from './admin-nav'
import { confirmAction } from './dialog'
import { errorBox, showError } from './forms'

interface ApiToken {
  id: string
  name: string
  prefix: string
  scopes: string[]
  created_by_name: string
  created_at: string
  expires_at: string | null
  last_used_at: string | null
}

interface Created extends ApiToken {
  token: string
}

const SCOPES: readonly { value: string; label: Key; hint: Key }[] = [
  { value: 'read', label: 'token_scope_read', hint: 'token_scope_read_hint' },
  { value: 'invoices:write', label: 'token_scope_invoices', hint: 'token_scope_invoices_hint' },
  { value: 'payments:write', label: 'token_scope_payments', hint: 'token_scope_payments_hint' },
  { value: 'admin', label: 'token_scope_admin', hint: 'token_scope_admin_hint' }
]
const EXPIRIES: readonly { days: string; label: Key }[] = [
  { days: '30', label: 'token_expiry_30' },
  { days: '90', label: 'token_expiry_90' },
  { days: '365', label: 'token_expiry_365' },
  { days: '', label: 'token_expiry_never' }
]

/** The scopes in the order of the form. */
function scopesText(scopes: string[]): string {
  const rank = (scope: string): number => SCOPES.findIndex((s) => s.value === scope)
  return [...scopes].sort((a, b) => rank(a) - rank(b)).map(scopeText).join(', ')
}

function scopeText(scope: string): string {
  const found = SCOPES.find((s) => s.value === scope)
  return found ? t(found.label) : scope
}

function when(iso: string | null): string {
  return iso ? formatDate(iso.slice(0, 10)) : '—'
}

export function apiTokensView(me: Me, query: URLSearchParams): View | { redirect: string } {
  const found = chosenOrg(me, 'token.manage', query)
  if (!found) return { redirect: '#/invoices' }
  const org: Membership = found
  const path = `/api/orgs/${encodeURIComponent(org.org_id)}/tokens`
  const scope = new Scope()
  const table = h('div', { class: 'table-wrap' })
  const error = errorBox()
  const done = h('p', { class: 'saved', role: 'status' })
  const secretBox = h('div', { class: 'token-secret', 'data-testid': 'token-secret' })
  const fetchTokens = scope.latest(() => call<{ items: ApiToken[] }>('GET', path))

  async function load(): Promise<void> {
    try {
      const { items } = await fetchTokens()
      replaceChildren(table, items.length ? tokensTable(items) : h('p', { class: 'muted' }, t('no_tokens')))
    } catch (failure) {
      showError(error, failureText(failure))
    }
  }

  function tokensTable(items: ApiToken[]): HTMLElement {
    const heads = ['token_name', 'token_scopes', 'token_created_by', 'token_last_used', 'token_expires', 'actions'] as const
    return h(
      'table',
      { class: 'admin-table tokens' },
      h('caption', { class: 'visually-hidden' }, t('api_tokens')),
      h('thead', {}, h('tr', {}, ...heads.map((key) => h('th', { scope: 'col' }, t(key))))),
      h('tbody', {}, ...items.map(row))
    )
  }

  function row(token: ApiToken): HTMLElement {
    const expired = token.expires_at !== null && token.expires_at <= new Date().toISOString()
    const revoke = h(
      'button',
      { type: 'button', class: 'secondary danger', 'aria-label': t('revoke_token_of', { name: token.name }) },
      t('revoke_token')
    )
    revoke.addEventListener('click', () => void revokeToken(token))
    return h(
      'tr',
      { 'data-token': token.name },
      h('th', { scope: 'row', 'data-label': t('token_name') }, token.name, h('div', { class: 'muted' }, h('code', {}, `${token.prefix}…`))),
      h('td', { 'data-label': t('token_scopes') }, scopesText(token.scopes)),
      h('td', { 'data-label': t('token_created_by') }, `${token.created_by_name} · ${when(token.created_at)}`),
      h('td', { 'data-label': t('token_last_used') }, token.last_used_at ? when(token.last_used_at) : t('token_never_used')),
      h('td', { 'data-label': t('token_expires') }, token.expires_at ? when(token.expires_at) : t('token_no_expiry'), expired ? h('span', { class: 'badge warn' }, ` ${t('token_expired')}`) : null),
      h('td', { 'data-label': t('actions') }, revoke)
    )
  }

  async function revokeToken(token: ApiToken): Promise<void> {
    const revoked = await confirmAction({
      title: t('revoke_token_title', { name: token.name }),
      text: t('revoke_token_text'),
      confirm: t('revoke_token'),
      danger: true,
      run: () => call('DELETE', `${path}/${encodeURIComponent(token.id)}`)
    })
    if (!revoked) return
    done.textContent = t('token_revoked', { name: token.name })
    await load()
  }

  function showSecret(created: Created): void {
    const secret = h('input', { id: uid('tok'), type: 'text', readonly: true, class: 'secret', value: created.token, 'data-testid': 'token-value' })
    const copied = h('span', { class: 'saved', role: 'status' })
    const copy = h('button', { type: 'button', class: 'secondary' }, t('copy_token'))
    copy.addEventListener('click', async () => {
      secret.select()
      try {
        await navigator.clipboard.writeText(secret.value)
        copied.textContent = t('copied')
      } catch {
        copied.textContent = t('copy_by_hand') // no clipboard (plain http): the text is selected
      }
    })
    const hide = h('button', { type: 'button', class: 'secondary' }, t('token_secret_done'))
    hide.addEventListener('click', () => secretBox.replaceChildren())
    secretBox.replaceChildren(
      h(
        'div',
        { class: 'card' },
        h('p', { class: 'strong' }, t('token_created', { name: created.name })),
        h('p', { class: 'hint warn' }, t('token_secret_warning')),
        h('div', { class: 'field' }, h('label', { for: secret.id }, t('token_secret')), h('div', { class: 'copy-row' }, secret, copy, copied)),
        hide
      )
    )
    secret.focus()
    secret.select()
  }

  function createForm(): HTMLElement {
    const nameId = uid('tok')
    const name = h('input', { id: nameId, type: 'text', required: true, maxlength: '80', autocomplete: 'off' })
    const boxes = SCOPES.map((s) => {
      const id = uid('scope')
      const box = h('input', { id, type: 'checkbox', value: s.value })
      const label = h('label', { for: id }, h('strong', {}, t(s.label)), ' — ', h('span', { class: 'muted' }, t(s.hint)))
      return { box, element: h('div', { class: 'field check' }, box, label) }
    })
    const expiryId = uid('tok')
    const expiry = h('select', { id: expiryId }, ...EXPIRIES.map((e) => h('option', { value: e.days, selected: e.days === '90' }, t(e.label))))
    const formError = errorBox()
    const submit = h('button', { type: 'submit', class: 'primary' }, t('create_token'))
    const form = h(
      'form',
      { class: 'card token-form', novalidate: true, 'aria-labelledby': 'token-form-title' },
      h('h2', { id: 'token-form-title' }, t('create_token_title')),
      h('p', { class: 'hint' }, t('create_token_intro')),
      h('div', { class: 'field' }, h('label', { for: nameId }, t('token_name')), name),
      h('fieldset', {}, h('legend', {}, t('token_scopes')), ...boxes.map((b) => b.element)),
      h('div', { class: 'field' }, h('label', { for: expiryId }, t('token_expiry')), expiry),
      formError,
      submit
    )
    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      showError(formError, null)
      done.textContent = ''
      const scopes = boxes.filter((b) => b.box.checked).map((b) => b.box.value)
      if (!name.value.trim()) return showError(formError, t('token_name_needed'))
      if (!scopes.length) return showError(formError, t('token_scopes_needed'))
      submit.disabled = true
      try {
        const body = { name: name.value.trim(), scopes, expires_in_days: expiry.value ? Number(expiry.value) : null }
        const created = await call<Created>('POST', path, body)
        form.reset()
        expiry.value = '90'
        showSecret(created)
        await load()
      } catch (failure) {
        showError(formError, failureText(failure))
      } finally {
        submit.disabled = false
      }
    })
    return form
  }

  void load()
  return view(
    h(
      'section',
      { class: 'admin tokens-page' },
      h('h1', {}, t('api_tokens_title', { org: org.org_name })),
      adminTabs(me, org, 'admin/tokens'),
      h('p', { class: 'hint' }, t('api_tokens_intro')),
      error,
      done,
      secretBox,
      table,
      createForm()
    ),
    scope
  )
}
