// The roles of server/auth/permissions.py, from the least to the most powerful, and their names
// in the UI's language (docs/security.md says what each may do).

import { hasKey, t } from '../i18n'

export const ROLES = ['viewer', 'reviewer', 'editor', 'approver', 'accountant', 'admin'] as const

/** "approver" → "approver" / "approbateur"; a role this app does not know keeps its code. */
export function roleText(role: string): string {
  const key = `role_${role}`
  return hasKey(key) ? t(key) : role
}
