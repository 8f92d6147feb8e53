// Required modules: what a unit requires of its whole subtree, what it inherits from above (and from whom),
// what units below it require of their own people; add one from the catalogue with a due date, or remove one.
import { useEffect, useRef, useState } from 'preact/hooks'
import * as api from '../api.js'
import { formatDate, t, vietnamToday } from '../i18n.js'
import { tm } from '../managers-text.js'
import { useAppState } from '../state.js'
import { LoadStatus, useLoad } from '../ui.jsx'
import '../managers.css'

export function Requirements({ code }) {
  useAppState()
  const info = useLoad(() => api.agency(code), [code])
  const list = useLoad(() => api.agencyRequirements(code), [code])
  const catalogue = useLoad(api.modules, [])
  const [module, setModule] = useState('')
  const [due, setDue] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState(null)
  const [done, setDone] = useState(null)
  const listHeading = useRef(null)
  useEffect(() => { if (done) listHeading.current?.focus() }, [done])

  const title = Object.fromEntries((catalogue.data || []).map((m) => [m.slug, m.title]))
  const name = (slug) => title[slug] || slug
  const fail = (e) => setError(e instanceof api.Offline ? t('offline') : e.message)

  async function add(event) {
    event.preventDefault()
    setError(null)
    setDone(null)
    setBusy(true)
    try {
      const r = await api.setRequirement(code, module, due)
      setDone(tm('req_added', name(r.module), formatDate(r.due_date)))
      setModule('')
      setDue('')
      list.reload()
    } catch (e) {
      fail(e)
    } finally {
      setBusy(false)
    }
  }

  async function remove(req) {
    setError(null)
    setDone(null)
    try {
      await api.removeRequirement(req.agency.code, req.module)
      setDone(tm('req_removed', name(req.module)))
      list.reload()
    } catch (e) {
      fail(e)
    }
  }

  const origin = tm('origin')
  const rows = list.data || []
  return (
    <>
      <h1 tabIndex={-1}>{tm('req_title')}{info.data && ` – ${info.data.name}`}</h1>
      <p><a href={`/admin/${encodeURIComponent(code)}`}>← {tm('back')}</a></p>
      <p>{tm('req_intro')}</p>
      <section aria-labelledby="req-add-title">
        <h2 id="req-add-title">{tm('req_add_title')}</h2>
        <form class="filters" onSubmit={add}>
          <p>
            <label for="req-module">{tm('req_module')}</label>
            <select id="req-module" required value={module} onChange={(e) => setModule(e.currentTarget.value)}>
              <option value="">{tm('req_pick')}</option>
              {(catalogue.data || []).map((m) => <option key={m.slug} value={m.slug}>{m.title}</option>)}
            </select>
          </p>
          <p>
            <label for="req-due">{tm('req_due')}</label>
            <input id="req-due" type="date" required min={vietnamToday()} value={due} onInput={(e) => setDue(e.currentTarget.value)} />
          </p>
          <p><button type="submit" class="button" disabled={busy}>{tm('req_add')}</button></p>
        </form>
      </section>
      {error && <p class="notice error" role="alert">{error}</p>}
      <p role="status" data-testid="req-done">{done}</p>
      <section aria-labelledby="req-list-title">
        <h2 id="req-list-title" tabIndex={-1} ref={listHeading}>{tm('req_list_title')}</h2>
        <LoadStatus result={list} />
        {list.data && rows.length === 0 && <p>{tm('req_none')}</p>}
        {rows.length > 0 && (
          <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="req-list-title">
            <table data-testid="requirements">
              <thead><tr><th scope="col">{tm('col_module')}</th><th scope="col">{tm('col_due')}</th><th scope="col">{tm('col_set_by')}</th><th scope="col">{tm('col_action')}</th></tr></thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.agency.code}:${r.module}`} class={r.origin === 'above' ? 'inherited' : undefined}>
                    <th scope="row">{name(r.module)}</th>
                    <td>{formatDate(r.due_date)}</td>
                    <td>{r.origin === 'own' ? origin.own : origin[r.origin](r.agency.name)}</td>
                    <td>{r.origin === 'above' ? <span class="muted">{tm('req_inherited_note')}</span> : (
                      <button type="button" class="button secondary" aria-label={tm('req_remove', name(r.module), r.agency.name)}
                        onClick={() => remove(r)}>{tm('remove')}</button>
                    )}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  )
}
