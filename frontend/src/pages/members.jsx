// Who is behind: a manager's list of the people in a unit who have a required module to finish, are overdue
// or have not met the yearly goal; searchable, paged, exportable, and the way to remind them.
import { useEffect, useState } from 'preact/hooks'
import * as api from '../api.js'
import { formatDate, t, vietnamYear } from '../i18n.js'
import { tm } from '../managers-text.js'
import { navigate, useAppState } from '../state.js'
import { saveFile } from '../lib/download.js'
import '../managers.css'

const STATUSES = ['behind', 'overdue', 'goal_not_met']

export function Members({ code }) {
  const s = useAppState()
  const status = STATUSES.includes(s.query.get('status')) ? s.query.get('status') : ''
  const q = s.query.get('q') || ''
  const year = Number(s.query.get('year')) || vietnamYear()
  const [items, setItems] = useState([])
  const [cursor, setCursor] = useState(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState(null)
  const [done, setDone] = useState(null)
  const [message, setMessage] = useState('')
  const [search, setSearch] = useState(q)
  const [pickStatus, setPickStatus] = useState(status)
  const [pickYear, setPickYear] = useState(year)
  const [agencyName, setAgencyName] = useState('')
  const [codes, setCodes] = useState({})
  const years = Array.from({ length: 4 }, (_, i) => vietnamYear() - i)

  async function load(more) {
    setLoading(true)
    setError(null)
    try {
      const page = await api.agencyMembers(code, { status, year, q, cursor: more ? cursor : null })
      setItems((old) => (more ? [...old, ...page.items] : page.items))
      setCursor(page.next_cursor)
    } catch (e) {
      setError(e instanceof api.Offline ? t('not_available_offline') : e.message)
    } finally {
      setLoading(false)
    }
  }
  useEffect(() => { load(false) }, [code, status, q, year, s.lang])
  useEffect(() => { api.agency(code).then((a) => setAgencyName(a.name), () => {}) }, [code])

  function apply(event) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const params = new URLSearchParams({ year: form.get('year') })
    if (form.get('status')) params.set('status', form.get('status'))
    if (form.get('q').trim()) params.set('q', form.get('q').trim())
    setDone(null)
    navigate(`/admin/${encodeURIComponent(code)}/members?${params}`, { replace: true })
  }
  async function exportCsv() {
    setError(null)
    try {
      saveFile(`hocso-${code}-${status || 'members'}-${year}.csv`, await api.agencyMembersCsv(code, { status, year, q }))
    } catch (e) {
      setError(e instanceof api.Offline ? t('offline') : e.message)
    }
  }
  // A lost code: a new activation code for someone who never signed in, a password reset code for the others.
  async function newCode(m) {
    setError(null)
    try {
      const r = m.activated ? await api.issueResetCode(code, m.id) : await api.issueActivationCode(code, m.id)
      setCodes((old) => ({ ...old, [m.id]: { ...r, activated: m.activated } }))
    } catch (e) {
      setError(e instanceof api.Offline ? t('offline') : e.message)
    }
  }
  async function slip(m, issued) {
    setError(null)
    try {
      const answer = await api.activationSlips(code, [{ identifier: issued.identifier, code: issued.code }])
      saveFile(`hocso-phieu-kich-hoat-${m.agency.code}.pdf`, answer.blob)
    } catch (e) {
      setError(e instanceof api.Offline ? t('offline') : e.message)
    }
  }
  async function remind(event) {
    event.preventDefault()
    setError(null)
    try {
      const r = await api.sendReminders(code, { status, year, q: q || null, message: message.trim() || null })
      setDone(tm('reminded', r.queued, r.skipped))
    } catch (e) {
      setError(e instanceof api.Offline ? t('offline') : e.message)
    }
  }

  return (
    <>
      <h1 tabIndex={-1}>{tm('behind_title')}{agencyName && ` – ${agencyName}`}</h1>
      <p><a href={`/admin/${encodeURIComponent(code)}?year=${year}`}>← {tm('back')}</a></p>
      <form class="filters" onSubmit={apply} role="search" aria-label={tm('behind_title')}>
        <p>
          <label for="status">{tm('filter')}</label>
          <select id="status" name="status" value={pickStatus} onChange={(e) => setPickStatus(e.currentTarget.value)}>
            <option value="">{tm('status_all')}</option>
            {STATUSES.map((k) => <option key={k} value={k}>{tm('status')[k]}</option>)}
          </select>
        </p>
        <p>
          <label for="year">{t('year')}</label>
          <select id="year" name="year" value={pickYear} onChange={(e) => setPickYear(Number(e.currentTarget.value))}>{years.map((y) => <option key={y} value={y}>{y}</option>)}</select>
        </p>
        <p>
          <label for="q">{tm('search')}</label>
          <input id="q" name="q" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} maxLength={100} />
        </p>
        <p><button type="submit" class="button">{tm('apply')}</button></p>
      </form>
      {error && <p class="notice error" role="alert">{error}</p>}
      <p role="status" class="muted" data-testid="shown">{loading ? t('loading') : items.length ? tm('shown', items.length) : tm('empty')}</p>
      {items.length > 0 && (
        <div class="table-scroll" tabIndex={0} role="region" aria-label={tm('behind_title')}>
          <table data-testid="members">
            <thead><tr><th scope="col">{tm('col_name')}</th><th scope="col">{tm('col_unit')}</th><th scope="col">{tm('col_goal')}</th><th scope="col">{tm('col_required')}</th><th scope="col">{tm('col_certificates')}</th><th scope="col">{tm('col_code_action')}</th></tr></thead>
            <tbody>
              {items.map((m) => (
                <tr key={m.id}>
                  <th scope="row">{m.full_name}</th>
                  <td>{m.agency.name}</td>
                  <td>{m.goal_met ? tm('yes') : tm('no')}</td>
                  <td>{m.required.length === 0 ? tm('none_required') : (
                    <ul class="plain">
                      {m.required.map((r) => (
                        <li key={r.module} class={r.status === 'overdue' ? 'overdue' : undefined}>
                          {r.module}: {tm('req_status')[r.status]} ({tm('due', formatDate(r.due_date))})
                        </li>
                      ))}
                    </ul>
                  )}</td>
                  <td>{m.certificates.length === 0 ? tm('none_certificates') : (
                    <ul class="plain">
                      {/* The public verification page: what an evaluation board would check. */}
                      {m.certificates.map((c) => (
                        <li key={c.id}>
                          <a href={c.verify_url} target="_blank" rel="noopener" aria-label={tm('verify_certificate', c.number, m.full_name)}>{c.number}</a>
                        </li>
                      ))}
                    </ul>
                  )}</td>
                  <td>
                    {!m.activated && <span class="badge">{tm('not_activated')}</span>}
                    {codes[m.id] ? (
                      <div role="status">
                        <p class="code-line">{tm(codes[m.id].activated ? 'reset_code' : 'activation_code', codes[m.id].code, formatDate(codes[m.id].expires_at))}</p>
                        {!codes[m.id].activated && <button type="button" class="button secondary" onClick={() => slip(m, codes[m.id])}>{tm('slip_one')}</button>}
                      </div>
                    ) : (
                      <button type="button" class="button secondary" aria-label={tm('new_code_label', m.full_name)} onClick={() => newCode(m)}>{tm('new_code')}</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="toolbar">
        {cursor && <button type="button" class="button secondary" onClick={() => load(true)} disabled={loading}>{tm('more')}</button>}
        <button type="button" class="button secondary" onClick={exportCsv}>{tm('export')}</button>
      </p>
      <section aria-labelledby="remind-title">
        <h2 id="remind-title">{tm('remind_title')}</h2>
        {!status ? <p>{tm('remind_pick')}</p> : (
          <form class="reminder-form" onSubmit={remind}>
            <p>
              <label for="message">{tm('remind_message')}</label>
              <textarea id="message" rows={2} maxLength={500} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
            </p>
            <p><button type="submit" class="button" disabled={items.length === 0}>{tm('remind_send')}</button></p>
          </form>
        )}
        {done && <p class="notice" role="status" data-testid="reminded">{done}</p>}
      </section>
    </>
  )
}
