// A page whose code loads when it is first opened, so the first screen stays small. After a deploy an open tab
// may ask for a chunk of the previous build, which is gone (the server answers 404): the page reloads once to
// get the new build, and if that does not help it says so with a Reload button instead of "Loading…" for good.
import { useEffect, useState } from 'preact/hooks'
import { t } from './i18n.js'

const RELOADED = 'hocso.chunkReload'

/** Reads, sets (value) or clears (null) the "reloaded already" mark; false when storage is blocked. */
function mark(value) {
  try {
    if (value === undefined) return sessionStorage.getItem(RELOADED) === '1'
    if (value === null) sessionStorage.removeItem(RELOADED)
    else sessionStorage.setItem(RELOADED, value)
    return true
  } catch {
    return false
  }
}

/** Runs `load` (a dynamic import); on failure reloads the page once per failure run, else rejects. */
export function loadChunk(load, { reload = true } = {}) {
  return load().then((module) => {
    mark(null)
    return module
  }, (error) => {
    // Offline, a reload brings nothing new; a second failure right after a reload would only loop, and without
    // storage to remember the first one there is no telling, so then no reload at all.
    if (reload && navigator.onLine && !mark() && mark('1')) {
      location.reload()
      return new Promise(() => {})
    }
    throw error
  })
}

export function ChunkFailed() {
  return (
    <div role="alert" data-testid="chunk-failed">
      <h1 tabIndex={-1}>{t('chunk_failed_title')}</h1>
      <p>{t('chunk_failed')}</p>
      <p><button type="button" class="button" onClick={() => location.reload()}>{t('reload')}</button></p>
    </div>
  )
}

export function lazyPage(load, name) {
  return function LazyPage(props) {
    const [Page, setPage] = useState(null)
    const [failed, setFailed] = useState(false)
    useEffect(() => { loadChunk(load).then((m) => setPage(() => m[name]), () => setFailed(true)) }, [])
    if (failed) return <ChunkFailed />
    return Page ? <Page {...props} /> : <p class="muted" role="status">{t('loading')}</p>
  }
}
