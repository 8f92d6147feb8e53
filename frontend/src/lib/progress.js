// The signed-in person's progress (GET /me/progress), kept once for every screen: loaded when a screen first
// asks, refreshed once when the person changes, a sync sent something or the app returns to the foreground
// (another device may have moved it), never once per page.
import { useEffect, useReducer } from 'preact/hooks'
import { Offline, progress as fetchProgress } from '../api.js'
import { state, subscribe } from '../state.js'

let result = { loading: true }
let loadedFor // the id of the person `result` belongs to (null: nobody signed in)
let seenSync = state.lastSync
let outdated = true // a load is due the next time a screen asks
let run = 0
const listeners = new Set()

function publish(next) {
  result = next
  for (const listener of listeners) listener()
}

async function load() {
  const id = ++run
  const me = state.me ? state.me.id : null
  outdated = false
  if (me === null) {
    loadedFor = null
    publish({ data: null, loading: false })
    return
  }
  // Another person's figures are never shown while this person's load.
  publish(loadedFor === me ? { ...result, loading: true, error: null } : { loading: true })
  loadedFor = me
  try {
    const r = await fetchProgress()
    if (id !== run) return
    publish({ data: r.data, stale: false, loading: false })
    r.fresh?.then(
      (newer) => id === run && publish({ data: newer, stale: false, loading: false }),
      (error) => id === run && publish({ data: r.data, stale: error instanceof Offline, loading: false }),
    )
  } catch (error) {
    if (id === run) publish({ error, loading: false })
  }
}

function refresh() {
  if (listeners.size) load()
  else outdated = true
}

subscribe(() => {
  const me = state.me ? state.me.id : null
  const synced = state.lastSync !== seenSync && state.lastSync
  seenSync = state.lastSync
  // A sync that sent nothing (the worker finding the queue the page already sent) changes nothing on the server.
  if (me !== loadedFor || (synced && synced.sent + synced.failed > 0)) refresh()
})

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && state.me) refresh()
})

/** The progress as `{data, stale, error, loading, reload}` (like useLoad), re-rendering when it changes. */
export function useProgress() {
  const [, bump] = useReducer((n) => n + 1, 0)
  useEffect(() => {
    listeners.add(bump)
    if (outdated || loadedFor !== (state.me ? state.me.id : null)) load()
    return () => listeners.delete(bump)
  }, [])
  return { ...result, reload: load }
}
