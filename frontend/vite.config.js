// Builds the PWA into dist/, which `hocso serve` serves. The service worker (src/sw.js) is compiled by
// vite-plugin-pwa with Workbox's precache manifest injected; the web app manifest lives in public/.
import { defineConfig } from 'vite'
import preact from '@preact/preset-vite'
import { VitePWA } from 'vite-plugin-pwa'

export default defineConfig({
  plugins: [
    preact(),
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
