// The edit mixes of `fanout`: their trackers, and the edits of `--mix realistic` (issue 15).
//
// Per update: 45 % a header field set, 40 % a line field edit (quantity, unit price, or typing
// in a description), 10 % a new line, 5 % a line deleted; 5 to 30 lines. Every client edits any
// line and any field, so concurrent sets of one key by different clients happen, as in real
// life. Every value passes the server's invoice schema (collab/invoice/document.py).
import * as Y from 'yjs'

export const MIN_LINES = 5 // a delete below this becomes an insert
export const MAX_LINES = 30 // an insert at this becomes a delete
const START_LINES = 10

// String fields of the invoice root map, with values within their maximum lengths.
const HEADER_FIELDS = [
  ['payment_terms', (n) => `Net ${30 + (n % 60)} days, bank transfer`], // max 500
  ['buyer_reference', (n) => `PO-2026-${n}`], // max 200
  ['due_date', (n) => `2026-12-${String(1 + (n % 28)).padStart(2, '0')}`], // max 10
  ['issue_date', (n) => `2026-11-${String(1 + (n % 28)).padStart(2, '0')}`] // max 10
]
const DESCRIPTION_MAX = 4000 // the schema allows 5,000: typing stops well before
const TYPED = ['a', 'e', ' ', 'r', 'o', 'n', 's', 't', '.', '2']

let nextLineId = 0

// An invoice line as the server's schema wants it (every value a string, a unique id).
export function invoiceLine (id, description, quantity = '1') {
  const line = new Y.Map()
  line.set('id', id)
  line.set('description', new Y.Text(description))
  line.set('quantity', quantity)
  line.set('unit', 'C62')
  line.set('unit_price', '95.00')
  line.set('tax_rate', '20')
  line.set('tax_category', 'S')
  return line
}

// One process drives every client: the counter keeps ids unique across them.
export const mixLine = (description) => invoiceLine(`mix-line-${nextLineId++}`, description)

// The starting invoice, written by one client before the load.
export function writeStart (doc) {
  doc.transact(() => {
    const invoice = doc.getMap('invoice')
    HEADER_FIELDS.forEach(([key, value]) => invoice.set(key, value(0)))
    const lines = doc.getArray('lines')
    for (let i = 0; i < START_LINES; i++) lines.push([mixLine(`Consulting services, line ${i}`)])
  })
}

const pick = (n) => Math.floor(Math.random() * n)

// One edit of the mix by `client`, in one transaction; returns the line item it deleted, if any.
export function mixEdit (client, n) {
  const lines = client.lines
  let r = Math.random() * 100
  if (r >= 85 && r < 95 && lines.length >= MAX_LINES) r = 95 // insert at the cap: delete
  if (r >= 95 && lines.length <= MIN_LINES) r = 90 // delete with few lines: insert
  if (r >= 45 && r < 85 && lines.length === 0) r = 90 // concurrent deletes emptied it
  if (r < 45) {
    const [key, value] = HEADER_FIELDS[pick(HEADER_FIELDS.length)]
    client.doc.getMap('invoice').set(key, value(n))
  } else if (r < 85) {
    editLine(lines.get(pick(lines.length)), n)
  } else if (r < 95) {
    lines.insert(pick(lines.length + 1), [mixLine(`New item ${n}`)])
  } else {
    const index = pick(lines.length)
    const item = lines.get(index)._item.id
    lines.delete(index, 1)
    return item
  }
  return null
}

function editLine (line, n) {
  const what = n % 3
  if (what === 0) {
    line.set('quantity', String(1 + (n % 50)))
  } else if (what === 1) {
    line.set('unit_price', `${50 + (n % 200)}.${String(n % 100).padStart(2, '0')}`)
  } else {
    const text = line.get('description')
    if (text.length > DESCRIPTION_MAX) text.delete(0, 100)
    else text.insert(pick(text.length + 1), TYPED[n % TYPED.length])
  }
}

