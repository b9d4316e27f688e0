// A driver for real Yjs clients (yjs + y-websocket's WebsocketProvider), controlled by the
// Python tests over stdin/stdout: one JSON command per line in, one JSON answer per line out.
// Several named clients live in this one process, each with its own Y.Doc and provider.
import * as readline from 'node:readline'
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { WebsocketProvider } from 'y-websocket'

const clients = new Map()

function client (name) {
  const c = clients.get(name)
  if (!c) throw new Error(`no client ${name}`)
  return c
}

// The same roots, in the same order, as server/invoices/documents.py document_json.
function docJson (doc) {
  return {
    invoice: doc.getMap('invoice').toJSON(),
    lines: doc.getArray('lines').toJSON(),
    adjustments: doc.getArray('adjustments').toJSON()
  }
}

function open ({ name, url, room, token, user, tab, connect = true, clientId }) {
  const doc = new Y.Doc()
  if (clientId !== undefined) doc.clientID = clientId
  const events = { statuses: [], closes: [], denied: [], notices: [], synced: 0 }
  const provider = new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: WebSocket,
    params: token === undefined ? {} : { token },
    connect,
    disableBc: true
  })
  // Cofacture's notices (message type 100, docs/protocol.md); the stock client ignores them.
  provider.messageHandlers[100] = (_encoder, decoder) => {
    events.notices.push(JSON.parse(decoding.readVarString(decoder)))
  }
  provider.on('status', (e) => events.statuses.push(e.status))
  provider.on('sync', (synced) => { if (synced) events.synced++ })
  provider.on('connection-close', (e) => events.closes.push(e ? { code: e.code, reason: String(e.reason || '') } : null))
  if (user === undefined && tab === undefined) provider.awareness.setLocalState(null)
  if (user !== undefined) provider.awareness.setLocalStateField('user', user)
  if (tab !== undefined) provider.awareness.setLocalStateField('tab', tab)
  clients.set(name, { doc, provider, events })
  return { clientId: doc.clientID }
}

const commands = {
  open,
  status ({ name }) {
    const { provider, events } = client(name)
    return { wsconnected: provider.wsconnected, synced: provider.synced, ...events }
  },
  state ({ name }) {
    const { doc } = client(name)
    return { json: docJson(doc), update: Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64') }
  },
  set ({ name, key, value }) {
    client(name).doc.getMap('invoice').set(key, value)
    return {}
  },
  setMany ({ name, key, count, prefix = '' }) {
    const map = client(name).doc.getMap('invoice')
    for (let i = 0; i < count; i++) map.set(key, `${prefix}${i}`)
    return {}
  },
  setNested ({ name, key, fields }) {
    const map = new Y.Map()
    for (const [k, v] of Object.entries(fields)) map.set(k, v)
    client(name).doc.getMap('invoice').set(key, map)
    return {}
  },
  setLineField ({ name, line, key, value }) {
    client(name).doc.getArray('lines').get(line).set(key, value)
    return {}
  },
  // A Cofacture notice (type 100), e.g. {type: 'lock', path}: what the web app sends for locks.
  notice ({ name, body }) {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, 100)
    encoding.writeVarString(encoder, JSON.stringify(body))
    client(name).provider.ws.send(encoding.toUint8Array(encoder))
    return {}
  },
  // Writes outside the invoice's structure: a root the server does not know.
  damage ({ name }) {
    client(name).doc.getMap('scratch').set('x', 'damaged')
    return {}
  },
  pushLine ({ name, line }) {
    const { doc } = client(name)
    const m = new Y.Map()
    for (const [k, v] of Object.entries(line)) {
      m.set(k, k === 'description' ? new Y.Text(v) : v)
    }
    doc.getArray('lines').push([m])
    return {}
  },
  // A row of plain fields appended to any row collection (`adjustments`, ...), as it comes.
  pushRow ({ name, root, row }) {
    const m = new Y.Map()
    for (const [k, v] of Object.entries(row)) m.set(k, v)
    client(name).doc.getArray(root).push([m])
    return {}
  },
  insertText ({ name, line, index, text }) {
    client(name).doc.getArray('lines').get(line).get('description').insert(index, text)
    return {}
  },
  awareness ({ name }) {
    const states = {}
    for (const [id, state] of client(name).provider.awareness.getStates()) states[id] = state
    return { states, self: client(name).doc.clientID }
  },
  setAwareness ({ name, field, value }) {
    client(name).provider.awareness.setLocalStateField(field, value)
    return {}
  },
  disconnect ({ name }) { client(name).provider.disconnect(); return {} },
  connect ({ name }) { client(name).provider.connect(); return {} },
  // Drop the TCP connection without a close frame, as a crashed tab or a cut network does.
  kill ({ name }) {
    const { provider } = client(name)
    provider.shouldConnect = false
    provider.ws?._socket?.destroy()
    return {}
  },
  destroy ({ name }) {
    const { provider, doc } = client(name)
    provider.destroy(); doc.destroy(); clients.delete(name)
    return {}
  }
}

const rl = readline.createInterface({ input: process.stdin })
rl.on('line', (line) => {
  let request
  try {
    request = JSON.parse(line)
    const result = commands[request.cmd](request)
    process.stdout.write(JSON.stringify({ id: request.id, ok: true, result }) + '\n')
  } catch (err) {
    process.stdout.write(JSON.stringify({ id: request?.id, ok: false, error: String(err?.stack || err) }) + '\n')
  }
})
rl.on('close', () => {
  for (const { provider } of clients.values()) provider.destroy()
  process.exit(0)
})
