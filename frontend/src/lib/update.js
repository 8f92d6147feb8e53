// Keeps the app's service worker and tells the person when a new build is ready (Workbox's update recipe): the
// new worker waits, the page shows "A new version is available — Reload", and only that tap switches and
// reloads, so nobody loses a quiz in the middle to a reload they did not ask for.
import { Workbox } from 'workbox-window'
import { update } from '../state.js'

let wb = null

export function watchForUpdates() {
  wb = new Workbox('/sw.js')
  // Also when another tab found it: every open tab offers the reload.
  wb.addEventListener('waiting', () => update({ newVersion: true }))
  wb.register().catch(() => {}) // refused (private mode, policy): the app still works online
  // A tab can stay open for days (an agency's dashboard): look again when it comes back into view.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') wb.update().catch(() => {})
  })
}

/** Switches to the waiting build and reloads once it controls this tab. */
export async function reloadToNewVersion() {
  const registration = wb && (await navigator.serviceWorker.getRegistration())
  if (!registration || !registration.waiting) {
    // Another tab already switched: this one only needs the new files.
    location.reload()
    return
  }
  wb.addEventListener('controlling', () => location.reload())
  wb.messageSkipWaiting()
}
