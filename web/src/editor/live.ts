// One invoice's live connection: the Y.Doc, its offline copy (offline.ts), the stock
// y-websocket provider, presence, the connection state shown to the user, and Cofacture's own
// messages (docs/protocol.md).

import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { WebsocketProvider } from 'y-websocket'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'

import { t } from '../i18n'
import { accessToken } from '../session'
import { fromStore, OfflineCopy } from './offline'

const MESSAGE_SYNC = 0
const SYNC_STEP1 = 0
const SYNC_STEP2 = 1
const MESSAGE_AUTH = 2
const MESSAGE_NOTICE = 100
const CLOSE_RESYNC = 4001
const CLOSE_REVOKED = 1008

/** Local edits from this tab's inputs. */
export const LOCAL = Symbol('local edit')

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline'

/** A Cofacture notice (type 100): a JSON object with a string `type`; the fields read by
 * each handler are checked there (see locks.ts, comments.ts). */
export interface Notice {
  type: string
  reason?: string
  paths?: string[]
  resync?: boolean
  [field: string]: unknown
}

/** The connection badge: "Offline · 3 changes waiting". */
export function connectionText(state: ConnectionState, pending: number): string {
  const text = t(`conn_${state}`)
  if (state === 'connected' || pending === 0) return text
  return `${text} · ${pending === 1 ? t('conn_pending_one') : t('conn_pending', { count: pending })}`
}

/** A sync step 1 sent to learn when the server has handled everything sent before it. */
interface Probe {
  /** The changes waiting when it was sent. */
  covers: number
  /** The server asked for our state again meanwhile: the answer comes before our reply. */
  again: boolean
}

export interface LiveEvents {
  /** The connection state or the number of waiting changes changed. A new connection starts
   * with no locks known: the server sends the list on join when there are any. */
  status(state: ConnectionState, pending: number): void
  /** The document was replaced by a fresh one (after a resync): render it again. */
  doc(doc: Y.Doc): void
  notice(notice: Notice): void
  denied(reason: string): void
  /** The server ended this connection for good (access revoked). */
  ended(reason: string): void
}

export class LiveInvoice {
  doc: Y.Doc
  provider: WebsocketProvider
  private state: ConnectionState = 'connecting'
  /** Local changes the server has not acknowledged (see `acknowledged`), kept in the copy. */
  private pending = 0
  private probe: Probe | null = null
  private offline: OfflineCopy | null = null
  private closed = false
  private everConnected = false
  private field: string | null = null
  private readonly cleanup: (() => void)[] = []

  /** `store`: the name of the invoice's offline copy (offline.ts), null to keep none. */
  constructor(
    private readonly invoiceId: string,
    private readonly events: LiveEvents,
    token: string,
    private readonly store: string | null
  ) {
    this.doc = new Y.Doc()
    this.provider = this.connect(token, this.load(this.doc, Promise.resolve()))
    const offline = (): void => {
      this.provider.disconnect() // do not wait 30 s for a silent socket to time out
      this.setState('offline')
    }
    const online = (): void => {
      void this.freshToken().then(() => this.provider.connect())
    }
    window.addEventListener('offline', offline)
    window.addEventListener('online', online)
    this.cleanup.push(() => {
      window.removeEventListener('offline', offline)
      window.removeEventListener('online', online)
    })
    const renew = window.setInterval(() => void this.freshToken(), 30_000)
    this.cleanup.push(() => window.clearInterval(renew))
  }

  get awareness(): Awareness {
    return this.provider.awareness
  }

  get status(): { state: ConnectionState; pending: number } {
    return { state: this.state, pending: this.pending }
  }

  /** Tell the others which field this person is in (null: none). */
  focus(path: string | null): void {
    this.field = path
    this.awareness.setLocalStateField('field', path)
  }

