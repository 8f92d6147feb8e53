// Starts the app: who is signed in (from the device first, so it opens offline), the queue, the worker.
import { render } from 'preact'
import { App } from './app.jsx'
import { loadMe } from './api.js'
import { get } from './offline/db.js'
import { state, update } from './state.js'
import { refreshPending, startSyncing, syncNow } from './sync.js'
import { applyDisplay } from './lib/display.js'
import { watchForUpdates } from './lib/update.js'
import './lib/install.js'
import './styles.css'
import './learner.css'

document.documentElement.lang = state.lang
applyDisplay()

async function start() {
  try {
    update({ me: (await get('kv', 'me')) || null })
  } catch {
    // IndexedDB unavailable (private mode in some browsers): the app works online without the queue.
  }
  render(<App />, document.getElementById('app'))
  startSyncing()
  await loadMe().catch(() => {})
  await refreshPending().catch(() => {})
  syncNow()
}

start()

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  addEventListener('load', watchForUpdates)
}
