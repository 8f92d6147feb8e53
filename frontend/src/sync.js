// When the queue is sent: right after something is queued, on app start, when the network returns, when the
// app comes back to the foreground, and (where the browser has it) by Background Sync from the service worker.
import { SYNC_TAG, enqueue, flushOutbox, pendingFor } from './offline/outbox.js'
import { state, update } from './state.js'

export async function refreshPending() {
  update({ pending: state.me ? await pendingFor(state.me.id) : [] })
}

/** Stores the item (resolves once it is safe on the device); `synced` settles after the next send attempt. */
export async function queue(item) {
  const entry = await enqueue(item)
  await refreshPending()
  askBackgroundSync()
  return { entry, synced: syncNow() }
}

async function askBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.getRegistration()
    await registration?.sync?.register(SYNC_TAG)
  } catch {
    // Not supported or not allowed: the page syncs on start, on "online" and on return to the foreground.
  }
}

// On a flaky network a send can fail while the phone says it is online: try again later, waiting longer
// each time (5 s, 10 s, ... up to 5 min), until everything is sent.
let retryTimer = null
let retryDelay = 5_000

function retryLater() {
  clearTimeout(retryTimer)
  retryTimer = setTimeout(syncNow, retryDelay)
  retryDelay = Math.min(retryDelay * 2, 300_000)
}

export async function syncNow() {
  if (!state.me) return null
  clearTimeout(retryTimer)
  update({ syncing: true })
  const report = await flushOutbox()
  update({ syncing: false, lastSync: report })
  await refreshPending()
  if (report.stopped === 'offline' || report.stopped === 'server') {
    if (state.pending.length) retryLater()
  } else retryDelay = 5_000
  return report
}

export function startSyncing() {
  addEventListener('online', () => {
    update({ online: true })
    retryDelay = 5_000
    syncNow()
  })
  addEventListener('offline', () => update({ online: false }))
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') syncNow()
  })
  navigator.serviceWorker?.addEventListener('message', (event) => {
    if (event.data?.type === 'synced') {
      update({ lastSync: event.data.report })
      refreshPending()
    }
  })
}
