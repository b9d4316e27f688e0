// The board's cards (server/board/schemas.py `Card`) and its live channel: a WebSocket per
// organization that sends a snapshot, then one card per change (docs/board.md). Reconnects
// with backoff; each reconnection starts from a fresh snapshot, so nothing is missed.

import { accessToken, refresh } from '../session'
import type { Scope } from '../view'

export type Stage = 'draft' | 'submitted' | 'approved' | 'issued' | 'overdue' | 'partially_paid' | 'paid'
export const STAGES: readonly Stage[] = ['draft', 'submitted', 'approved', 'issued', 'overdue', 'partially_paid', 'paid']

export type Reason =
  | { code: 'overdue'; days: number }
  | { code: 'due_in'; days: number }
  | { code: 'amount'; value: string; currency: string }
  | { code: 'key_account' }
  | { code: 'important_customer' }

export interface Card {
  id: string
  number: string | null
  kind: 'invoice' | 'credit_note'
  status: string
  stage: Stage
  customer: string
  gross: string
  currency: string
  due_date: string | null
  issue_date: string | null
  created_at: string
  updated_at: string | null
  assignee: { id: string; name: string } | null
  priority: { score: number; reasons: Reason[] }
  threads: number
  exceptions: { id: string; category: string }[]
  present: { user_id: string; name: string; colour: string }[]
}

type Frame = { type: 'snapshot'; cards: Card[] } | { type: 'card'; card: Card } | { type: 'remove'; id: string }

export type LiveState = 'connecting' | 'connected' | 'reconnecting'

export interface BoardHandlers {
  snapshot(cards: Card[]): void
  card(card: Card): void
  remove(id: string): void
  state(state: LiveState): void
}

const MAX_DELAY_MS = 30_000

/** Open the organization's board socket for as long as `scope` lives. */
export function connectBoard(orgId: string, scope: Scope, on: BoardHandlers): void {
  let socket: WebSocket | null = null
  let attempts = 0
  let timer = 0
  let opened = false
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'

  const open = async (): Promise<void> => {
    // A token close to expiry would be refused at the upgrade: refresh after a failed attempt.
    let token = await accessToken()
    if (attempts > 0) token = await refresh(token).catch(() => token)
    if (!scope.alive) return
    on.state(attempts ? 'reconnecting' : 'connecting')
    socket = new WebSocket(`${scheme}://${location.host}/ws/board/${encodeURIComponent(orgId)}?token=${encodeURIComponent(token)}`)
    opened = false
    socket.onmessage = (event: MessageEvent<string>) => {
      const frame = JSON.parse(event.data) as Frame
      if (frame.type === 'snapshot') {
        attempts = 0
        opened = true
        on.state('connected')
        on.snapshot(frame.cards)
      } else if (frame.type === 'card') on.card(frame.card)
      else on.remove(frame.id)
    }
    socket.onclose = () => {
      socket = null
      if (!scope.alive) return
      if (!opened) attempts += 1
      else attempts = 1
      on.state('reconnecting')
      // Exponential backoff with jitter: many boards reconnecting after a restart spread out.
      const delay = Math.min(MAX_DELAY_MS, 500 * 2 ** Math.min(attempts, 6)) * (0.75 + Math.random() / 2)
      timer = window.setTimeout(() => void open(), delay)
    }
  }
  scope.add(() => {
    window.clearTimeout(timer)
    socket?.close()
  })
  void open()
}
