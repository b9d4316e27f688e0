// The named versions panel, beside the history (docs/workflow.md, "Named versions"): the
// versions the server took at submit and approve and those editors named, newest first;
// "Name this version" (editors, any state but discarded) and "Restore" (drafts only, after a
// confirmation). A restore is a new change the server sends to every open editor, so this tab
// converges through its connection like the others; the panel only asks.

import { ApiError } from '../api'
import { h, replaceChildren, uid } from '../dom'
import { locale, t } from '../i18n'
import { confirmAction } from '../views/dialog'
import { failureText } from '../view'
import { listVersions, nameVersion, restoreVersion, type Version } from './workflow-api'

function when(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date)
}

export class VersionsPanel {
  readonly element: HTMLElement
  private readonly list = h('ol', { class: 'versions-list' })
  private readonly error = h('p', { class: 'form-error', role: 'alert', hidden: true })
  private readonly name: HTMLInputElement
  private readonly form: HTMLFormElement
  private readonly formError = h('p', { class: 'form-error', role: 'alert', hidden: true })
  private versions: Version[] = []
  private status = ''
  private loads = 0

  constructor(
    private readonly invoiceId: string,
    /** `invoice.edit`: may name and restore (the server checks it too). */
    private readonly canEdit: boolean,
    private readonly toast: (text: string) => void
  ) {
    const id = 'versions-title'
    const nameId = uid('version-name')
    this.name = h('input', { id: nameId, type: 'text', maxlength: '200', autocomplete: 'off', required: true })
    const save = h('button', { type: 'submit', class: 'secondary small' }, t('version_name_action'))
    this.form = h(
      'form',
      { class: 'version-form', novalidate: true, onsubmit: (event: Event) => void this.submit(event, save) },
      h('label', { for: nameId }, t('version_name_label')),
      h('div', { class: 'version-name-row' }, this.name, save),
      this.formError
    )
    this.element = h(
      'section',
      { class: 'versions card', 'aria-labelledby': id, 'data-testid': 'versions' },
      h('div', { class: 'history-head' }, h('h2', { id }, t('versions')), h('button', { type: 'button', class: 'secondary small', onclick: () => void this.load() }, t('history_refresh'))),
      this.form,
      this.error,
      this.list
    )
  }

  /** The invoice's status decides what may be done; versions are read again (a submit or an
   * approve names one). */
  update(status: string): void {
    this.status = status
    this.form.hidden = !this.canEdit || status === 'discarded'
    void this.load()
  }

  async load(): Promise<void> {
    const mine = ++this.loads
    try {
      const found = await listVersions(this.invoiceId)
      if (mine !== this.loads) return
      this.versions = found
      this.error.hidden = true
    } catch (failure) {
      if (mine !== this.loads) return
      this.error.textContent = failureText(failure)
      this.error.hidden = false
    }
    this.draw()
  }

  private draw(): void {
    const restorable = this.canEdit && this.status === 'draft'
    replaceChildren(
      this.list,
      ...(this.versions.length
        ? this.versions.map((v) =>
            h(
              'li',
              { 'data-seq': String(v.seq), 'data-kind': v.kind },
              h('div', { class: 'version-name' }, h('strong', {}, v.name), ' ', h('span', { class: `tag ${v.kind}` }, t(v.kind === 'auto' ? 'version_auto' : 'version_manual'))),
              h('div', { class: 'hint' }, v.author.name, ' · ', h('time', { datetime: v.at }, when(v.at))),
              restorable ? h('button', { type: 'button', class: 'secondary small', onclick: () => void this.restore(v) }, t('version_restore')) : null
            )
          )
        : [h('li', { class: 'empty' }, t('versions_empty'))])
    )
  }

  private async submit(event: Event, save: HTMLButtonElement): Promise<void> {
    event.preventDefault()
    const name = this.name.value.trim()
    if (!name) {
      this.showFormError(t('version_name_needed'))
      return
    }
    save.disabled = true
    try {
      await nameVersion(this.invoiceId, name)
      this.name.value = ''
      this.showFormError(null)
      await this.load()
    } catch (failure) {
      this.showFormError(failure instanceof ApiError ? failure.error : String(failure))
    } finally {
      save.disabled = false
    }
  }

  private showFormError(text: string | null): void {
    this.formError.textContent = text ?? ''
    this.formError.hidden = !text
    if (text) this.name.setAttribute('aria-invalid', 'true')
    else this.name.removeAttribute('aria-invalid')
  }

  private async restore(version: Version): Promise<void> {
    const restored = await confirmAction({
      title: t('version_restore_title', { name: version.name }),
      text: t('version_restore_text'),
      confirm: t('version_restore'),
      run: async () => {
        await restoreVersion(this.invoiceId, version.seq)
      }
    })
    if (restored) this.toast(t('version_restored', { name: version.name }))
  }
}
