// The signed-in session. The access token (15 minutes) lives in this tab's memory only; the
// refresh token is an httpOnly cookie that no script can read (SameSite=Strict, sent only to
// /api/auth), so neither survives in storage an injected script could read. A reload, or a new
// tab, gets a fresh access token from the cookie (`restore`).
//
// Refresh tokens rotate and a reused one revokes the session, so two tabs must never refresh at
// once: the refresh runs under a Web Lock shared by every tab of the origin. The cookie is shared
// too, so the second tab, once inside the lock, sends the token the first one was just given.

const EARLY_SECONDS = 60 // refresh this long before the access token expires
// Not a secret: only whether to try restoring a session at start (saves a 401 when signed out).
const HINT_KEY = 'cofacture.signed-in'

export interface TokenPair {
  access_token: string
  expires_in: number
}

interface Held {
  access: string
  expiresAt: number // ms since the epoch
}

export class SessionEnded extends Error {}

let held: Held | null = null

export function signedIn(): boolean {
  return held !== null
}

export function store(pair: TokenPair): void {
  held = { access: pair.access_token, expiresAt: Date.now() + pair.expires_in * 1000 }
  localStorage.setItem(HINT_KEY, '1')
}

export function clear(): void {
  held = null
  localStorage.removeItem(HINT_KEY)
}

/** At start: a session from the refresh cookie, if there is one; whether we are signed in. */
export async function restore(): Promise<boolean> {
  if (held) return true
  if (localStorage.getItem(HINT_KEY) !== '1') return false
  try {
    await refresh(null)
    return true
  } catch (failure) {
    if (failure instanceof SessionEnded) return false
    throw failure
  }
}

/** The current access token, refreshed first when it is about to expire. */
export async function accessToken(): Promise<string> {
  if (!held) throw new SessionEnded('not signed in')
  if (held.expiresAt - Date.now() > EARLY_SECONDS * 1000) return held.access
  return refresh(held.access)
}

/** A new access token from the refresh cookie; `stale` is the access token the caller saw. */
export async function refresh(stale: string | null): Promise<string> {
  const run = async (): Promise<string> => {
    if (held && held.access !== stale && held.expiresAt - Date.now() > EARLY_SECONDS * 1000) {
      return held.access // refreshed meanwhile (by another call of this tab)
    }
    const response = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' })
    if (!response.ok) {
      if (response.status === 401 || response.status === 400) {
        clear()
        throw new SessionEnded('refresh refused')
      }
      throw new Error(`refresh failed with HTTP ${response.status}`)
    }
    const pair = (await response.json()) as TokenPair
    store(pair)
    return pair.access_token
  }
  const locks = globalThis.navigator?.locks
  return locks ? locks.request('cofacture.refresh', run) : run()
}