// --mix single: tracks, for every update, how many of the other clients still have to see it.
export class Tracker {
  constructor (k) {
    this.k = k
    this.sentAt = [] // by global seq
    this.remaining = []
    this.latencies = []
    this.bySender = Array.from({ length: k }, () => []) // sender's n-th update -> global seq
    this.seen = new Int32Array(k * k).fill(-1) // [receiver * k + sender] -> last n seen
    this.onReceipt = null // (receiver, sender, ms): each receiver's own receipt, when set
    this.onDone = null // (g, ms): update g reached every other client, when set
  }

  sent (sender) {
    const g = this.sentAt.length
    this.sentAt.push(performance.now())
    this.remaining.push(this.k - 1)
    this.bySender[sender].push(g)
    return { n: this.bySender[sender].length - 1, g }
  }

  // A receiver that sees a sender's n-th value has all earlier ones too (one key per sender,
  // ordered socket): mark every update up to n, in case a server merged some.
  received (receiver, sender, n) {
    const slot = receiver * this.k + sender
    const t = performance.now()
    for (let m = this.seen[slot] + 1; m <= n; m++) {
      const g = this.bySender[sender][m]
      if (g === undefined) break
      this.onReceipt?.(receiver, sender, t - this.sentAt[g])
      if (--this.remaining[g] === 0) this.done(g, t)
    }
    if (n > this.seen[slot]) this.seen[slot] = n
  }

  lost () { return this.remaining.filter((r) => r > 0).length }

  done (g, t) {
    this.latencies.push(t - this.sentAt[g])
    this.onDone?.(g, t - this.sentAt[g])
  }
}

// --mix realistic: an update is identified by its sender's state after the transaction; a
// receiver has it once its own state for that sender reaches that clock. No value is read, so a
// set that lost to a concurrent one is tracked like any other. A delete adds no struct (the clock stays): it is
// seen once the deleted line's item is deleted at the receiver too (by this delete, or by a
// concurrent delete of the same line from someone else).
export class StateTracker {
  constructor (clients) {
    this.k = clients.length
    this.docs = clients.map((c) => c.doc)
    this.sentAt = [] // by global seq
    this.remaining = []
    this.latencies = []
    this.bySender = Array.from({ length: this.k }, () => []) // [{ clock, item, g }] in order
    this.next = new Int32Array(this.k * this.k) // [receiver * k + sender] -> first not seen
    this.onReceipt = null // (receiver, sender, ms): each receiver's own receipt, when set
    this.onDone = null // (g, ms): update g reached every other client, when set
    this.docs.forEach((doc, receiver) => doc.on('update', () => this.check(receiver)))
  }

  sent (sender, item) {
    const g = this.sentAt.length
    const doc = this.docs[sender]
    this.sentAt.push(performance.now())
    this.remaining.push(this.k - 1)
    this.bySender[sender].push({ clock: Y.getState(doc.store, doc.clientID), item, g })
    // The sender has its own update: skip its slot.
    this.next[sender * this.k + sender] = this.bySender[sender].length
  }

  // A sender's updates reach a receiver in order (one socket each way), so each (receiver,
  // sender) pair only moves forward over the sender's list.
  check (receiver) {
    const store = this.docs[receiver].store
    const t = performance.now()
    for (let sender = 0; sender < this.k; sender++) {
      const slot = receiver * this.k + sender
      const list = this.bySender[sender]
      if (this.next[slot] >= list.length) continue
      const state = Y.getState(store, this.docs[sender].clientID)
      let i = this.next[slot]
      for (; i < list.length; i++) {
        const { clock, item, g } = list[i]
        if (state < clock || (item !== null && !deletedAt(store, item))) break
        this.onReceipt?.(receiver, sender, t - this.sentAt[g])
        if (--this.remaining[g] === 0) this.done(g, t)
      }
      this.next[slot] = i
    }
  }

  lost () { return this.remaining.filter((r) => r > 0).length }

  done (g, t) {
    this.latencies.push(t - this.sentAt[g])
    this.onDone?.(g, t - this.sentAt[g])
  }
}

function deletedAt (store, id) {
  return Y.getState(store, id.client) > id.clock && Y.getItem(store, id).deleted
}
