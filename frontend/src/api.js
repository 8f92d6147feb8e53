// The one API client. Reads answer at once with the copy kept in IndexedDB when there is one and refresh it
// from the network in the background (stale-while-revalidate), so every screen a person has seen (and every
// module they saved) opens at once, offline or on a link that barely answers.
import { authFetch, forgetTokens, saveTokens } from './offline/auth.js'
import { del, get, getAll, keys, put } from './offline/db.js'
import { searchDocs } from './lib/search.js'
import { state, update } from './state.js'

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail)
    this.status = status
  }
}

export class Offline extends Error {}

async function send(path, init = {}) {
  try {
    return await authFetch(path, { ...init, headers: { 'Accept-Language': state.lang, ...init.headers } })
  } catch {
    throw new Offline('offline')
  }
}

const detailOf = (body, status) => (typeof body?.detail === 'string' ? body.detail
  : Array.isArray(body?.detail) ? body.detail.map((d) => d.msg).join('; ') : `HTTP ${status}`)

async function call(path, init = {}) {
  const response = await send(path, init)
  if (response.status === 204) return null
  const body = response.headers.get('content-type')?.includes('json') ? await response.json() : await response.text()
  if (!response.ok) throw new ApiError(response.status, detailOf(body, response.status))
  return body
}

/** A file from the server (CSV, XLSX, PDF): the response once it is known good; failures as call() reports them. */
async function fetchFile(path, init = {}) {
  const response = await send(path, init)
  if (!response.ok) throw new ApiError(response.status, detailOf(await response.json().catch(() => null), response.status))
  return response
}

