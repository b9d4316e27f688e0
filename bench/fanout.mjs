// Load generator for Yjs sync servers: real `yjs` + `y-websocket` clients in this one process.
//
//   node bench/fanout.mjs fanout --url ws://127.0.0.1:P/ws/invoices --room ID [--token T]
//        [--clients 10] [--rate 100] [--duration 5] [--grace 3] [--mix single|realistic]
//        [--place client|room] [--slowest N]
//   node bench/fanout.mjs join   --url ... --room ID [--token T] [--clients 50] [--late 10]
//   node bench/fanout.mjs cold   --url ... --rooms ID1,ID2 [--token T]
//   node bench/fanout.mjs hold   --url ... --rooms-file rooms.json [--token T]
//
// Progress events and the result are JSON lines on stdout; the last line is the result.
// `fanout` accepts several servers and rooms, comma-separated (issue 15): `--url A,B` puts
// client i of each room on URL i mod n (`--place room`: every client of room r on URL r mod n);
// `--room R1,R2` opens `--clients` clients in each room. `--rate` is always the aggregate: that
// many updates per second in all, each by one client drawn at random among all of them.
// All clients share one clock, so "time until every other client has the change" is measured
// directly. The generator reports its own CPU and event-loop lag: on a small machine it can be
// the bottleneck, and a result it could not drive must be reported as such.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import * as readline from 'node:readline'
import { readFileSync } from 'node:fs'
import * as Y from 'yjs'
import {
  destroyAll, emit, negotiatedExtensions, now, openClient, parseArgs, percentile, sleep, waitUntil
} from './fanout_clients.mjs'
import { StateTracker, Tracker, invoiceLine, mixEdit, writeStart } from './fanout_mix.mjs'

// Each provider's awareness adds a process 'exit' listener; hundreds of clients are intended.
process.setMaxListeners(0)

const CURSOR_MOVES_PER_SECOND = 10 // aggregate, as in the LESSONS measurements
const SYNC_TIMEOUT_MS = 20000
const TICK_MS = 2
// A value of realistic size for one invoice field.
const FILLER = 'Consulting services, March, 12 h at 95.00'

// Each client's own line in the single mix, found again by its id.
const LINE_IDS = new Map(Array.from({ length: 1000 }, (_, i) => [`bench-line-${i}`, i]))
const benchLine = (i) => invoiceLine(`bench-line-${i}`, FILLER, '0')

// -- fanout -----------------------------------------------------------------------------------

async function fanout (opts) {
  const k = Number(opts.clients ?? 10)
  const rate = Number(opts.rate ?? 100)
  const durationMs = Number(opts.duration ?? 5) * 1000
  const graceMs = Number(opts.grace ?? 3) * 1000
  const mix = opts.mix ?? 'single'
  if (!['single', 'realistic'].includes(mix)) throw new Error(`unknown --mix ${mix}`)
  const urls = opts.url.split(',')
  const rooms = opts.room.split(',')
  const place = opts.place ?? 'client'
  if (!['client', 'room'].includes(place)) throw new Error(`unknown --place ${place}`)
  const groups = [] // one array of clients per room
  for (const [r, room] of rooms.entries()) {
    const urlOf = (i) => urls[(place === 'room' ? r : i) % urls.length]
    const clients = await openOneByOne({ ...opts, room }, k, urlOf)
    groups.push(clients)
    const count = clients.filter((c) => c.syncedAt !== null).length
    if (count < k) {
      groups.forEach(destroyAll)
      return { ok: false, error: `only ${count} of ${k} clients synced${rooms.length > 1 ? ` in room ${r}` : ''}` }
    }
  }
  const all = groups.flat()
  const prepared = []
  for (const clients of groups) {
    const one = await (mix === 'single' ? prepareSingle : prepareRealistic)(clients)
    if (one.error) {
      groups.forEach(destroyAll)
      return { ok: false, error: one.error }
    }
    prepared.push(one)
  }
  const trackers = prepared.map((p) => p.tracker)
  const receipts = urls.length > 1 ? trackReceipts(trackers, groups) : null
  // Client g of `all` is client g mod k of room floor(g / k).
  const edit = (g) => prepared[Math.floor(g / k)].edit(g % k)
  const slowest = opts.slowest ? trackSlowest(trackers, Number(opts.slowest)) : null
  await sleep(500) // let the join traffic (sync, presence) settle
  const disconnectsBefore = all.reduce((a, c) => a + c.disconnects, 0)
  slowest?.start()
  const result = await drive(all, edit, rate, durationMs)
  const lost = () => trackers.reduce((a, t) => a + t.lost(), 0)
  await waitUntil(() => lost() === 0, graceMs)
  const sorted = trackers.flatMap((t) => t.latencies).sort((a, b) => a - b)
  const out = {
    ok: true,
    mode: 'fanout',
    mix,
    clients: k,
    target_rate: rate,
    ...result,
    updates: trackers.reduce((a, t) => a + t.sentAt.length, 0),
    lost: lost(),
    p50_ms: percentile(sorted, 50),
    p95_ms: percentile(sorted, 95),
    p99_ms: percentile(sorted, 99),
    max_ms: percentile(sorted, 100),
    disconnects: all.reduce((a, c) => a + c.disconnects, 0) - disconnectsBefore,
    extensions: negotiatedExtensions(all)
  }
  if (mix === 'realistic') out.lines_at_end = groups[0][0].lines.length
  if (rooms.length > 1) out.rooms = rooms.length
  if (urls.length > 1) Object.assign(out, { servers: urls.length, place, receipts: receipts.summary() })
  if (slowest) out.slowest = slowest.list()
  groups.forEach(destroyAll)
  return out
}

