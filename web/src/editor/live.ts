// One invoice's live connection: the Y.Doc, the stock y-websocket provider, presence, the
// connection state shown to the user, and Cofacture's own messages (docs/protocol.md).

import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { WebsocketProvider } from 'y-websocket'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'

import { accessToken } from '../session'

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

export interface LiveEvents {
  /** The connection state or the number of unsent changes changed. A new connection starts
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
  private pending = 0
  private everConnected = false
  private field: string | null = null
  private readonly cleanup: (() => void)[] = []

  constructor(
    private readonly invoiceId: string,
    private readonly events: LiveEvents,
    token: string
  ) {
    this.doc = new Y.Doc()
    this.provider = this.connect(token)
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
    for (const undo of this.cleanup.splice(0)) undo()
    this.provider.destroy()
    this.doc.destroy()
  }

  private connect(token: string): WebsocketProvider {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    const provider = new WebsocketProvider(`${scheme}://${location.host}/ws/invoices`, this.invoiceId, this.doc, {
      params: { token },
      disableBc: true, // every change goes through the server, which checks who may make it
      maxBackoffTime: 5000
    })
    provider.awareness.setLocalStateField('field', this.field)
    provider.messageHandlers[MESSAGE_NOTICE] = (_encoder, decoder) => {
      this.onNotice(decoding.readVarString(decoder))
    }
    provider.messageHandlers[MESSAGE_AUTH] = (_encoder, decoder) => {
      if (decoding.readVarUint(decoder) === 0) this.events.denied(decoding.readVarString(decoder))
    }
    provider.on('status', () => this.refreshState())
    provider.on('sync', (synced: boolean) => {
      if (synced) {
        this.everConnected = true
        this.pending = 0
      }
      this.refreshState()
    })
    provider.on('connection-close', (event: CloseEvent | null) => {
      if (event?.code === CLOSE_RESYNC) queueMicrotask(() => this.resync())
      else if (event?.code === CLOSE_REVOKED) {
        provider.disconnect()
        this.events.ended(event.reason || 'access revoked')
      } else void this.freshToken()
    })
    const onUpdate = (_update: Uint8Array, origin: unknown): void => {
      if (origin === provider) return
      if (!(provider.wsconnected && provider.synced)) {
        this.pending += 1
        this.refreshState()
      }
    }
    this.doc.on('update', onUpdate)
    return provider
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

  /** The server refused content it can never accept: start again from its state. */
  private resync(): void {
    this.provider.destroy()
    this.doc.destroy()
    this.doc = new Y.Doc()
    this.pending = 0
    this.provider = this.connect(this.provider.params.token ?? '')
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
