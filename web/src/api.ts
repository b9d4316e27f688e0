// The JSON API: bearer tokens, one retry after a refresh on 401, errors as ApiError.

import { accessToken, clear, refresh, SessionEnded } from './session'

/** One field the server found wrong: `path` such as `address.country`, and why. */
export interface ErrorDetail {
  path: string
  message: string
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly retryAfter: number | null = null,
    /** The refusal's kind when the server names one (`wrong_state`, `four_eyes`...). */
    readonly code: string | null = null,
    readonly details: ErrorDetail[] = []
  ) {
    super(error)
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

async function send(method: Method, path: string, token: string | null, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  return fetch(path, { method, headers, body: body === undefined ? null : JSON.stringify(body) })
}

async function decode<T>(response: Response): Promise<T> {
  if (response.status === 204) return undefined as T
  const data = (await response.json().catch(() => ({}))) as { error?: string; code?: unknown; details?: unknown }
  if (!response.ok) {
    const retry = response.headers.get('retry-after')
    const details = Array.isArray(data.details)
      ? data.details.filter((d): d is ErrorDetail => typeof d === 'object' && d !== null && typeof d.path === 'string' && typeof d.message === 'string')
      : []
    const code = typeof data.code === 'string' ? data.code : null
    throw new ApiError(response.status, data.error ?? `HTTP ${response.status}`, retry ? Number(retry) : null, code, details)
  }
  return data as T
}

/** A request without a token (sign-in, first-run setup). */
export async function anonymous<T>(method: Method, path: string, body?: unknown): Promise<T> {
  return decode<T>(await send(method, path, null, body))
}

/** A request as the signed-in user. Throws SessionEnded when the session is gone. */
export async function call<T>(method: Method, path: string, body?: unknown): Promise<T> {
  let token = await accessToken()
  let response = await send(method, path, token, body)
  if (response.status === 401) {
    token = await refresh(token)
    response = await send(method, path, token, body)
    if (response.status === 401) {
      clear()
      throw new SessionEnded('the server ended the session')
    }
  }
  return decode<T>(response)
}

// -- shapes of the answers this app reads -----------------------------------------------------

export interface Membership {
  org_id: string
  org_name: string
  role: string
  capabilities: string[]
  /** The organization requires a second factor the user has not set up yet. */
  totp_required?: boolean
}

export interface Me {
  id: string
  email: string
  name: string
  totp_enabled: boolean
  recovery_codes_left?: number
  memberships: Membership[]
}

export interface TotalsSummary {
  net: string | null
  tax: string | null
  gross: string | null
}

export interface InvoiceSummary {
  id: string
  org_id: string
  status: string
  number: string | null
  /** `credit_note` for a credit note (absent from servers before credit notes). */
  kind?: 'invoice' | 'credit_note'
  created_by?: string
  customer_name: string | null
  currency: string | null
  issue_date: string | null
  due_date: string | null
  totals: TotalsSummary
  line_count: number
  issue_count: number
  created_at: string
  updated_at: string | null
}

export interface ServerTotals {
  currency: string
  net: string
  tax: string
  gross: string
  due: string
  line_total: string
  document_discount: string
  tax_breakdown: { category: string; rate: string; base: string; amount: string }[]
  line_nets: Record<string, string>
  complete: boolean
}

export interface InvoiceDetail extends Omit<InvoiceSummary, 'totals'> {
  invoice: Record<string, unknown>
  lines: Record<string, unknown>[]
  totals: ServerTotals | null
  validation: { path: string; code: string; message: string }[]
}

export interface Customer {
  id: string
  name: string
  email?: string
  vat_id?: string
  siren?: string
  line1?: string
  line2?: string
  postcode?: string
  city?: string
  country?: string
}

export interface Item {
  id: string
  name: string
  description?: string
  unit?: string
  unit_price: string
  tax_rate: string
}

export { SessionEnded }
