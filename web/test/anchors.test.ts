import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'

import { anchorKind, lineDeleted, rangeAnchor, resolveRange } from '../src/editor/anchors'
import { covers, lineOf, parseLocks } from '../src/editor/locks'
import { mentionsIn } from '../src/editor/mentions'
import { addLine, editText, removeLine } from '../src/editor/ydoc'

test('a text range follows edits before and inside it, and survives a sync', () => {
  const doc = new Y.Doc()
  const id = addLine(doc, { description: 'Consulting, 3 days on site' }, null)
  const path = `lines.${id}.description`
  const from = 'Consulting, '.length
  const anchor = rangeAnchor(doc, path, from, from + '3 days'.length)
  assert.ok(anchor)
  assert.equal(anchor.quote, '3 days')
  assert.equal(anchorKind(anchor), 'range')
  editText(doc, path, 'Senior Consulting, 3 days on site', null)
  editText(doc, path, 'Senior Consulting, 3 full days on site', null)
  assert.equal(resolveRange(doc, anchor)?.text, '3 full days')
  // Typed right after the range: outside it.
  editText(doc, path, 'Senior Consulting, 3 full days!! on site', null)
  assert.equal(resolveRange(doc, anchor)?.text, '3 full days')
  const other = new Y.Doc()
  Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
  assert.equal(resolveRange(other, anchor)?.text, '3 full days')
  removeLine(doc, id, null)
  assert.equal(resolveRange(doc, anchor), null)
  assert.equal(lineDeleted(doc, anchor), true)
})

test('anchor kinds', () => {
  assert.equal(anchorKind({ path: 'lines.l1' }), 'line')
  assert.equal(anchorKind({ path: 'lines.l1.unit_price' }), 'field')
  assert.equal(anchorKind({ path: 'invoice.due_date' }), 'field')
})

test('a lock covers its path and what is below it', () => {
  assert.ok(covers('lines.l1', 'lines.l1.unit_price'))
  assert.ok(covers('invoice.due_date', 'invoice.due_date'))
  assert.ok(!covers('lines.l1', 'lines.l10.unit_price'))
  assert.ok(!covers('lines.l1.unit_price', 'lines.l1'))
  assert.equal(lineOf('lines.l1.quantity'), 'l1')
  assert.equal(lineOf('invoice.notes'), null)
})

test('the locks notice keeps well-formed entries', () => {
  const locks = parseLocks({
    type: 'locks',
    locks: [{ path: 'invoice.due_date', user: { id: 'u1', name: 'alice', color: '#123456' }, expires_in: 29.5 }, { path: 3 }, null]
  })
  assert.deepEqual(locks, [{ path: 'invoice.due_date', user: { id: 'u1', name: 'alice', color: '#123456' }, expires_in: 29.5 }])
})

test('mentions', () => {
  assert.deepEqual(mentionsIn('Ask @alice and @bob@acme.test, not me@home'), ['alice', 'bob@acme.test'])
})
