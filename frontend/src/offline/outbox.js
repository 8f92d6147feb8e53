// The offline queue. Lesson completions and quiz answers are stored here with their event_id first and sent
// later; an item leaves the queue only after the server has answered for it. The server is idempotent by
// event_id, so sending an item twice (a killed page, a page and the worker at once) counts it once.
import { del, get, getAll, put, withLock } from './db.js'
import { authFetch } from './auth.js'

export const SYNC_TAG = 'hocso-outbox'
const BATCH = 200

export function newEventId() {
  if (crypto.randomUUID) return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** Queues an item for the signed-in person; resolves once it is safely stored. */
export async function enqueue(item) {
  const me = await get('kv', 'me')
  if (!me) throw new Error('not signed in')
  const entry = { event_id: newEventId(), occurred_at: new Date().toISOString(), ...item, user_id: me.id, queued_at: Date.now() }
  await put('outbox', entry)
  return entry
}

export async function pendingFor(userId) {
  return (await getAll('outbox')).filter((i) => i.user_id === userId).sort((a, b) => a.queued_at - b.queued_at)
}

const json = (body) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
})

// Answers that will never change on a resend: drop the item and keep the reason for the person to see.
const permanent = (status) => status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429

async function detail(response) {
  try {
    const body = await response.json()
    return typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail)
  } catch {
    return `HTTP ${response.status}`
  }
}

/** Ends an item's stay in the queue: keeps what the server said about it (its result or why it was refused). */
async function settle(item, outcome, report) {
  await put('results', { event_id: item.event_id, user_id: item.user_id, kind: item.kind, module: item.module, ...outcome, at: Date.now() })
  await del('outbox', item.event_id)
  if (outcome.error === undefined) report.sent++
  else report.failed++
}

async function sendLessons(items, report) {
  const response = await authFetch('/progress/events', json({
    events: items.map((i) => ({ event_id: i.event_id, type: 'lesson_completed', module: i.module, lesson: i.lesson, occurred_at: i.occurred_at })),
  }))
  if (response.ok) {
    const body = await response.json()
    const rejected = new Map(body.rejected.map((r) => [r.event_id, r.reason]))
    for (const item of items) {
      if (rejected.has(item.event_id)) await settle(item, { error: rejected.get(item.event_id) }, report)
      else {
        await del('outbox', item.event_id)
        report.sent++
      }
    }
    return true
  }
  if (permanent(response.status) && items.length > 1) {
    // One bad event spoils the batch: send each alone so that only it is dropped.
    for (const item of items) if (!(await sendLessons([item], report))) return false
    return true
  }
  if (permanent(response.status)) {
    await settle(items[0], { error: await detail(response) }, report)
    return true
  }
  report.stopped = response.status === 401 ? 'signed_out' : 'server'
  return false
}

async function sendAttempt(item, report) {
  const { event_id, answers, occurred_at, version } = item
  const response = await authFetch(`/modules/${encodeURIComponent(item.module)}/attempts?lang=${item.lang || 'vi'}`,
    json({ event_id, answers, occurred_at, version }))
  if (response.ok || permanent(response.status)) {
    await settle(item, response.ok ? { result: await response.json() } : { error: await detail(response) }, report)
    return true
  }
  report.stopped = response.status === 401 ? 'signed_out' : 'server'
  return false
}

/** Sends everything queued for the signed-in person. Never throws; `report.stopped` says why it stopped early. */
export function flushOutbox() {
  return withLock('hocso-sync', async () => {
    const report = { sent: 0, failed: 0, stopped: null }
    const me = await get('kv', 'me')
    if (!me) return report
    const items = await pendingFor(me.id)
    try {
      const lessons = items.filter((i) => i.kind === 'lesson')
      for (let start = 0; start < lessons.length; start += BATCH) {
        if (!(await sendLessons(lessons.slice(start, start + BATCH), report))) return report
      }
      for (const item of items.filter((i) => i.kind === 'attempt')) {
        if (!(await sendAttempt(item, report))) return report
      }
    } catch {
      report.stopped = 'offline'
    }
    return report
  })
}
