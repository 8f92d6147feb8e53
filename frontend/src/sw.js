// Hocso's service worker: precaches the app shell (Workbox), answers every page address with it offline,
// and sends the offline queue when Background Sync says the network is back.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching'
import { NavigationRoute, registerRoute } from 'workbox-routing'
import { CacheFirst } from 'workbox-strategies'
import { SYNC_TAG, flushOutbox } from './offline/outbox.js'

// A new build waits until the person chooses "Reload" (lib/update.js posts SKIP_WAITING): taking over at once
// would leave open tabs running the old code against the new build's files. Its precache sits beside the old
// one until then, and the outbox (IndexedDB) is the same for both, so nothing queued is lost either way.
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting()
})

// The very first worker has no old code to clash with: it takes the page that installed it at once, so the app
// works offline from the first visit. Later workers leave already-controlled tabs to the switch above.
let firstInstall = false
self.addEventListener('install', () => { firstInstall = !self.registration.active })
self.addEventListener('activate', (event) => {
  if (firstInstall) event.waitUntil(self.clients.claim())
})

cleanupOutdatedCaches()
precacheAndRoute(self.__WB_MANIFEST)
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), {
  denylist: [/^\/api\//, /^\/docs/, /^\/redoc/, /^\/openapi\.json/, /^\/verify\//, /^\/\.well-known\//],
}))

// Lesson pictures: their address carries the file's hash, so a copy once kept is right for good. Pages save
// a module's pictures into the same cache (api.js keepPictures), so a saved module shows them offline.
registerRoute(({ url }) => url.origin === self.location.origin && /^\/api\/v1\/modules\/[^/]+\/images\//.test(url.pathname),
  new CacheFirst({ cacheName: 'hocso-pictures' }))

async function syncAndTell() {
  const report = await flushOutbox()
  for (const client of await self.clients.matchAll()) client.postMessage({ type: 'synced', report })
  // Throwing asks the browser to try again later; not when signed out, which only the person can fix.
  if (report.stopped === 'offline' || report.stopped === 'server') throw new Error(`sync stopped: ${report.stopped}`)
}

self.addEventListener('sync', (event) => {
  if (event.tag === SYNC_TAG) event.waitUntil(syncAndTell())
})

// A reminder from the person's agency (see backend agencies/push_job.py): show it, open the app on a tap.
self.addEventListener('push', (event) => {
  let data = {}
  try {
    data = event.data ? event.data.json() : {}
  } catch {
    data = { body: event.data ? event.data.text() : '' }
  }
  event.waitUntil(self.registration.showNotification(data.title || 'Hocso', {
    body: data.body || '', tag: data.tag || 'hocso', data: { url: data.url || '/' }, lang: 'vi',
  }))
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const url = (event.notification.data && event.notification.data.url) || '/'
  event.waitUntil((async () => {
    for (const client of await self.clients.matchAll({ type: 'window' })) {
      if ('focus' in client) {
        client.navigate(url)
        return client.focus()
      }
    }
    return self.clients.openWindow(url)
  })())
})