const postJson = (path, body) => call(path, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

/**
 * The copy on the device now and the network's answer later: `{data, fresh}` where `fresh` is a promise of the
 * network's answer (already stored); without a copy on the device, waits for the network: `{data}`.
 */
async function staleWhileRevalidate(readLocal, fetchRemote) {
  const fresh = fetchRemote()
  let local
  try {
    local = await readLocal()
  } catch {
    // IndexedDB unavailable: the network alone.
  }
  if (local === undefined || local === null) return { data: await fresh }
  fresh.catch(() => {}) // the caller may never look at it
  return { data: local, fresh }
}

const getKey = (path) => `get:${state.me ? state.me.id : 'anon'}:${path}`

async function fetchAndKeep(path) {
  const data = await call(path)
  await put('kv', data, getKey(path)).catch(() => {})
  return data
}

/** GET with the last good answer kept per person, shown at once and refreshed in the background. */
export const cachedGet = (path) => staleWhileRevalidate(() => get('kv', getKey(path)), () => fetchAndKeep(path))

export const areas = () => cachedGet(`/areas?lang=${state.lang}`)
export const modules = () => cachedGet(`/modules?lang=${state.lang}`)
export const progress = () => cachedGet('/me/progress')
export const certificates = () => cachedGet(`/me/certificates?lang=${state.lang}`)

/** A certificate's PDF as a Blob (the holder's own, so it goes with the sign-in). */
export const certificatePdf = async (id) =>
  (await fetchFile(`/certificates/${encodeURIComponent(id)}.pdf?lang=${state.lang}`)).blob()

async function fetchModule(slug, lang) {
  const data = await call(`/modules/${encodeURIComponent(slug)}?lang=${lang}`)
  await put('modules', data, `${lang}:${slug}`).catch(() => {})
  return data
}

/** A module with its lessons and quiz: the copy on the device at once if there is one, refreshed from the network. */
export const module = (slug, lang = state.lang) =>
  staleWhileRevalidate(() => get('modules', `${lang}:${slug}`), () => fetchModule(slug, lang))

/** The cache the service worker answers pictures from (sw.js): filled here too, so it works before the worker runs. */
export const PICTURES_CACHE = 'hocso-pictures'

async function keepPictures(modules) {
  const urls = [...new Set(modules.flatMap((m) => Object.values(m.images || {}).map((image) => image.url)))]
  if (!urls.length || !globalThis.caches) return
  const cache = await caches.open(PICTURES_CACHE)
  const missing = []
  for (const url of urls) if (!(await cache.match(url))) missing.push(url)
  await cache.addAll(missing)
}

/** Keeps a module's lessons, quiz and pictures in both languages on the device. */
export async function saveForOffline(slug) {
  const [vi, en] = await Promise.all(['vi', 'en'].map((lang) => fetchModule(slug, lang)))
  await keepPictures([vi, en])
  await put('saved', { slug, title: { vi: vi.title, en: en.title }, version: vi.version, saved_at: Date.now() })
  // The topics and the catalogue too, so that the Topics page opens offline and shows what is saved.
  await Promise.all(['vi', 'en'].flatMap((lang) => [`/areas?lang=${lang}`, `/modules?lang=${lang}`])
    .map((path) => fetchAndKeep(path).catch(() => {})))
}

export const forgetOffline = (slug) => del('saved', slug)
export const savedModules = () => getAll('saved')

/**
 * Search across modules: the server's answer online; offline, the same search over the modules kept on this
 * device (lesson text included) and the catalogue's titles and summaries (marked unavailable). {hits, offline}
 */
export async function search(q, lang = state.lang) {
  try {
    return { hits: await call(`/search?q=${encodeURIComponent(q)}&lang=${lang}`), offline: false }
  } catch (error) {
    if (!(error instanceof Offline)) throw error
  }
  const kept = new Map()
  for (const key of await keys('modules')) {
    if (String(key).startsWith(`${lang}:`)) kept.set(String(key).slice(lang.length + 1), await get('modules', key))
  }
  const catalogue = (await get('kv', getKey(`/modules?lang=${lang}`))) || [...kept.values()]
  const docs = catalogue.map((m) => kept.get(m.slug) || { ...m, lessons: [], unavailable: true })
  for (const [slug, m] of kept) if (!catalogue.some((c) => c.slug === slug)) docs.push(m)
  return { hits: searchDocs(docs, q), offline: true }
}

export async function latestResult(slug) {
  const all = (await getAll('results')).filter((r) => r.module === slug && r.kind === 'attempt' && r.user_id === state.me?.id)
  return all.sort((a, b) => b.at - a.at)[0] || null
}

// --- Accounts ----------------------------------------------------------------------------------------------

async function startSession(pair) {
  await saveTokens(pair)
  await loadMe()
}

export async function signIn(username, password) {
  const form = new URLSearchParams({ username, password })
  const pair = await call('/auth/login', { method: 'POST', body: form })
  await startSession(pair)
}

export async function signUp({ full_name, identifier, password }) {
  const body = { full_name, password, ...(identifier.includes('@') ? { email: identifier } : { phone: identifier }) }
  await postJson('/auth/register', body)
  await signIn(identifier, password)
}

export async function activate({ identifier, code, password }) {
  await startSession(await postJson('/auth/activate', { identifier, code, password }))
}

/** Who is signed in: the server's answer, else the copy from the last visit (offline). */
export async function loadMe() {
  try {
    const me = await call('/me')
    await put('kv', me, 'me')
    update({ me })
  } catch (error) {
    if (error instanceof Offline) update({ me: (await get('kv', 'me')) || null })
    else if (error.status === 401) {
      await del('kv', 'me')
      update({ me: null })
    } else throw error
  }
}

// A phone may be shared: what was shown to this person leaves the device with them. Their queue stays (it is
// sent when they sign in again) unless the account itself is deleted.
async function forgetPerson(userId, { queue = false } = {}) {
  for (const key of await keys('kv')) if (String(key).startsWith(`get:${userId}:`)) await del('kv', key)
  for (const result of await getAll('results')) if (result.user_id === userId || !result.user_id) await del('results', result.event_id)
  if (queue) for (const item of await getAll('outbox')) if (item.user_id === userId) await del('outbox', item.event_id)
}

export async function signOut() {
  const tokens = await get('kv', 'tokens')
  if (tokens?.assisted) return endAssistedSession()
  if (tokens) {
    try {
      await postJson('/auth/logout', { refresh_token: tokens.refresh })
    } catch {
      // Offline: the refresh token is forgotten here and expires on its own.
    }
  }
  await forgetTokens()
  await del('kv', 'me')
  if (state.me) await forgetPerson(state.me.id)
  update({ me: null, pending: [] })
}

// --- A person's own account: name, password, every sign-in ---------------------------------------------------

const patchJson = (path, body) => call(path, {
  method: 'PATCH',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

export async function rename(full_name) {
  const me = await patchJson('/me', { full_name })
  await put('kv', me, 'me')
  update({ me })
}

// Both end every sign-in, this device's too: what this device holds for the person goes as on signing out.
async function endSessionHere() {
  await forgetTokens()
  await del('kv', 'me')
  if (state.me) await forgetPerson(state.me.id)
  update({ me: null, pending: [] })
}

/** Sets a new password, then signs this device in again with it; false if that second step failed. */
export async function changePassword(current_password, new_password) {
  const identifier = state.me.email || state.me.phone
  await postJson('/me/password', { current_password, new_password })
  await endSessionHere()
  try {
    await signIn(identifier, new_password)
    return true
  } catch {
    return false
  }
}

export async function signOutEverywhere() {
  await call('/me/sessions', { method: 'DELETE' })
  await endSessionHere()
}

/** Asks for a reset code; the server's sentence is the same whether or not the account exists. */
export const requestPasswordReset = (identifier) => postJson('/auth/password-reset', { identifier })

export async function confirmPasswordReset(identifier, code, new_password) {
  await postJson('/auth/password-reset/confirm', { identifier, code, new_password })
  await signIn(identifier, new_password)
}

export const exportMyData = () => call('/me/export')

export async function deleteAccount() {
  await call('/me', { method: 'DELETE' })
  await forgetTokens()
  await forgetPerson(state.me.id, { queue: true })
  await del('kv', 'me')
  update({ me: null, pending: [] })
}

// --- Agencies ----------------------------------------------------------------------------------------------

export const agency = (code) => call(`/agencies/${encodeURIComponent(code)}`)
export const agencyStats = (code, year) => call(`/agencies/${encodeURIComponent(code)}/stats?year=${year}`)
export const agencyRanking = (code, { year, by, depth }) =>
  call(`/agencies/${encodeURIComponent(code)}/ranking?${new URLSearchParams({ year, by, depth })}`)

/** The dashboard as a file: stats.csv (';' and Vietnamese headers when the app is in Vietnamese) or stats.xlsx. */
export async function agencyCsv(code, year, format = 'csv') {
  const lang = format === 'csv' && state.lang !== 'vi' ? '' : `&lang=${state.lang}`
  return (await fetchFile(`/agencies/${encodeURIComponent(code)}/stats.${format}?year=${year}${lang}`)).blob()
}

// --- Who is behind, reminders, notices, push -----------------------------------------------------------------

export function agencyMembers(code, { status, year, q, cursor }) {
  const params = new URLSearchParams({ year })
  if (status) params.set('status', status)
  if (q) params.set('q', q)
  if (cursor) params.set('cursor', cursor)
  return call(`/agencies/${encodeURIComponent(code)}/members?${params}`)
}

export async function agencyMembersCsv(code, { status, year, q }) {
  const params = new URLSearchParams({ year, lang: state.lang })
  if (status) params.set('status', status)
  if (q) params.set('q', q)
  return (await fetchFile(`/agencies/${encodeURIComponent(code)}/members.csv?${params}`)).blob()
}

export const sendReminders = (code, body) => postJson(`/agencies/${encodeURIComponent(code)}/reminders`, body)
export const notices = () => call(`/me/notices?lang=${state.lang}`)
export const markNoticeRead = (id) => call(`/me/notices/${id}/read`, { method: 'POST' })
export const pushPublicKey = () => call('/push/public-key')
export const addPushSubscription = (sub) => postJson('/me/push-subscriptions', sub)
export const removePushSubscription = (endpoint) => call('/me/push-subscriptions', {
  method: 'DELETE', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ endpoint }),
})

// --- Staff import, activation slips, new codes, requirements ---------------------------------------------------

const agencyPath = (code) => `/agencies/${encodeURIComponent(code)}`

/** Uploads a staff CSV or XLSX: the answer itself (up to 1,000 rows), or `{job_id, status_url}` for a job. */
export function importMembers(code, file) {
  const body = new FormData()
  body.append('file', file)
  return call(`${agencyPath(code)}/members/import`, { method: 'POST', body })
}

export const importJob = (code, jobId) => call(`${agencyPath(code)}/import-jobs/${encodeURIComponent(jobId)}`)

/** The slips PDF for codes the page was given: `{blob, printed, skipped}`. */
export async function activationSlips(code, slips) {
  const response = await fetchFile(`${agencyPath(code)}/activation-slips`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ slips }),
  })
  const count = (name) => Number(response.headers.get(name) || 0)
  return { blob: await response.blob(), printed: count('X-Slips-Printed'), skipped: count('X-Slips-Skipped') }
}