// --slowest N: the N slowest updates, each with when it was sent (ms after the load started)
// and its room, to tell a stall (many updates at one moment) from scattered slowness.
function trackSlowest (trackers, n) {
  const found = []
  let t0 = 0
  trackers.forEach((tracker, room) => {
    tracker.onDone = (g, ms) => found.push({ at_ms: tracker.sentAt[g] - t0, ms, room })
  })
  const round = (x) => Math.round(x * 10) / 10
  return {
    start: () => { t0 = now() },
    list: () => found.sort((a, b) => b.ms - a.ms).slice(0, n)
      .map(({ at_ms: at, ms, room }) => ({ at_ms: round(at), ms: round(ms), room }))
  }
}

// With several servers: each receipt (one receiver having one update) timed apart, by whether
// the receiver is connected to the sender's server or to another one (the cross-process hop).
function trackReceipts (trackers, groups) {
  const same = []
  const other = []
  trackers.forEach((tracker, r) => {
    const url = groups[r].map((c) => c.url)
    tracker.onReceipt = (receiver, sender, ms) => (url[receiver] === url[sender] ? same : other).push(ms)
  })
  const summary = (list) => {
    const sorted = list.sort((a, b) => a - b)
    return { count: sorted.length, p50_ms: percentile(sorted, 50), p95_ms: percentile(sorted, 95), p99_ms: percentile(sorted, 99) }
  }
  return { summary: () => ({ same_server: summary(same), other_server: summary(other) }) }
}

// --mix single: every client bumps the quantity of its own line (one key per sender).
async function prepareSingle (clients) {
  const k = clients.length
  const tracker = new Tracker(k)
  clients.forEach((c, receiver) => {
    c.lines.observeDeep((events) => {
      for (const event of events) {
        if (!(event.target instanceof Y.Map) || !event.keysChanged.has('quantity')) continue
        const sender = LINE_IDS.get(event.target.get('id'))
        // Not the sender's own (local) set: until 2026-12-01 it counted as one of the K-1
        // receipts, so an update was timed until K-2 others had it.
        if (sender !== undefined && sender !== receiver) tracker.received(receiver, sender, Number(event.target.get('quantity')) - 1)
      }
    })
  })
  // Each client edits only its own invoice line: concurrent writes to one key would let Yjs'
  // conflict resolution hide the losing value from observers, which would look like a loss.
  clients.forEach((c, i) => {
    c.ownLine = benchLine(i) // integrated by the push: the array's order is Yjs', not ours
    c.lines.push([c.ownLine])
  })
  if (!await waitUntil(() => clients.every((c) => c.lines.length === k), SYNC_TIMEOUT_MS)) {
    return { error: 'the clients\' invoice lines did not reach everyone' }
  }
  const edit = (sender) => {
    const { n } = tracker.sent(sender)
    clients[sender].ownLine.set('quantity', String(n + 1))
  }
  return { tracker, edit }
}

