// The one IndexedDB database, shared by the page and the service worker.
// Stores: kv (tokens, who is signed in, cached API answers), outbox (events waiting to sync, by event_id),
// modules (module JSON by "lang:slug"), saved (modules saved for offline, by slug), results (graded attempts).
const NAME = 'hocso'
const VERSION = 1
let opening

export function openDb() {
  opening ||= new Promise((resolve, reject) => {
    const req = indexedDB.open(NAME, VERSION)
    req.onupgradeneeded = () => {
      const db = req.result
      db.createObjectStore('kv')
      db.createObjectStore('outbox', { keyPath: 'event_id' })
      db.createObjectStore('modules')
      db.createObjectStore('saved', { keyPath: 'slug' })
      db.createObjectStore('results', { keyPath: 'event_id' })
    }
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
  return opening
}

async function run(store, mode, work) {
  const db = await openDb()
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode)
    const req = work(tx.objectStore(store))
    // Resolve once the transaction is durable, not when the request succeeds: a killed page loses nothing.
    tx.oncomplete = () => resolve(req && req.result)
    tx.onerror = tx.onabort = () => reject(tx.error)
  })
}

export const get = (store, key) => run(store, 'readonly', (s) => s.get(key))
export const getAll = (store) => run(store, 'readonly', (s) => s.getAll())
export const keys = (store) => run(store, 'readonly', (s) => s.getAllKeys())
export const put = (store, value, key) => run(store, 'readwrite', (s) => s.put(value, key))
export const del = (store, key) => run(store, 'readwrite', (s) => s.delete(key))
export const clear = (store) => run(store, 'readwrite', (s) => s.clear())

/** Runs `work` while holding a lock shared by every tab and the service worker (Web Locks where present). */
export function withLock(name, work) {
  const locks = globalThis.navigator && navigator.locks
  return locks ? locks.request(name, work) : work()
}
