// The invoice's files (PDF, Factur-X, UBL, CII) as the server renders them: fetched with the
// session's token (a plain link cannot carry it) and handed to the browser as a download.

import { ApiError } from '../api'
import { h } from '../dom'
import { t } from '../i18n'
import { accessToken, refresh } from '../session'

export type Template = 'classic' | 'modern'
export type PdfLanguage = 'en' | 'fr'

/** How the PDFs look; `lang` empty lets the server choose (French for a French seller). */
export interface Look {
  template: Template
  lang: PdfLanguage | ''
}

interface Kind {
  key: 'download_pdf' | 'download_facturx' | 'download_ubl' | 'download_cii'
  path: string
  styled: boolean // takes the template and language
}

const KINDS: Kind[] = [
  { key: 'download_pdf', path: 'pdf', styled: true },
  { key: 'download_facturx', path: 'facturx.pdf', styled: true },
  { key: 'download_ubl', path: 'ubl.xml', styled: false },
  { key: 'download_cii', path: 'cii.xml', styled: false }
]

/** The address of one of the invoice's files. */
export function filePath(invoiceId: string, path: string, look: Look | null): string {
  const query = new URLSearchParams()
  if (look) {
    query.set('template', look.template)
    if (look.lang) query.set('lang', look.lang)
  }
  const text = query.toString()
  const suffix = text ? `?${text}` : ''
  return `/api/invoices/${encodeURIComponent(invoiceId)}/${path}${suffix}`
}

/** A file of the API as the signed-in user, with its name from Content-Disposition; one retry
 * after a token refresh, as `call` does for JSON. */
export async function fetchFile(path: string, signal?: AbortSignal): Promise<{ blob: Blob; name: string }> {
  const get = async (token: string): Promise<Response> => fetch(path, { headers: { authorization: `Bearer ${token}` }, signal })
  let token = await accessToken()
  let response = await get(token)
  if (response.status === 401) {
    token = await refresh(token)
    response = await get(token)
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string; code?: string }
    throw new ApiError(response.status, body.error ?? `HTTP ${response.status}`, null, body.code ?? null)
  }
  const disposition = response.headers.get('content-disposition') ?? ''
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? path.split('/').pop() ?? 'invoice'
  return { blob: await response.blob(), name }
}

/** The download buttons; `look` gives the PDFs' template and language at the time of a click. */
export function downloadButtons(invoiceId: string, look: () => Look, failed: (text: string) => void): HTMLElement {
  const buttons = KINDS.map((kind) => {
    const button = h('button', { type: 'button', class: 'secondary small', 'data-download': kind.path }, t(kind.key))
    button.addEventListener('click', () => {
      button.disabled = true
      void save(filePath(invoiceId, kind.path, kind.styled ? look() : null))
        .catch((failure: unknown) => failed(t('download_failed', { message: failure instanceof ApiError ? failure.error : String(failure) })))
        .finally(() => (button.disabled = false))
    })
    return button
  })
  return h('div', { class: 'downloads', role: 'group', 'aria-label': t('downloads') }, ...buttons)
}

/** Fetch an API file with the session's token and hand it to the browser as a download. */
export async function save(path: string): Promise<void> {
  const { blob, name } = await fetchFile(path)
  const url = URL.createObjectURL(blob)
  const link = h('a', { href: url, download: name, hidden: true })
  document.body.append(link)
  link.click()
  link.remove()
  // The browser has started reading the blob by now; a minute is plenty for a large PDF.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
