// Comment threads over the REST API (docs/comments.md): every URL and payload shape the app
// uses is here, and what the server answers is normalised into `Thread` in one place.

import { call } from '../api'
import type { Anchor } from './anchors'

export type ThreadStatus = 'open' | 'resolved'

export interface Author {
  id: string
  name: string
}

export interface Comment {
  id: string
  author: Author
  body: string
  created_at: string
  edited_at: string | null
  /** Deleted by its author: kept in the thread, without its text. */
  deleted: boolean
}

export interface Thread {
  id: string
  anchor: Anchor
  status: ThreadStatus
  comments: Comment[]
  /** The server says the anchored line was deleted (the browser also checks its document). */
  line_deleted: boolean
  created_at: string
}

type Json = Record<string, unknown>

const str = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback)

function author(value: unknown): Author {
  const v = (value ?? {}) as Json
  return { id: str(v.id ?? v.user_id), name: str(v.name) || str(v.email) || '?' }
}

function anchor(value: unknown, thread: Json): Anchor {
  const v = (typeof value === 'object' && value !== null ? value : thread) as Json
  const range = (typeof v.range === 'object' && v.range !== null ? v.range : v) as Json
  const found: Anchor = { path: str(v.path ?? thread.path) }
  if (typeof range.start === 'string' && typeof range.end === 'string') {
    found.start = range.start
    found.end = range.end
  }
  const quote = range.quote ?? v.quote
  if (typeof quote === 'string') found.quote = quote
  return found
}

function comment(value: unknown): Comment {
  const v = (value ?? {}) as Json
  return {
    id: str(v.id),
    author: author(v.author ?? { id: v.author_id, name: v.author_name }),
    body: str(v.body),
    created_at: str(v.created_at),
    edited_at: typeof v.edited_at === 'string' ? v.edited_at : null,
    deleted: v.deleted === true || typeof v.deleted_at === 'string'
  }
}

/** A thread as the REST API or a `comment` notice gives it. */
export function parseThread(value: unknown): Thread | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as Json
  if (typeof v.id !== 'string') return null
  const status = v.status === 'resolved' || v.resolved === true || typeof v.resolved_at === 'string' ? 'resolved' : 'open'
  const comments = (Array.isArray(v.comments) ? v.comments : []).map(comment)
  return {
    id: v.id,
    anchor: anchor(v.anchor, v),
    status,
    comments,
    line_deleted: v.orphaned === true || v.line_deleted === true,
    created_at: str(v.created_at)
  }
}

function listOf(answer: unknown): unknown[] {
  if (Array.isArray(answer)) return answer
  const v = (answer ?? {}) as Json
  const list = v.items ?? v.threads ?? v.comments
  return Array.isArray(list) ? list : []
}

const base = (invoiceId: string): string => `/api/invoices/${encodeURIComponent(invoiceId)}/comments`

function anchorBody(a: Anchor): Json {
  return a.start && a.end ? { path: a.path, start: a.start, end: a.end, quote: a.quote ?? '' } : { path: a.path }
}

export async function listThreads(invoiceId: string): Promise<Thread[]> {
  const answer = await call<unknown>('GET', base(invoiceId))
  return listOf(answer).flatMap((item) => parseThread(item) ?? [])
}

export async function createThread(invoiceId: string, a: Anchor, body: string): Promise<Thread | null> {
  return parseThread(await call<unknown>('POST', base(invoiceId), { anchor: anchorBody(a), body }))
}

export async function reply(invoiceId: string, threadId: string, body: string): Promise<Thread | null> {
  return parseThread(await call<unknown>('POST', `${base(invoiceId)}/${encodeURIComponent(threadId)}/comments`, { body }))
}

export async function editComment(invoiceId: string, threadId: string, commentId: string, body: string): Promise<Thread | null> {
  const url = `${base(invoiceId)}/${encodeURIComponent(threadId)}/comments/${encodeURIComponent(commentId)}`
  return parseThread(await call<unknown>('PATCH', url, { body }))
}

export async function deleteComment(invoiceId: string, threadId: string, commentId: string): Promise<Thread | null> {
  const url = `${base(invoiceId)}/${encodeURIComponent(threadId)}/comments/${encodeURIComponent(commentId)}`
  return parseThread(await call<unknown>('DELETE', url))
}

export async function setStatus(invoiceId: string, threadId: string, status: ThreadStatus): Promise<Thread | null> {
  const action = status === 'resolved' ? 'resolve' : 'reopen'
  return parseThread(await call<unknown>('POST', `${base(invoiceId)}/${encodeURIComponent(threadId)}/${action}`))
}