export const issueActivationCode = (code, userId) => call(`${agencyPath(code)}/members/${userId}/activation-code`, { method: 'POST' })
export const issueResetCode = (code, userId) => call(`${agencyPath(code)}/members/${userId}/reset-code`, { method: 'POST' })

export const agencyRequirements = (code) => call(`${agencyPath(code)}/requirements?below=true`)
export const setRequirement = (code, module, dueDate) => postJson(`${agencyPath(code)}/requirements`, { module, due_date: dueDate })
export const removeRequirement = (code, module) => call(`${agencyPath(code)}/requirements/${encodeURIComponent(module)}`, { method: 'DELETE' })

// --- Community digital team helpers --------------------------------------------------------------------------

const citizensPath = (code) => `/agencies/${encodeURIComponent(code)}/citizens`
export const consentText = () => call('/assistance/consent')
export const citizens = (code) => call(citizensPath(code))
export const registerCitizen = (code, body) => postJson(citizensPath(code), body)
/** Finishes a registration with the code the citizen received on their phone. */
export const confirmCitizen = (code, registrationId, typed) =>
  postJson(`${citizensPath(code)}/registrations/${encodeURIComponent(registrationId)}/confirm`, { code: typed })

/**
 * Signs a citizen in on this (shared) device for an assisted session. The helper's own sign-in is put aside and
 * comes back when the session ends.
 */
export async function startAssistedSession(code, citizenId) {
  const session = await postJson(`${citizensPath(code)}/${encodeURIComponent(citizenId)}/assisted-sessions`, {})
  const own = await get('kv', 'tokens')
  if (own && !own.assisted) await put('kv', own, 'helper_tokens')
  await saveTokens(session)
  await loadMe()
}

/** Ends the assisted session: the citizen's token stops working, their screens leave the device, the helper is back. */
export async function endAssistedSession() {
  const citizen = state.me
  try {
    await call('/me/assisted-session', { method: 'DELETE' })
  } catch {
    // Offline or already ended: the token is forgotten here and expires within the hour on its own.
  }
  await forgetTokens()
  if (citizen) await forgetPerson(citizen.id)
  const helper = await get('kv', 'helper_tokens')
  await del('kv', 'helper_tokens')
  if (helper) {
    await put('kv', helper, 'tokens')
    await loadMe()
  } else {
    await del('kv', 'me')
    update({ me: null, pending: [] })
  }
}
