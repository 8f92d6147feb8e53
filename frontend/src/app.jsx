// The shell: header, navigation, offline and sync status, and the page for the current address.
import { useEffect, useRef, useState } from 'preact/hooks'
import { setLang, t } from './i18n.js'
import { match, navigate, useAppState } from './state.js'
import { syncNow } from './sync.js'
import { Home } from './pages/home.jsx'
import { Learn } from './pages/learn.jsx'
import { ModulePage } from './pages/module.jsx'
import { Lesson } from './pages/lesson.jsx'
import { Quiz } from './pages/quiz.jsx'
import { Search } from './pages/search.jsx'
import { Progress } from './pages/progress.jsx'
import { Certificates } from './pages/certificates.jsx'
import { Account, Activate, SignIn, SignUp } from './pages/account.jsx'
import { Notices } from './notices.jsx'
import { InstallHint } from './install-hint.jsx'
import { lazyPage } from './lazy.jsx'
import { reloadToNewVersion } from './lib/update.js'
import { tl } from './learner-text.js'
import { endAssistedSession } from './api.js'
import { helperUnits, th } from './helpers-text.js'

// The managers' screens are for a few thousand people: each loaded only when opened, to keep the first screen small.
const LazyAdmin = lazyPage(() => import('./pages/admin.jsx'), 'Admin')
const LazyMembers = lazyPage(() => import('./pages/members.jsx'), 'Members')
const LazyImport = lazyPage(() => import('./pages/staff-import.jsx'), 'StaffImport')
const LazyRequirements = lazyPage(() => import('./pages/requirements.jsx'), 'Requirements')

// A person's settings and the help page: opened rarely, loaded when opened.
const settings = () => import('./pages/settings.jsx')
const LEARNER_ROUTES = [
  ['/settings', lazyPage(settings, 'Display')], ['/account/name', lazyPage(settings, 'EditName')],
  ['/account/password', lazyPage(settings, 'ChangePassword')], ['/forgot', lazyPage(settings, 'ForgotPassword')],
  ['/help', lazyPage(() => import('./pages/help.jsx'), 'Help')],
]

const LazyHelper = lazyPage(() => import('./pages/helper.jsx'), 'Helper')

// Shown on every page of an assisted session, so nobody mistakes the shared device for the helper's own sign-in.
function AssistedBanner() {
  const s = useAppState()
  const [busy, setBusy] = useState(false)
  if (!s.me?.assisted) return null
  async function end() {
    setBusy(true)
    try {
      await syncNow() // what the citizen did is sent before their sign-in leaves the device
    } catch {
      // Offline: it stays queued on the device under their name.
    }
    await endAssistedSession()
    setBusy(false)
    navigate('/helper', { replace: true })
  }
  return (
    <section class="assisted-banner" aria-label={th('banner', s.me.full_name)} data-testid="assisted-banner">
      <p><strong>{th('banner', s.me.full_name)}</strong> <span>{th('banner_note')}</span></p>
      <button type="button" class="button secondary" onClick={end} disabled={busy}>{th('end')}</button>
    </section>
  )
}

const ROUTES = [
  ['/', Home], ['/learn', Learn], ['/learn/:area', Learn], ['/m/:slug', ModulePage], ['/m/:slug/l/:lesson', Lesson],
  ['/m/:slug/quiz', Quiz], ['/search', Search], ['/progress', Progress], ['/certificates', Certificates], ['/signin', SignIn], ['/signup', SignUp], ['/activate', Activate],
  ['/account', Account], ['/admin', LazyAdmin], ['/admin/:code', LazyAdmin], ['/admin/:code/members', LazyMembers],
  ['/admin/:code/import', LazyImport], ['/admin/:code/requirements', LazyRequirements],
  ...LEARNER_ROUTES,
  ['/helper', LazyHelper], ['/helper/:code', LazyHelper],
]

function NotFound() {
  return (
    <>
      <h1 tabIndex={-1}>{t('not_found')}</h1>
      <p><a href="/">{t('go_home')}</a></p>
    </>
  )
}

// Same-origin links move inside the app instead of reloading the page; "#id" links move focus there.
function onDocumentClick(event) {
  const a = event.target.closest && event.target.closest('a[href]')
  if (!a || a.target || a.hasAttribute('download') || event.defaultPrevented || event.button !== 0) return
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
  const raw = a.getAttribute('href')
  if (raw.startsWith('#')) {
    const target = document.getElementById(raw.slice(1))
    if (target) {
      event.preventDefault()
      target.focus()
    }
    return
  }
  const url = new URL(a.href, location.href)
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return
  event.preventDefault()
  navigate(url.pathname + url.search)
}

