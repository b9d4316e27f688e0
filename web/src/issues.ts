// A validation message on a field path, and the readers every check shares, as
// collab/invoice/issues.py and the helpers of collab/invoice/validation.py.

import { Dec } from './decimal'
import { MoneyError, parseDecimal } from './decimals'

/** 'error' blocks a submit; 'warning' is only shown. */
export type Severity = 'error' | 'warning'

export interface Issue {
  path: string
  code: string
  message: string
  /** Absent (as from a server that does not say) means 'error'. */
  severity?: Severity
}

export type Json = Record<string, unknown>

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
export const makeIssue = (path: string, code: string, message: string, severity: Severity = 'error'): Issue => ({ path, code, message, severity })
export const text = (value: unknown): string => (typeof value === 'string' ? value : '')
export const empty = (value: unknown): boolean => value === undefined || value === null || value === ''

export function readOptional(value: unknown, path: string, issues: Issue[]): Dec | null {
  return empty(value) ? null : readNumber(value, path, issues)
}

export function readNumber(value: unknown, path: string, issues: Issue[]): Dec | null {
  if (value === undefined || value === null || value === '') {
    issues.push(makeIssue(path, 'required', 'required'))
    return null
  }
  try {
    return parseDecimal(String(value))
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error
    issues.push(makeIssue(path, error.code, error.message))
    return null
  }
}
