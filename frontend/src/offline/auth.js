// Tokens live in IndexedDB so the service worker can sync while no page is open. Refresh tokens rotate and
// a reused one revokes the whole sign-in, so every refresh happens under one lock, re-reading the tokens first.
import { del, get, put, withLock } from './db.js'

const API = '/api/v1'

export const readTokens = () => get('kv', 'tokens')

export function saveTokens(pair, key = 'tokens') {
  return put('kv', {
    access: pair.access_token,
    refresh: pair.refresh_token || null,
    expires: Date.now() + pair.expires_in * 1000,
    // An assisted session's token (a helper signed a citizen in on this device): never refreshed, ends on sign-out.
    assisted: Boolean(pair.assisted),
  }, key)
}

export const forgetTokens = () => del('kv', 'tokens')

/** Returns a fresh access token, refreshing it if `stale` is still the current one; null when signed out. */
function refreshIfStale(stale) {
  return withLock('hocso-auth', async () => {
    const current = await readTokens()
    if (!current) return null
    if (current.access !== stale) return current.access // another tab or the worker refreshed already
    const response = await fetch(`${API}/auth/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: current.refresh }),
    })
    if (response.ok) {
      const pair = await response.json()
      await saveTokens(pair)
      return pair.access_token
    }
    if (response.status === 401 || response.status === 400) {
      await forgetTokens()
      return null
    }
    throw new Error(`refresh failed: ${response.status}`)
  })
}

async function accessToken() {
  const tokens = await readTokens()
  if (!tokens) return null
  if (!tokens.refresh) return tokens.access
  return tokens.expires - Date.now() > 30_000 ? tokens.access : refreshIfStale(tokens.access)
}

/** fetch() with the access token, retried once with a refreshed token after a 401. */
export async function authFetch(path, init = {}) {
  const send = (token) => fetch(API + path, {
    ...init,
    headers: { ...init.headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  })
  const token = await accessToken()
  let response = await send(token)
  if (response.status === 401 && token && (await readTokens())?.refresh) {
    const fresh = await refreshIfStale(token)
    if (fresh) response = await send(fresh)
  }
  return response
}