// After a move to another page, focus goes to its heading once the page has one that is not "Loading…", so a
// screen reader says where the person is; the tab's title follows the heading.
let focusPending = false

function followHeading(main) {
  const heading = main.querySelector('h1')
  if (!heading) return
  const text = heading.textContent.trim()
  const title = `${text} – Hocso`
  if (document.title !== title) document.title = title
  if (!focusPending) return
  const active = document.activeElement
  // Leave the focus alone only if the person already moved it into the new page's content.
  if (!active || !main.contains(active) || active === main || active.tagName === 'H1') {
    if (active !== heading) heading.focus({ preventScroll: true })
  }
  if (!heading.hasAttribute('data-loading')) focusPending = false
}

function SyncStatus() {
  const s = useAppState()
  const n = s.pending.length
  return (
    <div class="status-bar" role="status" aria-live="polite">
      {!s.online && <p class="notice offline">{t('offline')}</p>}
      {s.newVersion && (
        <p class="notice update" data-testid="new-version">
          <span>{t('new_version')}</span>
          <button type="button" class="button" onClick={reloadToNewVersion}>{t('reload')}</button>
        </p>
      )}
      {s.lastSync?.stopped === 'signed_out' && n > 0 && <p class="notice error"><a href="/signin">{t('signed_out_sync')}</a></p>}
      {n > 0 && (
        <p class="notice pending" data-testid="pending">
          <span>{s.syncing ? t('syncing') : t('waiting', n)}</span>
          {s.online && !s.syncing && <button type="button" class="link-button" onClick={syncNow}>{t('sync_now')}</button>}
        </p>
      )}
    </div>
  )
}

export function App() {
  const s = useAppState()
  const main = useRef(null)
  const first = useRef(true)
  useEffect(() => {
    document.addEventListener('click', onDocumentClick)
    const observer = new MutationObserver(() => followHeading(main.current))
    observer.observe(main.current, { childList: true, subtree: true, characterData: true })
    return () => {
      document.removeEventListener('click', onDocumentClick)
      observer.disconnect()
    }
  }, [])
  let Page = NotFound
  let params = {}
  for (const [pattern, component] of ROUTES) {
    const found = match(pattern, s.path)
    if (found) {
      Page = component
      params = found
      break
    }
  }
  // A new page (not the first one opened): its heading takes the focus when it appears.
  useEffect(() => {
    focusPending = !first.current
    first.current = false
    followHeading(main.current)
  }, [s.path])
  useEffect(() => { document.documentElement.lang = s.lang }, [s.lang])
  const assisted = Boolean(s.me?.assisted)
  const manager = s.me && s.me.manages && !assisted
  const helping = !assisted && helperUnits(s.me).length > 0
  const links = [['/', t('nav_home')], ['/learn', t('nav_learn')], ...(s.me ? [['/progress', t('nav_progress')]] : []),
    ...(manager ? [['/admin', t('nav_admin')]] : []), ...(helping ? [['/helper', th('nav')]] : []), s.me ? ['/account', t('nav_account')] : ['/signin', t('nav_signin')]]
  // The link to this very page is the "page"; the section a page belongs to (a module belongs to Learn) is "true".
  const current = (href) => {
    if (href === s.path) return 'page'
    if (href === '/') return undefined
    return s.path.startsWith(href + '/') || (href === '/learn' && s.path.startsWith('/m/')) ? 'true' : undefined
  }
  return (
    <>
      <a class="skip" href="#main">{t('skip')}</a>
      <header class="top">
        <a class="brand" href="/" aria-label="Hocso – Học số">Hocso</a>
        <nav aria-label={t('main_nav')} class="main-nav">
          <ul>
            {links.map(([href, label]) => (
              <li key={href}><a href={href} aria-current={current(href)}>{label}</a></li>
            ))}
          </ul>
        </nav>
        <button type="button" class="lang" lang={s.lang === 'vi' ? 'en' : 'vi'} aria-label={t('switch_lang_name')}
          onClick={() => setLang(s.lang === 'vi' ? 'en' : 'vi')}>{t('switch_lang')}</button>
      </header>
      <AssistedBanner />
      <SyncStatus />
      <main id="main" ref={main} tabIndex={-1}>
        {s.path === '/' && <InstallHint />}
        <Notices />
        <Page {...params} key={s.path} />
      </main>
      <footer class="foot">
        <a href="/help">{tl('help_link')}</a>
        <a href="/settings">{tl('display_link')}</a>
      </footer>
    </>
  )
}
