// The load generator's clients and plumbing (bench/fanout.mjs): arguments, output, one real
// `yjs` + `y-websocket` client, waiting, percentiles.
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

export function parseArgs (argv) {
  const [mode, ...rest] = argv
  const opts = { mode }
  for (let i = 0; i < rest.length; i += 2) {
    if (!rest[i].startsWith('--')) throw new Error(`unexpected argument ${rest[i]}`)
    opts[rest[i].slice(2)] = rest[i + 1]
  }
  return opts
}

export const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
export const now = () => performance.now()

export function openClient (url, room, token, name) {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: WebSocket,
    params: token ? { token } : {},
    disableBc: true
  })
  provider.awareness.setLocalStateField('user', { name })
  const client = { doc, provider, url, lines: doc.getArray('lines'), syncedAt: null, disconnects: 0 }
  provider.on('sync', (synced) => { if (synced && client.syncedAt === null) client.syncedAt = now() })
  provider.on('status', ({ status }) => { if (status === 'disconnected') client.disconnects++ })
  return client
}


export async function waitUntil (check, timeoutMs) {
  const deadline = now() + timeoutMs
  while (!check()) {
    if (now() > deadline) return false
    await sleep(10)
  }
  return true
}

export function percentile (sorted, p) {
  if (sorted.length === 0) return null
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return Math.round(sorted[Math.max(0, i)] * 100) / 100
}

export function negotiatedExtensions (clients) {
  const ws = clients.find((c) => c.provider.ws)?.provider.ws
  return ws ? ws.extensions || 'none' : 'unknown'
}

export function destroyAll (clients) {
  for (const c of clients) { c.provider.destroy(); c.doc.destroy() }
}
