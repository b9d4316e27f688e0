// The official EN 16931 rules, checked by the server on the draft as it stands a moment after
// the last edit (GET /api/invoices/{id}/compliance): what would refuse the issue is shown on its
// field long before anyone presses Issue. The server caches one check per content, so every
// open editor asking costs one check, not one per person.

import { call } from '../api'
import type { Issue } from '../evaluate'

interface Finding {
  path: string
  rule: string
  message: string
}

interface Compliance {
  checked: string
  valid: boolean
  fatal: Finding[]
  warnings: Finding[]
}

const QUIET_MS = 1500 // after the last edit: one check per pause in typing, not per keystroke

export class ComplianceCheck {
  private timer = 0
  private findings: Issue[] = []
  private stopped = false

  constructor(
    private readonly invoiceId: string,
    private readonly shown: () => void
  ) {}

  /** The rules broken at the last check, as messages on their fields. */
  get issues(): readonly Issue[] {
    return this.findings
  }

  /** The document changed: check again once the typing pauses. */
  changed(): void {
    window.clearTimeout(this.timer)
    this.timer = window.setTimeout(() => void this.check(), QUIET_MS)
  }

  /** The editor closes: no more checks. */
  stop(): void {
    this.stopped = true
    window.clearTimeout(this.timer)
  }

  private async check(): Promise<void> {
    if (this.stopped) return
    try {
      const answer = await call<Compliance>('GET', `/api/invoices/${encodeURIComponent(this.invoiceId)}/compliance`)
      if (this.stopped) return
      const issue = (severity: 'error' | 'warning') => (f: Finding): Issue => ({
        path: f.path,
        code: 'en16931',
        message: `${f.rule}: ${f.message}`,
        severity
      })
      this.findings = [...answer.fatal.map(issue('error')), ...answer.warnings.map(issue('warning'))]
      this.shown()
    } catch {
      // A later edit asks again; the local checks still stand meanwhile.
    }
  }
}
