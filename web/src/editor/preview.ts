// The invoice as the customer will see it, next to the editor: the pages of the server's own
// PDF (the bytes a download or an e-mail carries), drawn by PDFium on the server and shown as
// images, again a moment after the last edit. An HTML imitation in the page would be cheaper
// but could differ from the PDF (page breaks, fonts, the paged-media CSS only WeasyPrint
// applies). Images rather than the PDF in an iframe: the app's Content-Security-Policy frames
// nothing but its own pages, and not every browser has a PDF viewer (phones do not).

import { ApiError, call } from '../api'
import { h, replaceChildren } from '../dom'
import { t } from '../i18n'
import { downloadButtons, filePath, type Look, type PdfLanguage, type Template } from './downloads'

interface PreviewAnswer {
  number: string
  draft: boolean
  page_count: number
  pages: string[]
}

// Quiet time after an edit before the PDF is drawn again: a render takes a few hundred
// milliseconds of server CPU, so not one per keystroke; but never more than MAX_WAIT_MS stale
// while someone keeps typing.
const QUIET_MS = 1200
const MAX_WAIT_MS = 6000

type State = 'idle' | 'loading' | 'ready' | 'error'

export class PreviewPanel {
  readonly element: HTMLElement
  // A scrolling frame reached by the keyboard (tabindex) and named: a region, since a plain div
  // may not carry a label.
  private readonly pages = h('div', { class: 'preview-pages', 'data-testid': 'preview-pages', role: 'region', tabindex: 0, 'aria-label': t('preview_frame') })
  private readonly status = h('p', { class: 'preview-status', role: 'status', 'aria-live': 'polite' })
  private readonly look: Look = { template: 'classic', lang: '' }
  private timer = 0
  private firstChange = 0
  private running: AbortController | null = null
  private again = false

  constructor(
    private readonly invoiceId: string,
    toast: (text: string, kind?: string) => void
  ) {
    const id = 'preview-title'
    const template = h(
      'select',
      { 'aria-label': t('preview_template'), onchange: (e: Event) => this.choose({ template: (e.target as HTMLSelectElement).value as Template }) },
      h('option', { value: 'classic' }, t('preview_classic')),
      h('option', { value: 'modern' }, t('preview_modern'))
    )
    const lang = h(
      'select',
      { 'aria-label': t('preview_language'), onchange: (e: Event) => this.choose({ lang: (e.target as HTMLSelectElement).value as PdfLanguage | '' }) },
      h('option', { value: '' }, t('preview_language_auto')),
      h('option', { value: 'en' }, 'English'),
      h('option', { value: 'fr' }, 'Français')
    )
    this.element = h(
      'section',
      { class: 'preview card', 'aria-labelledby': id, 'data-testid': 'preview', 'data-state': 'idle' },
      h('div', { class: 'history-head' }, h('h2', { id }, t('preview_title')), this.status),
      h('div', { class: 'preview-controls' }, template, lang),
      this.pages,
      downloadButtons(invoiceId, () => ({ ...this.look }), (text) => toast(text, 'error'))
    )
  }

  /** The document changed (or the invoice moved in the workflow): draw again once it is quiet. */
  changed(): void {
    const now = Date.now()
    if (!this.timer) this.firstChange = now
    window.clearTimeout(this.timer)
    const wait = Math.max(0, Math.min(QUIET_MS, this.firstChange + MAX_WAIT_MS - now))
    this.timer = window.setTimeout(() => {
      this.timer = 0
      void this.load()
    }, wait)
  }

  /** Draw now; a change arriving meanwhile draws once more when this one is done. */
  async load(): Promise<void> {
    if (this.running) {
      this.again = true
      return
    }
    const controller = (this.running = new AbortController())
    this.show('loading')
    try {
      const answer = await call<PreviewAnswer>('GET', filePath(this.invoiceId, 'preview', this.look))
      if (controller.signal.aborted) return
      const images = answer.pages.map((src, index) =>
        h('img', { src, class: 'preview-page', alt: t('preview_page', { page: index + 1, count: answer.page_count }) })
      )
      const more = answer.page_count > answer.pages.length ? h('p', { class: 'preview-more' }, t('preview_more', { count: answer.page_count - answer.pages.length })) : null
      replaceChildren(this.pages, ...images, more)
      this.element.dataset.pages = String(answer.page_count)
      this.show('ready')
    } catch (failure) {
      if (controller.signal.aborted) return
      this.show('error', failure instanceof ApiError ? failure.error : String(failure))
    } finally {
      this.running = null
      if (this.again && !controller.signal.aborted) {
        this.again = false
        void this.load()
      }
    }
  }

  destroy(): void {
    window.clearTimeout(this.timer)
    this.running?.abort()
  }

  private choose(change: Partial<Look>): void {
    Object.assign(this.look, change)
    void this.load()
  }

  private show(state: State, message = ''): void {
    this.element.dataset.state = state
    this.status.textContent = state === 'loading' ? t('preview_updating') : state === 'error' ? t('preview_failed', { message }) : ''
  }
}