// --mix realistic (bench/fanout_mix.mjs): any client edits any field or line.
async function prepareRealistic (clients) {
  writeStart(clients[0].doc)
  const started = clients[0].lines.length
  if (!await waitUntil(() => clients.every((c) => c.lines.length === started), SYNC_TIMEOUT_MS)) {
    return { error: 'the starting invoice did not reach everyone' }
  }
  const tracker = new StateTracker(clients)
  let n = 0
  const edit = (sender) => tracker.sent(sender, mixEdit(clients[sender], n++))
  return { tracker, edit }
}

// Joins one at a time, each waiting for the previous one's sync: simultaneous joins are the
// `join` mode's subject, and a server that loses some of them would otherwise fail every load.
async function openOneByOne (opts, k, urlOf = () => opts.url) {
  const clients = []
  for (let i = 0; i < k; i++) {
    const c = openClient(urlOf(i), opts.room, opts.token, `c${i}`)
    clients.push(c)
    if (!await waitUntil(() => c.syncedAt !== null, SYNC_TIMEOUT_MS)) break
  }
  return clients
}

// Open-loop schedule: send whatever is due every tick, so a slow server cannot slow the offered
// load down. Whether *we* kept up shows in achieved_rate, loop lag and our own CPU.
async function drive (clients, edit, rate, durationMs) {
  const lag = monitorEventLoopDelay({ resolution: 5 })
  lag.enable()
  const cpu0 = process.cpuUsage()
  emit({ event: 'load-start' })
  const t0 = now()
  let updates = 0
  let moves = 0
  let maxBacklog = 0
  while (now() - t0 < durationMs) {
    const elapsed = now() - t0
    const due = Math.floor((elapsed / 1000) * rate)
    maxBacklog = Math.max(maxBacklog, due - updates)
    for (; updates < due; updates++) edit(Math.floor(Math.random() * clients.length))
    for (; moves < Math.floor((elapsed / 1000) * CURSOR_MOVES_PER_SECOND); moves++) {
      const c = clients[Math.floor(Math.random() * clients.length)]
      c.provider.awareness.setLocalStateField('cursor', { line: moves % 20, offset: moves % 40 })
    }
    await sleep(TICK_MS)
  }
  const wallMs = now() - t0
  const cpu = process.cpuUsage(cpu0)
  emit({ event: 'load-end' })
  lag.disable()
  return {
    duration_s: Math.round(wallMs) / 1000,
    achieved_rate: Math.round((updates / wallMs) * 1000),
    max_backlog: maxBacklog,
    loop_lag_p99_ms: Math.round(lag.percentile(99) / 1e4) / 100,
    loop_lag_max_ms: Math.round(lag.max / 1e4) / 100,
    generator_cpu_pct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10
  }
}

// -- join -------------------------------------------------------------------------------------

// Everyone else who is connected and synced appears in this client's awareness.
function seesEveryone (client, clients) {
  const states = client.provider.awareness.getStates()
  return clients.every((o) => o === client || o.syncedAt === null || states.has(o.doc.clientID))
}

async function join (opts) {
  const n = Number(opts.clients ?? 50)
  const late = Number(opts.late ?? 10)
  const t0 = now()
  const clients = Array.from({ length: n }, (_, i) => openClient(opts.url, opts.room, opts.token, `j${i}`))
  for (const c of clients) recordFirstSeen(c)
  // Done at 5 s, or earlier once everyone has synced and had 1 s to see the others.
  const lastSync = () => Math.max(...clients.map((c) => c.syncedAt))
  await waitUntil(() => clients.every((c) => c.syncedAt !== null) && now() > lastSync() + 1000, 5000)
  const synced = clients.filter((c) => c.syncedAt !== null)
  const presence = synced.filter((c) => sawOthersWithin(c, synced, 1000)).length
  const lateOk = await lateJoiners(opts, clients, late)
  const out = {
    ok: true,
    mode: 'join',
    clients: n,
    synced_within_5s: synced.length,
    sync_p95_ms: percentile(synced.map((c) => c.syncedAt - t0).sort((a, b) => a - b), 95),
    presence_within_1s: presence,
    late_joiners: late,
    late_joiners_see_presence_1s: lateOk,
    extensions: negotiatedExtensions(clients)
  }
  destroyAll(clients)
  return out
}

