// The signed-in session: the token pair, kept in localStorage so that a reload (or a second
// tab) stays signed in, and refreshed shortly before the access token expires.
//
// Refresh tokens rotate and a reused one revokes the session, so two tabs must never refresh
// with the same token: the refresh runs under a Web Lock shared by every tab of the origin, and
// re-reads the stored pair inside it (another tab may have refreshed meanwhile).

const STORAGE_KEY = 'cofacture.session'
const EARLY_SECONDS = 60 // refresh this long before the access token expires

export interface TokenPair {
  access_token: string
  refresh_token?: string | null
  expires_in: number
}

interface Stored {
  access: string
  refresh: string | null
  expiresAt: number // ms since the epoch
}

export class SessionEnded extends Error {}

function read(): Stored | null {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Stored | null
    return value && typeof value.access === 'string' ? value : null
  } catch {
    return null
  }
}

export function signedIn(): boolean {
  return read() !== null
}

export function store(pair: TokenPair): void {
  const stored: Stored = {
    access: pair.access_token,
    refresh: pair.refresh_token ?? null,
    expiresAt: Date.now() + pair.expires_in * 1000
  }
  localStorage.setItem(STORAGE_KEY, JSON.stringify(stored))
}

export function clear(): void {
  localStorage.removeItem(STORAGE_KEY)
}

/** The current access token, refreshed first when it is about to expire. */
export async function accessToken(): Promise<string> {
  const stored = read()
  if (!stored) throw new SessionEnded('not signed in')
  if (stored.expiresAt - Date.now() > EARLY_SECONDS * 1000) return stored.access
  return refresh(stored.access)
}

/** Exchange the refresh token for a new pair; `stale` is the access token the caller saw. */
export async function refresh(stale: string): Promise<string> {
  const run = async (): Promise<string> => {
    const stored = read()
    if (!stored) throw new SessionEnded('not signed in')
    if (stored.access !== stale && stored.expiresAt - Date.now() > EARLY_SECONDS * 1000) {
      return stored.access // another tab refreshed already
    }
    if (!stored.refresh) {
      clear()
      throw new SessionEnded('no refresh token')
    }
    const response = await fetch('/api/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: stored.refresh })
    })
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
