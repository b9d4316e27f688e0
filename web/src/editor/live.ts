// One invoice's live connection: the Y.Doc, the stock y-websocket provider, presence, the
// connection state shown to the user, and Cofacture's own messages (docs/protocol.md).

import * as decoding from 'lib0/decoding'
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

export interface Notice {
  type: string
  reason?: string
  paths?: string[]
  resync?: boolean
}

export interface LiveEvents {
  /** The connection state or the number of unsent changes changed. */
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
    let notice: Notice
    try {
      notice = JSON.parse(text) as Notice
    } catch {
      return
    }
    this.events.notice(notice)
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