  /** Send a notice to the server; false when not connected (nothing is queued: locks are
   * taken again on reconnect). */
  send(body: Notice): boolean {
    const ws = this.provider.ws
    if (!this.provider.wsconnected || !ws || ws.readyState !== WebSocket.OPEN) return false
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_NOTICE)
    encoding.writeVarString(encoder, JSON.stringify(body))
    ws.send(encoding.toUint8Array(encoder))
    return true
  }

  destroy(): void {
    this.closed = true
    for (const undo of this.cleanup.splice(0)) undo()
    this.provider.destroy()
    this.doc.destroy() // closes its offline copy, which keeps what the server has not acknowledged
  }

  /** Open `doc`'s offline copy once `after` is done (a deletion of the previous one): the
   * stored document and count merge into it before the connection opens. */
  private async load(doc: Y.Doc, after: Promise<void>): Promise<void> {
    await after
    if (!this.store || this.closed || doc !== this.doc) return
    this.offline = OfflineCopy.open(this.store, doc)
    const stored = (await this.offline?.loaded) ?? 0
    if (stored > 0 && doc === this.doc && !this.closed) this.count(stored)
  }

  /** A connection for the current doc, opened once `ready`. */
  private connect(token: string, ready: Promise<void>): WebsocketProvider {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    const provider = new WebsocketProvider(`${scheme}://${location.host}/ws/invoices`, this.invoiceId, this.doc, {
      params: { token },
      connect: false,
      disableBc: true, // every change goes through the server, which checks who may make it
      maxBackoffTime: 5000
    })
    void ready.then(() => {
      if (provider === this.provider && !this.closed) provider.connect()
    })
    provider.awareness.setLocalStateField('field', this.field)
    provider.messageHandlers[MESSAGE_NOTICE] = (_encoder, decoder) => {
      this.onNotice(decoding.readVarString(decoder))
    }
    provider.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder) => {
      if (decoding.readVarUint(decoder) !== 0 || provider !== this.provider) return
      this.events.denied(decoding.readVarString(decoder))
      // Read-only for the server (no longer a draft, or no edit right): what this copy holds
      // beyond the server's state would be sent, and refused, at every connection. Drop it.
      if (this.store) queueMicrotask(() => this.restart(provider))
    }
    const sync = provider.messageHandlers[MESSAGE_SYNC]!
    provider.messageHandlers[MESSAGE_SYNC] = (encoder, decoder, ...rest) => {
      const kind = decoding.readVarUint(decoding.clone(decoder))
      sync(encoder, decoder, ...rest)
      if (kind === SYNC_STEP2) this.acknowledged(provider)
      else if (kind === SYNC_STEP1 && this.probe) this.probe.again = true
    }
    provider.on('status', () => {
      if (!provider.wsconnected) this.probe = null // its answer will not come
      this.refreshState()
    })
    provider.on('sync', (synced: boolean) => {
      if (synced) this.everConnected = true
      this.refreshState()
    })
    provider.on('connection-close', (event: CloseEvent | null) => {
      if (event?.code === CLOSE_RESYNC) queueMicrotask(() => this.restart(provider))
      else if (event?.code === CLOSE_REVOKED) {
        provider.disconnect()
        this.events.ended(event.reason || 'access revoked')
      } else void this.freshToken()
    })
    const onUpdate = (_update: Uint8Array, origin: unknown): void => {
      // Edits made while synced go out at once; the others wait for the next step 2.
      if (origin !== provider && !fromStore(origin) && !(provider.wsconnected && provider.synced)) this.count(1)
    }
    this.doc.on('update', onUpdate)
    return provider
  }

  private count(delta: number): void {
    this.pending = Math.max(0, this.pending + delta)
    this.offline?.savePending(this.pending)
    this.refreshState()
  }

  /** A sync step 2 arrived. The server handles one connection's messages in order and answers
   * each step 1 with a step 2, so the answer to a step 1 we sent *after* our own step 2 means
   * it has applied (or refused and compensated) every change sent before: those are no longer
   * waiting. The first step 2 of a connection answers the provider's opening step 1, which may
   * come before our step 2 is handled: it only starts the probe. */
  private acknowledged(provider: WebsocketProvider): void {
    const probe = this.probe
    if (provider !== this.provider || !provider.wsconnected) return
    if (probe && !probe.again) {
      this.probe = null
      this.count(-probe.covers)
    } else if (probe || this.pending > 0) {
      this.probe = { covers: this.pending, again: false }
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_SYNC)
      encoding.writeVarUint(encoder, SYNC_STEP1)
      encoding.writeVarUint8Array(encoder, Y.encodeStateVector(this.doc))
      provider.ws?.send(encoding.toUint8Array(encoder))
    }
  }

  /** Put a valid token in the provider's URL parameters before its next connection. */
  private async freshToken(): Promise<void> {
    try {
      this.provider.params.token = await accessToken()
    } catch {
      // Signed out: the next connection is refused and the page sends the user to sign in.
    }
  }

  private onNotice(text: string): void {
    let notice: unknown
    try {
      notice = JSON.parse(text)
    } catch {
      return
    }
    if (typeof notice === 'object' && notice !== null && typeof (notice as Notice).type === 'string') {
      this.events.notice(notice as Notice)
    }
  }

  /** The server refused content it can never accept (4001), or any change (read-only): start
   * again from its state, with the offline copy deleted first. */
  private restart(from: WebsocketProvider): void {
    if (from !== this.provider || this.closed) return
    const token = this.provider.params.token ?? ''
    const cleared = this.offline?.clear() ?? Promise.resolve()
    this.offline = null
    this.provider.destroy()
    this.doc.destroy()
    this.doc = new Y.Doc()
    this.pending = 0
    this.probe = null
    this.provider = this.connect(token, this.load(this.doc, cleared))
    this.events.doc(this.doc)
    void this.freshToken()
  }

  private refreshState(): void {
    let state: ConnectionState
    if (!navigator.onLine) state = 'offline'
    else if (this.provider.wsconnected && this.provider.synced) state = 'connected'
    else state = this.everConnected ? 'reconnecting' : 'connecting'
    this.setState(state)
  }

  private setState(state: ConnectionState): void {
    this.state = state
    this.events.status(state, this.pending)
  }
}
