// Android Chrome's install offer (beforeinstallprompt), caught from the start so the app can offer it in its own
// words at a calm moment instead of the browser's mini-bar, and not again for a month once declined.
import { useEffect, useReducer } from 'preact/hooks'

const DISMISSED_KEY = 'hocso.install.dismissed'
const MONTH = 30 * 24 * 3600 * 1000
let offer = null
const listeners = new Set()
const notify = () => listeners.forEach((f) => f())

addEventListener('beforeinstallprompt', (event) => {
  event.preventDefault()
  offer = event
  notify()
})
addEventListener('appinstalled', () => {
  offer = null
  notify()
})

function dismissedRecently() {
  try {
    return Date.now() - Number(localStorage.getItem(DISMISSED_KEY) || 0) < MONTH
  } catch {
    return false
  }
}

/** The pending install offer, or null; re-renders the caller when it changes. */
export function useInstallOffer({ evenIfDismissed = false } = {}) {
  const [, bump] = useReducer((n) => n + 1, 0)
  useEffect(() => {
    listeners.add(bump)
    return () => listeners.delete(bump)
  }, [])
  return offer && (evenIfDismissed || !dismissedRecently()) ? offer : null
}

/** Shows the browser's install dialog; the offer can be used once. */
export async function install() {
  if (!offer) return null
  const used = offer
  offer = null
  notify()
  await used.prompt()
  const choice = await used.userChoice?.catch(() => null)
  return choice?.outcome ?? null
}

export function dismissInstall() {
  try {
    localStorage.setItem(DISMISSED_KEY, String(Date.now()))
  } catch {
    // Storage blocked: hidden for this visit only.
  }
  notify()
}
