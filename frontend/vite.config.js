// Builds the PWA into dist/, which `hocso serve` serves. The service worker (src/sw.js) is compiled by
// vite-plugin-pwa with Workbox's precache manifest injected; the web app manifest lives in public/.
import { createHash } from 'node:crypto'
import { defineConfig } from 'vite'
import preact from '@preact/preset-vite'
import { VitePWA } from 'vite-plugin-pwa'

// <meta name="hocso-build">: which build a page runs (for support and the update test), from its files' names,
// which carry their content's hash, so the same sources give the same id.
const buildId = {
  name: 'hocso-build-id',
  transformIndexHtml: {
    order: 'post',
    handler(html, { bundle }) {
      const id = createHash('sha256').update(Object.keys(bundle || {}).sort().join('\n')).digest('hex').slice(0, 12)
      return [{ tag: 'meta', attrs: { name: 'hocso-build', content: id }, injectTo: 'head' }]
    },
  },
}

export default defineConfig({
  plugins: [
    preact(),
    buildId,
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.js',
      injectRegister: false,
      manifest: false,
      injectManifest: { globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'] },
    }),
  ],
  build: { target: 'es2020', modulePreload: { polyfill: false } },
  server: { proxy: { '/api': 'http://127.0.0.1:8000' } },
})
