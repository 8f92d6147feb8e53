// App-wide state with a tiny subscribe/notify, and the router (History API; the server and the service
// worker answer every page address with index.html).
import { useEffect, useReducer } from 'preact/hooks'

export const state = {
  path: location.pathname,
  query: new URLSearchParams(location.search),
  lang: localStorage.getItem('hocso.lang') === 'en' ? 'en' : 'vi',
  me: null, // the signed-in person (GET /me), or null
  online: navigator.onLine,
  pending: [], // outbox items of the signed-in person
  syncing: false,
  lastSync: null, // report of the last sync
  newVersion: false, // a new build is installed and waits for the person's "Reload"
}

const listeners = new Set()

export function update(patch) {
  Object.assign(state, patch)
  for (const listener of listeners) listener()
}

/** Calls `listener` after every change of the state; returns the function that stops it. */
export function subscribe(listener) {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Re-renders the calling component whenever the state changes. */
export function useAppState() {
  const [, bump] = useReducer((n) => n + 1, 0)
  useEffect(() => subscribe(bump), [])
  return state
}

export function navigate(to, { replace = false } = {}) {
  const url = new URL(to, location.origin)
  history[replace ? 'replaceState' : 'pushState'](null, '', url.pathname + url.search)
  update({ path: url.pathname, query: url.searchParams })
  scrollTo(0, 0)
}

addEventListener('popstate', () => update({ path: location.pathname, query: new URLSearchParams(location.search) }))

/** Matches "/m/:slug/l/:lesson" style patterns; returns the parameters or null. */
export function match(pattern, path) {
  const want = pattern.split('/')
  const got = path.replace(/\/+$/, '').split('/')
  if (pattern === '/' ) return path === '/' ? {} : null
  if (want.length !== got.length) return null
  const params = {}
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i])
    else if (want[i] !== got[i]) return null
  }
  return params
}
