// Two-factor authentication: turn it on (QR code, confirm with a code, recovery codes) or off.
// Also reached before any token when an organization requires it (`credentials` given).

import { anonymous, call, type Me } from '../api'
import { h, replaceChildren } from '../dom'
import { t } from '../i18n'
import { failureText, view, type View } from '../view'
import { errorBox, labelled, showError } from './forms'
import type { Credentials } from './login'

interface Enrolment {
  secret: string
  otpauth_uri: string
  qr_svg: string
}

function request<T>(path: string, body: Record<string, string>, credentials?: Credentials): Promise<T> {
  return credentials ? anonymous<T>('POST', path, { ...credentials, ...body }) : call<T>('POST', path, body)
}

export interface TwoFactorOptions {
  /** The signed-in user; null while enrolling before any token (`credentials` given). */
  me: Me | null
  credentials?: Credentials
  finished(): void
}

export function twoFactorView({ me, credentials, finished }: TwoFactorOptions): View {
  const card = h('section', { class: 'card narrow', 'aria-labelledby': 'tfa-title' })
  const heading = h('h1', { id: 'tfa-title' }, t('security'))
  const error = errorBox()

  function start(): void {
    const button = h(
      'button',
      {
        type: 'button',
        onclick: async () => {
          button.disabled = true
          try {
            scan(await request<Enrolment>('/api/auth/2fa/enroll', {}, credentials))
          } catch (failure) {
            showError(error, failureText(failure))
            button.disabled = false
          }
        }
      },
      t('totp_start')
    )
    const intro = credentials ? t('totp_enrolment_needed') : me?.totp_enabled ? t('totp_on', { count: me.recovery_codes_left ?? 0 }) : t('totp_off')
    const forms = me?.totp_enabled ? [renewForm(), disableForm()] : [button]
    replaceChildren(card, heading, h('p', {}, intro), error, ...forms)
  }

  function scan(enrolment: Enrolment): void {
    const code = labelled(t('totp_code'), { autocomplete: 'one-time-code', inputmode: 'numeric', required: true })
    const qr = h('img', {
      class: 'qr',
      alt: t('totp_qr_alt'),
      width: '200',
      height: '200',
      // As an image, the server's SVG cannot run anything in the page.
      src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qr_svg)}`
    })
    const form = h(
      'form',
      {
        onsubmit: async (event: Event) => {
          event.preventDefault()
          try {
            const answer = await request<{ recovery_codes: string[] }>('/api/auth/2fa/confirm', { code: code.input.value.replace(/\s/g, '') }, credentials)
            recovery(answer.recovery_codes)
          } catch (failure) {
            showError(error, failureText(failure))
          }
        }
      },
      code.element,
      h('button', { type: 'submit' }, t('totp_confirm'))
    )
    replaceChildren(
      card,
      heading,
      h('p', {}, t('totp_scan')),
      qr,
      h('p', {}, `${t('totp_secret')}: `, h('code', { class: 'secret' }, enrolment.secret)),
      error,
      form
    )
    code.input.focus()
  }

  function recovery(codes: string[]): void {
    replaceChildren(
      card,
      heading,
      h('p', {}, t('totp_recovery')),
      h('ul', { class: 'codes' }, ...codes.map((c) => h('li', {}, h('code', {}, c)))),
      h('button', { type: 'button', onclick: finished }, t('continue'))
    )
  }

  /** New recovery codes for a fresh code: the old ones stop working (issue 13). */
  function renewForm(): HTMLElement {
    const code = labelled(t('totp_code'), { autocomplete: 'one-time-code', required: true }, t('totp_renew_hint'))
    return h(
      'form',
      {
        onsubmit: async (event: Event) => {
          event.preventDefault()
          try {
            const answer = await call<{ recovery_codes: string[] }>('POST', '/api/auth/2fa/recovery-codes', {
              code: code.input.value.replace(/\s/g, '')
            })
            recovery(answer.recovery_codes)
          } catch (failure) {
            showError(error, failureText(failure))
          }
        }
      },
      h('h3', {}, t('totp_renew_title')),
      code.element,
      h('button', { type: 'submit', class: 'secondary' }, t('totp_renew'))
    )
  }

  function disableForm(): HTMLElement {
    const code = labelled(t('totp_code'), { autocomplete: 'one-time-code', inputmode: 'numeric', required: true }, t('totp_disable_hint'))
    return h(
      'form',
      {
        onsubmit: async (event: Event) => {
          event.preventDefault()
          try {
            await call('POST', '/api/auth/2fa/disable', { code: code.input.value.replace(/\s/g, '') })
            finished()
          } catch (failure) {
            showError(error, failureText(failure))
          }
        }
      },
      code.element,
      h('button', { type: 'submit', class: 'secondary' }, t('totp_disable'))
    )
  }

  start()
  return view(card)
}
