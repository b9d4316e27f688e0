import assert from 'node:assert/strict'
import { test } from 'node:test'

import { actionClass, offersCreditNote, orderedActions } from '../src/editor/actions'

test('the header shows exactly the server’s actions, in a fixed order', () => {
  assert.deepEqual(orderedActions(['discard', 'submit']), ['submit', 'discard'])
  assert.deepEqual(orderedActions(['reopen', 'reject', 'approve']), ['approve', 'reject', 'reopen'])
  assert.deepEqual(orderedActions([]), [])
  // An action this browser does not know yet is left out rather than shown unlabelled.
  assert.deepEqual(orderedActions(['issue', 'archive']), ['issue'])
})

test('destructive actions look dangerous', () => {
  assert.equal(actionClass('discard'), 'secondary danger')
  assert.equal(actionClass('reject'), 'secondary danger')
  assert.equal(actionClass('reopen'), 'secondary')
  assert.equal(actionClass('issue'), 'primary')
})

test('a credit note is offered on issued invoices to roles that may make one', () => {
  for (const status of ['issued', 'partially_paid', 'paid']) {
    assert.equal(offersCreditNote(status, 'invoice', [], 'editor'), true)
    assert.equal(offersCreditNote(status, 'invoice', [], 'accountant'), true)
    assert.equal(offersCreditNote(status, 'invoice', [], 'reviewer'), false)
    assert.equal(offersCreditNote(status, 'invoice', [], 'viewer'), false)
  }
  assert.equal(offersCreditNote('approved', 'invoice', [], 'admin'), false)
  assert.equal(offersCreditNote('cancelled', 'invoice', [], 'admin'), false)
  // A credit note is not credited again.
  assert.equal(offersCreditNote('issued', 'credit_note', [], 'admin'), false)
  // When the server lists it, its word wins.
  assert.equal(offersCreditNote('issued', 'invoice', ['credit_note'], 'viewer'), true)
})
