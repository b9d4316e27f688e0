// The REST calls and shapes of the CSV imports (issue 17, docs/integrations.md): customers from
// a CRM (upload, preview, confirm, export) and time entries into invoice lines. The server
// reads the files and decides; these only carry its answers.

import { ApiError, call, type ErrorDetail } from './api'
import { accessToken, clear, refresh, SessionEnded } from './session'

const enc = encodeURIComponent

export const CUSTOMER_FIELDS = ['external_id', 'name', 'email', 'vat_id', 'siren', 'line1', 'line2', 'postcode', 'city', 'country'] as const
export type CustomerField = (typeof CUSTOMER_FIELDS)[number]
export type CustomerMapping = Record<CustomerField, string | null>

export const TIME_FIELDS = ['date', 'person', 'person_2', 'project', 'task', 'description', 'duration', 'hours', 'rate', 'billable'] as const
export type TimeField = (typeof TIME_FIELDS)[number]
export type TimeMapping = Record<TimeField, string | null>

interface Uploaded<M> {
  id: string
  filename: string
  encoding: 'utf-8' | 'windows-1252'
  delimiter: string
  columns: string[]
  sample: string[][]
  rows: number
  mapping: M
  expires_at: string
}

export type CustomerUpload = Uploaded<CustomerMapping>

export interface TimeUpload extends Uploaded<TimeMapping> {
  layout: 'toggl' | 'harvest' | 'clockify' | null
  layout_title: string | null
  date_order: 'dmy' | 'mdy'
}

export type Outcome = 'create' | 'update' | 'unchanged' | 'error'

export interface CustomerRow {
  row: number
  outcome: Outcome
  customer_id: string | null
  matched_by: 'external_id' | 'vat_id' | 'siren' | 'email' | null
  changes: string[]
  errors: string[]
  values: Record<string, string>
}

export interface CustomerPreview {
  id: string
  counts: Record<Outcome, number>
  rows: CustomerRow[]
}

export interface TimeForm {
  mapping: TimeMapping
  date_order: 'dmy' | 'mdy' | null
  group_by: 'project' | 'task'
  rates_by: 'person' | 'task'
  rates: { name: string; rate: string }[]
  default_rate: string | null
  tax_rate: string
  language: 'en' | 'fr'
  invoice_id: string | null
  currency: string
}

export interface TimeLine {
  description: string
  quantity: string
  unit: string
  unit_price: string
  tax_rate: string
  net: string
  rows: number[]
}

export interface TimePreview {
  id: string
  currency: string
  invoice_id: string | null
  lines: TimeLine[]
  totals: { net: string; tax: string; gross: string }
  people: string[]
  tasks: string[]
  included: number
  skipped: number
  errors: { row: number; message: string }[]
}

export interface TimeAdded extends TimePreview {
  invoice_id: string
  created: boolean
  seq: number | null
}

/** A file sent as the request body (the server reads it), with the session's token. */
async function upload<T>(path: string, file: Blob): Promise<T> {
  const send = (token: string): Promise<Response> =>
    fetch(path, { method: 'POST', headers: { accept: 'application/json', authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body: file })
  let token = await accessToken()
  let response = await send(token)
  if (response.status === 401) {
    token = await refresh(token)
    response = await send(token)
    if (response.status === 401) {
      clear()
      throw new SessionEnded('the server ended the session')
    }
  }
  const data = (await response.json().catch(() => ({}))) as { error?: string; code?: unknown; details?: ErrorDetail[] }
  if (!response.ok) {
    const code = typeof data.code === 'string' ? data.code : response.status === 413 ? 'file_too_large' : null
    throw new ApiError(response.status, data.error ?? `HTTP ${response.status}`, null, code, Array.isArray(data.details) ? data.details : [])
  }
  return data as T
}

const named = (file: File): string => new URLSearchParams({ filename: file.name.slice(0, 200) }).toString()

export function uploadCustomers(orgId: string, file: File): Promise<CustomerUpload> {
  return upload(`/api/orgs/${enc(orgId)}/customer-imports?${named(file)}`, file)
}

export function previewCustomers(id: string, mapping: CustomerMapping): Promise<CustomerPreview> {
  return call('POST', `/api/customer-imports/${enc(id)}/preview`, { mapping })
}

export function confirmCustomers(id: string, mapping: CustomerMapping): Promise<CustomerPreview> {
  return call('POST', `/api/customer-imports/${enc(id)}/confirm`, { mapping })
}

export function customersCsvPath(orgId: string): string {
  return `/api/orgs/${enc(orgId)}/customers.csv`
}

export function uploadTime(orgId: string, file: File): Promise<TimeUpload> {
  return upload(`/api/orgs/${enc(orgId)}/time-imports?${named(file)}`, file)
}

export function previewTime(id: string, form: TimeForm): Promise<TimePreview> {
  return call('POST', `/api/time-imports/${enc(id)}/preview`, form)
}

export function confirmTime(id: string, form: TimeForm): Promise<TimeAdded> {
  return call('POST', `/api/time-imports/${enc(id)}/confirm`, form)
}