function recordFirstSeen (client) {
  client.firstSeen = new Map()
  client.provider.awareness.on('change', ({ added, updated }) => {
    for (const id of [...added, ...updated]) {
      if (!client.firstSeen.has(id)) client.firstSeen.set(id, now())
    }
  })
}

// Each other synced client appeared within `ms` of both being in the room. Early joiners learn
// of later ones by relay; later ones only from a presence snapshot sent to them on join.
function sawOthersWithin (client, synced, ms) {
  return synced.every((o) => {
    if (o === client) return true
    const seen = client.firstSeen.get(o.doc.clientID)
    return seen !== undefined && seen - Math.max(client.syncedAt, o.syncedAt) <= ms
  })
}

// Joiners arriving one at a time in a settled room: does each see the others within 1 s?
async function lateJoiners (opts, present, count) {
  let ok = 0
  const joined = []
  for (let i = 0; i < count; i++) {
    const c = openClient(opts.url, opts.room, opts.token, `late${i}`)
    joined.push(c)
    const others = present.filter((o) => o.syncedAt !== null && o.provider.wsconnected)
    const seen = await waitUntil(() => seesEveryone(c, [c, ...others]), 1000)
    if (seen) ok++
  }
  destroyAll(joined)
  return ok
}

// -- cold -------------------------------------------------------------------------------------

// One fresh client per room, one room at a time: connect -> synced, and what it then holds.
async function cold (opts) {
  const times = []
  const keys = []
  for (const room of opts.rooms.split(',')) {
    const t0 = now()
    const c = openClient(opts.url, room, opts.token, 'cold')
    const ok = await waitUntil(() => c.syncedAt !== null, SYNC_TIMEOUT_MS)
    times.push(ok ? Math.round((c.syncedAt - t0) * 100) / 100 : null)
    keys.push(c.doc.getMap('invoice').size)
    destroyAll([c])
  }
  return { ok: times.every((t) => t !== null), mode: 'cold', times_ms: times, keys }
}

// -- hold -------------------------------------------------------------------------------------

// One client per room, each writing a small invoice; stay connected until stdin closes, so the
// caller can measure the server's memory with every room loaded.
async function hold (opts) {
  const rooms = JSON.parse(readFileSync(opts['rooms-file'], 'utf8'))
  const clients = rooms.map((room, i) => openClient(opts.url, room, opts.token, `h${i}`))
  const ok = await waitUntil(() => clients.every((c) => c.syncedAt !== null), SYNC_TIMEOUT_MS)
  for (const c of clients) writeInvoice(c.doc)
  await sleep(1000)
  const synced = clients.filter((c) => c.syncedAt !== null).length
  emit({ ok, mode: 'hold', rooms: rooms.length, synced, extensions: negotiatedExtensions(clients) })
  await new Promise((resolve) => readline.createInterface({ input: process.stdin }).on('close', resolve))
  destroyAll(clients)
  return null
}

function writeInvoice (doc) {
  doc.transact(() => {
    const invoice = doc.getMap('invoice')
    const customer = new Y.Map()
    customer.set('name', 'Dupont & Fils SARL')
    customer.set('email', 'compta@dupont.example')
    invoice.set('customer', customer)
    invoice.set('currency', 'EUR')
    invoice.set('issue_date', '2026-11-27')
    invoice.set('due_date', '2026-12-27')
    invoice.set('payment_terms', 'Net 30 days, bank transfer')
    invoice.set('notes', new Y.Text('Thank you for your business.'))
  })
  const lines = doc.getArray('lines')
  for (let i = 0; i < 5; i++) lines.push([benchLine(i)])
}

// -- main -------------------------------------------------------------------------------------

const modes = { fanout, join, cold, hold }
const opts = parseArgs(process.argv.slice(2))
if (!modes[opts.mode]) {
  console.error(`usage: node bench/fanout.mjs ${Object.keys(modes).join('|')} --url URL ...`)
  process.exit(2)
}
try {
  const result = await modes[opts.mode](opts)
  if (result) emit(result)
  process.exit(0)
} catch (err) {
  emit({ ok: false, error: String(err?.stack || err) })
  process.exit(1)
}
