import assert from 'node:assert/strict'
import { test } from 'node:test'

import { offeredActions } from '../src/editor/actions'

const EDITOR = ['invoice.read', 'invoice.comment', 'invoice.create', 'invoice.edit', 'invoice.submit']
const APPROVER = [...EDITOR, 'invoice.approve', 'invoice.issue']

test('editors submit and discard drafts, withdraw submitted ones, and nothing more', () => {
  const ed = { id: 'e', capabilities: EDITOR }
  assert.deepEqual(offeredActions('draft', ed, 'e'), ['submit', 'discard'])
  assert.deepEqual(offeredActions('submitted', ed, 'e'), ['reopen'])
  assert.deepEqual(offeredActions('approved', ed, 'e'), [])
  assert.deepEqual(offeredActions('issued', ed, 'e'), [])
})

test('approvers approve what others made, reject, issue and reopen an approval', () => {
  const ap = { id: 'a', capabilities: APPROVER }
  assert.deepEqual(offeredActions('submitted', ap, 'e'), ['approve', 'reject', 'reopen'])
  assert.deepEqual(offeredActions('submitted', ap, 'a'), ['reject', 'reopen'])
  assert.deepEqual(offeredActions('approved', ap, 'e'), ['issue', 'reopen'])
  assert.deepEqual(offeredActions('issued', ap, 'e'), [])
})

test('viewers and reviewers are offered nothing', () => {
  for (const status of ['draft', 'submitted', 'approved', 'issued']) {
    assert.deepEqual(offeredActions(status, { id: 'v', capabilities: ['invoice.read', 'invoice.comment'] }), [])
  }
})
