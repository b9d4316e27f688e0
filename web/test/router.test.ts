import assert from 'node:assert/strict'
import { test } from 'node:test'

import { followAddress, parseHash, route, type Params } from '../src/router'
import { Scope } from '../src/view'

const none = { redirect: '#/' }

test('a route matches its own number of parts, literal parts exactly, and names its params', () => {
  const editor = route('invoices/:id', 'member', () => none)
  assert.deepEqual(editor.match(['invoices', 'abc']), { id: 'abc' })
  assert.deepEqual(editor.match(['invoices', 'a%20b']), { id: 'a b' })
  assert.equal(editor.match(['invoices']), null)
  assert.equal(editor.match(['invoices', 'abc', 'history']), null)
  assert.equal(editor.match(['customers', 'abc']), null)
  const two = route('orgs/:org/users/:user', 'member', ({ params }) => {
    const typed: { org: string; user: string } = params // the pattern types the params
    return typed.org ? none : none
  })
  assert.deepEqual(two.match(['orgs', 'o1', 'users', 'u2']), { org: 'o1', user: 'u2' })
  const params: Params<'a/:x/b/:y'> = { x: '1', y: '2' }
  assert.deepEqual(params, { x: '1', y: '2' })
})

test('the hash gives the path parts and the query', () => {
  const { path, query } = parseHash('#/invoices?status=draft&q=acme')
  assert.deepEqual(path, ['invoices'])
  assert.equal(query.get('status'), 'draft')
  assert.equal(query.get('q'), 'acme')
  assert.deepEqual(parseHash('').path, [])
  assert.deepEqual(parseHash('#/invoices/x/').path, ['invoices', 'x'])
})

test('a scope runs its cleanups once, last first, and at once after it was disposed', () => {
  const scope = new Scope()
  const ran: string[] = []
  scope.add(() => ran.push('first'))
  scope.add(() => ran.push('second'))
  assert.equal(scope.alive, true)
  scope.dispose()
  scope.dispose()
  assert.deepEqual(ran, ['second', 'first'])
  assert.equal(scope.alive, false)
  scope.add(() => ran.push('late'))
  assert.deepEqual(ran, ['second', 'first', 'late'])
})

test('a scope removes the listeners it added', () => {
  const scope = new Scope()
  const target = new EventTarget()
  let heard = 0
  scope.listen(target, 'ping', () => (heard += 1))
  target.dispatchEvent(new Event('ping'))
  scope.dispose()
  target.dispatchEvent(new Event('ping'))
  assert.equal(heard, 1)
})

test('only the latest request of a view answers', async () => {
  const scope = new Scope()
  const resolvers: ((value: string) => void)[] = []
  const fetch = scope.latest((_query: string) => new Promise<string>((resolve) => resolvers.push(resolve)))
  const answers: string[] = []
  void fetch('old').then((value) => answers.push(value))
  const newer = fetch('new').then((value) => answers.push(value))
  resolvers[1]?.('new answer')
  resolvers[0]?.('old answer') // arrives last, for a filter no longer shown
  await newer
  await new Promise((resolve) => setTimeout(resolve, 0))
  assert.deepEqual(answers, ['new answer'])
  void fetch('after').then((value) => answers.push(value))
  scope.dispose()
  resolvers[2]?.('too late')
  await new Promise((resolve) => setTimeout(resolve, 0))
  assert.deepEqual(answers, ['new answer'])
})

// The browser's address as far as followAddress sees it: location.hash and history.replaceState.
function address(hash: string): { hash: string, writes: string[] } {
  const state = { hash, writes: [] as string[] }
  Object.assign(globalThis, {
    location: { get hash() { return state.hash } },
    history: {
      replaceState(_data: unknown, _unused: string, url: string) {
        state.writes.push(url)
        state.hash = url
      }
    }
  })
  return state
}

test('a view\'s filters follow in the address while it is shown', () => {
  const state = address('#/board?customer=ac')
  followAddress('#/board?customer=acme')
  assert.deepEqual(state.writes, ['#/board?customer=acme'])
  followAddress('#/board?customer=acme') // unchanged: no write
  followAddress('#/board')
  assert.deepEqual(state.writes, ['#/board?customer=acme', '#/board'])
})

test('a late (debounced) write never pulls the person back from where they went', () => {
  // Typed a filter on the board, then opened an invoice before the debounce fired.
  const state = address('#/invoices/4f1c')
  followAddress('#/board?customer=client&view=table')
  assert.equal(state.hash, '#/invoices/4f1c')
  assert.deepEqual(state.writes, [])
  // The same for the list's search when the person went to the list's own invoice.
  address('#/invoices/4f1c')
  followAddress('#/invoices?q=acme')
  assert.equal(location.hash, '#/invoices/4f1c')
})

test('hashes are compared by path, with or without the slash', () => {
  assert.deepEqual(parseHash('#board?x=1').path, parseHash('#/board').path)
  const state = address('#board')
  followAddress('#/board?view=table')
  assert.deepEqual(state.writes, ['#/board?view=table'])
})
