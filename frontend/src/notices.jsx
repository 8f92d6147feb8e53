// Reminders from a person's agency: shown in the app on the next open, and the switch for push on this device.
import { useEffect, useState } from 'preact/hooks'
import * as api from './api.js'
import { formatDate } from './i18n.js'
import { tm } from './managers-text.js'
import { useAppState } from './state.js'
import './managers.css'

/** Unread notices for the signed-in person, each dismissed with "Seen" (marked read on the server). */
export function Notices() {
  const s = useAppState()
  const [items, setItems] = useState([])
  const id = s.me && s.me.id
  useEffect(() => {
    if (!id || !s.online) return
    api.notices().then((r) => setItems(r.items.filter((n) => !n.read)), () => {})
  }, [id, s.lang])
  if (!id || items.length === 0) return null
  async function seen(notice) {
    // Hidden once the server knows, so that leaving the page at once does not bring it back next time.
    await api.markNoticeRead(notice.id).catch(() => {})
    setItems((old) => old.filter((n) => n.id !== notice.id))
  }
  return (
    <section class="notices" aria-labelledby="notices-title" data-testid="notices">
      <h2 id="notices-title">{tm('notices_title')}</h2>
      <ul class="plain">
        {items.map((n) => (
          <li key={n.id}>
            <span><strong>{n.agency.name}</strong> ({formatDate(n.at)}): {n.text}</span>
            <button type="button" class="button secondary" onClick={() => seen(n)}
              aria-label={`${tm('notice_seen')}: ${n.text}`}>{tm('notice_seen')}</button>
          </li>
        ))}
      </ul>
    </section>
  )
}

function b64ToBytes(text) {
  const raw = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4))
  return Uint8Array.from(raw, (c) => c.charCodeAt(0))
}

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window

/** The account page's opt-in: subscribes this browser to Web Push and tells the server, or undoes both. */
export function PushSwitch() {
  const [on, setOn] = useState(false)
  const [busy, setBusy] = useState(false)
  const [note, setNote] = useState(null)
  useEffect(() => {
    if (!supported()) return
    navigator.serviceWorker.getRegistration().then((reg) => reg && reg.pushManager.getSubscription())
      .then((sub) => setOn(Boolean(sub)), () => {})
  }, [])
  if (!supported()) return <p class="muted" data-testid="push-unsupported">{tm('push_unsupported')}</p>
  async function toggle(event) {
    const want = event.currentTarget.checked
    setBusy(true)
    setNote(null)
    try {
      const reg = await navigator.serviceWorker.ready
      if (want) {
        if ((await Notification.requestPermission()) !== 'granted') throw new Error(tm('push_denied'))
        const { public_key: key } = await api.pushPublicKey()
        const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64ToBytes(key) })
        await api.addPushSubscription(sub.toJSON())
      } else {
        const sub = await reg.pushManager.getSubscription()
        if (sub) {
          await api.removePushSubscription(sub.endpoint)
          await sub.unsubscribe()
        }
      }
      setOn(want)
      setNote(want ? tm('push_on') : tm('push_off'))
    } catch (e) {
      setOn(!want)
      setNote(e.message || tm('push_unsupported'))
    } finally {
      setBusy(false)
    }
  }
  return (
    <section aria-labelledby="push-title">
      <h2 id="push-title">{tm('push_title')}</h2>
      <p class="switch">
        <input id="push" type="checkbox" role="switch" checked={on} disabled={busy} onChange={toggle} />
        <label for="push">{tm('push_label')}</label>
      </p>
      {note && <p role="status" class="muted">{note}</p>}
    </section>
  )
}
