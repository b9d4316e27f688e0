// Offline copies of open invoices (docs/web.md, "Offline edits"): y-indexeddb keeps each
// invoice's Y.Doc in IndexedDB, so that edits made without a connection survive closing the tab
// and reach the server, merged by Yjs, on the next connection. The database name holds the user
// and the invoice: two accounts on one browser never load each other's copies. Sign-out deletes
// every copy of the user who signs out.

import { IndexeddbPersistence } from 'y-indexeddb'
import * as Y from 'yjs'

const PREFIX = 'cofacture-draft'
/** The key, in the copy's `custom` store, of the number of changes the server has not
 * acknowledged yet (live.ts): the badge shows it again after a reopen. */
const PENDING = 'pending'
/** Names of the copies made here, for browsers without `indexedDB.databases()`. */
const INDEX_KEY = 'cofacture.drafts'
/** A copy that takes longer to open does not hold the connection back (it merges when read). */
const LOAD_TIMEOUT_MS = 3000

export function draftName(userId: string, invoiceId: string): string {
  return `${PREFIX}:${userId}:${invoiceId}`
}

function available(): boolean {
  return typeof indexedDB !== 'undefined'
}

/** An update that came from a stored copy (not a local edit, not the server). */
export function fromStore(origin: unknown): boolean {
  return origin instanceof IndexeddbPersistence
}

/** One invoice's copy, bound to one Y.Doc (it stops writing when that doc is destroyed). */
export class OfflineCopy {
  private readonly store: IndexeddbPersistence
  /** Resolves once the stored document is merged into the doc, with the number of changes it
   * held as not acknowledged (0 when IndexedDB fails or is too slow). */
  readonly loaded: Promise<number>
  /** The same count without the time limit: for a copy only read to be dropped, where waiting
   * holds nothing back (a slow disk must not hide the notice that changes were dropped). */
  readonly held: Promise<number>

  private constructor(name: string, doc: Y.Doc) {
    this.store = new IndexeddbPersistence(name, doc)
    remember(name)
    const opened = this.store._db.then(
      () => new Promise<never>(() => undefined), // the count comes from `stored` below
      () => 0 // IndexedDB refused (private mode, quota): work online only
    )
    const stored = this.store.whenSynced.then(() => this.store.get(PENDING)).then((value: unknown) => (typeof value === 'number' ? value : 0))
    const late = new Promise<number>((resolve) => window.setTimeout(() => resolve(0), LOAD_TIMEOUT_MS))
    this.held = Promise.race([stored, opened]).catch(() => 0)
    this.loaded = Promise.race([this.held, late])
  }

  /** A copy of `name` for `doc`, or null where the browser has no IndexedDB. */
  static open(name: string, doc: Y.Doc): OfflineCopy | null {
    return available() ? new OfflineCopy(name, doc) : null
  }

  savePending(count: number): void {
    this.store.set(PENDING, count).catch(() => undefined) // a closed copy: nothing left to count
  }

  /** Stop writing and delete the stored copy; resolves once the deletion is queued, so that a
   * copy opened afterwards under the same name starts empty. */
  async clear(): Promise<void> {
    await this.store.clearData().catch(() => undefined)
    forget([this.store.name])
  }
}

/** Delete the copy `name` if there is one; resolves with the number of changes it held that
 * the server had not acknowledged (the editor says they were dropped). */
export async function discardDraft(name: string): Promise<number> {
  if (!available() || !(await storedNames()).includes(name)) return 0
  const copy = OfflineCopy.open(name, new Y.Doc())
  const pending = (await copy?.held) ?? 0
  await copy?.clear()
  return pending
}

/** At sign-out: delete every copy of `userId`. The open editor's copy is deleted once its
 * connection closes (IndexedDB waits for it). */
export async function clearDrafts(userId: string): Promise<void> {
  if (!available()) return
  const mine = (await storedNames()).filter((name) => name.startsWith(draftName(userId, '')))
  for (const name of mine) indexedDB.deleteDatabase(name)
  forget(mine)
}

async function storedNames(): Promise<string[]> {
  const names = new Set(readIndex())
  try {
    for (const db of (await indexedDB.databases?.()) ?? []) if (db.name?.startsWith(`${PREFIX}:`)) names.add(db.name)
  } catch {
    // Not supported: the index alone.
  }
  return [...names]
}

function readIndex(): string[] {
  try {
    const names: unknown = JSON.parse(localStorage.getItem(INDEX_KEY) ?? '[]')
    return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : []
  } catch {
    return []
  }
}

function remember(name: string): void {
  const names = readIndex()
  if (!names.includes(name)) localStorage.setItem(INDEX_KEY, JSON.stringify([...names, name]))
}

function forget(gone: string[]): void {
  const names = readIndex().filter((name) => !gone.includes(name))
  if (names.length) localStorage.setItem(INDEX_KEY, JSON.stringify(names))
  else localStorage.removeItem(INDEX_KEY)
}
