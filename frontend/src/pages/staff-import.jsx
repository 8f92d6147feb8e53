// Staff import: upload a CSV or Excel file, follow a large one's progress, read each row's result, take the
// rejected rows away to fix, and print the activation slips while the one-time codes are on this page.
import { useEffect, useRef, useState } from 'preact/hooks'
import * as api from '../api.js'
import { formatDate, t } from '../i18n.js'
import { tm } from '../managers-text.js'
import { state, useAppState } from '../state.js'
import { saveFile } from '../lib/download.js'
import '../managers.css'

const SLIPS_PER_FILE = 1000 // a PDF the server draws in a few seconds; larger imports get several files
const POLL_MS = 1000
const ROWS_LISTED = 1000

/** A CSV Excel opens as columns: ';' in a Vietnamese locale, ',' in English; a BOM so it reads UTF-8. */
export function toCsv(rows, delimiter) {
  const quote = (v) => {
    const text = v == null ? '' : String(v)
    return /["\r\n,;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
  }
  return '\ufeff' + rows.map((r) => r.map(quote).join(delimiter)).join('\r\n') + '\r\n'
}

const csvBlob = (rows) => new Blob([toCsv(rows, state.lang === 'vi' ? ';' : ',')], { type: 'text/csv;charset=utf-8' })

export function StaffImport({ code }) {
  useAppState()
  const [agencyName, setAgencyName] = useState('')
  const [busy, setBusy] = useState(false)
  const [job, setJob] = useState(null)
  const [result, setResult] = useState(null)
  const [error, setError] = useState(null)
  const [slipsNote, setSlipsNote] = useState(null)
  const alive = useRef(true)
  const resultHeading = useRef(null)
  useEffect(() => () => { alive.current = false }, [])
  useEffect(() => { api.agency(code).then((a) => setAgencyName(a.name), () => {}) }, [code])
  useEffect(() => { if (result) resultHeading.current?.focus() }, [result])

  const fail = (e) => setError(e instanceof api.Offline ? t('offline') : e.message)

  async function follow(jobId) {
    while (alive.current) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
      let state
      try {
        state = await api.importJob(code, jobId)
      } catch (e) {
        if (e instanceof api.Offline) continue // the job goes on without us: ask again when the network is back
        fail(e)
        return
      }
      if (!alive.current) return
      setJob(state)
      if (state.status === 'done') {
        setResult(state.result)
        return
      }
      if (state.status === 'failed') {
        setError(tm('import_failed', state.error || ''))
        return
      }
    }
  }

  async function submit(event) {
    event.preventDefault()
    const file = event.currentTarget.elements.file.files[0]
    setError(null)
    setResult(null)
    setJob(null)
    setSlipsNote(null)
    if (!file) {
      setError(tm('import_pick'))
      return
    }
    setBusy(true)
    try {
      const answer = await api.importMembers(code, file)
      if (answer.job_id) {
        setJob({ status: 'queued', rows_total: answer.rows_total, rows_done: 0 })
        await follow(answer.job_id)
      } else {
        setResult(answer)
      }
    } catch (e) {
      fail(e)
    } finally {
      if (alive.current) setBusy(false)
    }
  }

  function template() {
    saveFile('hocso-mau-nhap-can-bo.csv', csvBlob([
      ['full_name', 'email', 'phone', 'agency_code'],
      ['Nguyễn Văn An', 'an.nguyen@example.vn', '', code],
      ['Trần Thị Bình', '', '0912345678', code],
    ]))
  }

  return (
    <>
      <h1 tabIndex={-1}>{tm('import_title')}{agencyName && ` – ${agencyName}`}</h1>
      <p><a href={`/admin/${encodeURIComponent(code)}`}>← {tm('back')}</a></p>
      <form class="upload-form" onSubmit={submit}>
        <p>
          <label for="file">{tm('import_file')}</label>
          <input id="file" name="file" type="file" aria-describedby="file-hint"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" />
          <span id="file-hint" class="muted">{tm('import_hint')}</span>
        </p>
        <p class="toolbar">
          <button type="submit" class="button" disabled={busy}>{tm('import_send')}</button>
          <button type="button" class="button secondary" onClick={template}>{tm('import_template')}</button>
        </p>
      </form>
      {error && <p class="notice error" role="alert">{error}</p>}
      <div role="status" aria-live="polite">
        {busy && !job && <p class="muted">{tm('import_sending')}</p>}
        {job && job.status !== 'done' && !error && <p>{tm('import_queued', job.rows_total)}</p>}
      </div>
      {job && (
        <p class="progress-line">
          <label for="import-progress">{tm('import_progress')}</label>
          <progress id="import-progress" max={job.rows_total || 1} value={job.rows_done} />
          <span data-testid="import-rows">{tm('import_rows', job.rows_done, job.rows_total)}</span>
        </p>
      )}
      {result && <Result code={code} result={result} headingRef={resultHeading} note={slipsNote} setNote={setSlipsNote} setError={setError} />}
    </>
  )
}

function Result({ code, result, headingRef, note, setNote, setError }) {
  const [showCodes, setShowCodes] = useState(false)
  const rejected = result.rejected.filter((r) => r.reason !== 'invited')
  const counts = { created: result.created, updated: result.updated, unchanged: result.unchanged, invited: result.invited, rejected: rejected.length }
  // Row by row on a phone: every row that needs a look, and the created ones too unless there are thousands.
  const listCreated = result.invitations.length <= ROWS_LISTED
  const rows = [
    ...(listCreated ? result.invitations : []).map((i) => ({ row: i.row, text: tm('row_created'), who: i.identifier, kind: 'created' })),
    ...result.rejected.map((r) => (r.reason === 'invited'
      ? { row: r.row, text: tm('row_invited'), who: '', kind: 'invited' }
      : { row: r.row, text: tm('row_rejected', r.reason), who: r.values ? r.values.full_name : '', kind: 'rejected' })),
  ].sort((a, b) => a.row - b.row)
  const parts = []
  for (let i = 0; i < result.invitations.length; i += SLIPS_PER_FILE) parts.push(result.invitations.slice(i, i + SLIPS_PER_FILE))

  function downloadRejected() {
    const columns = Object.keys(rejected.find((r) => r.values)?.values || { full_name: '', email: '', phone: '' })
    saveFile(`hocso-${code}-dong-bi-tu-choi.csv`, csvBlob([
      [...columns, 'reason'],
      ...rejected.map((r) => [...columns.map((c) => (r.values ? r.values[c] : '')), r.reason]),
    ]))
  }

  async function slips(part, index) {
    setError(null)
    setNote(null)
    try {
      const answer = await api.activationSlips(code, part.map((i) => ({ identifier: i.identifier, code: i.code })))
      saveFile(`hocso-phieu-kich-hoat-${code}${parts.length > 1 ? `-${index + 1}` : ''}.pdf`, answer.blob)
      setNote(tm('slips_done', answer.printed, answer.skipped))
    } catch (e) {
      setError(e instanceof api.Offline ? t('offline') : e.message)
    }
  }

  return (
    <section aria-labelledby="result-title">
      <h2 id="result-title" tabIndex={-1} ref={headingRef}>{tm('result_title')}</h2>
      <ul class="figures" data-testid="import-counts">
        {Object.entries(counts).map(([k, n]) => <li key={k}><span class="figure">{n}</span> {tm('counts')[k]}</li>)}
      </ul>
      {rejected.length > 0 && (
        <p>
          <button type="button" class="button secondary" onClick={downloadRejected}>{tm('rejected_download')}</button>
          <span class="muted block">{tm('rejected_hint')}</span>
        </p>
      )}
      {result.invitations.length > 0 && (
        <section aria-labelledby="slips-title">
          <h3 id="slips-title">{tm('slips_title')}</h3>
          <p class="notice">{tm('slips_once')}</p>
          <p class="toolbar">
            {parts.map((part, i) => (
              <button key={i} type="button" class="button" onClick={() => slips(part, i)}>
                {parts.length > 1 ? tm('slips_part', i + 1, parts.length) : tm('slips_download', part.length)}
              </button>
            ))}
          </p>
          {note && <p role="status" data-testid="slips-note">{note}</p>}
          <details onToggle={(e) => setShowCodes(e.currentTarget.open)}>
            <summary>{tm('codes_show')}</summary>
            {showCodes && <div class="table-scroll" tabIndex={0} role="region" aria-label={tm('codes_show')}>
              <table>
                <thead><tr><th scope="col">{tm('col_row')}</th><th scope="col">{tm('col_identifier')}</th><th scope="col">{tm('col_code')}</th><th scope="col">{tm('col_expires')}</th></tr></thead>
                <tbody>
                  {result.invitations.map((i) => (
                    <tr key={i.row}><td>{i.row}</td><th scope="row">{i.identifier}</th><td class="code">{i.code}</td><td>{formatDate(i.expires_at)}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>}
          </details>
        </section>
      )}
      {rows.length > 0 && (
        <section aria-labelledby="rows-title">
          <h3 id="rows-title">{tm('rows_title')}</h3>
          {!listCreated && <p class="muted">{tm('rows_created_note', result.invitations.length)}</p>}
          <div class="table-scroll" tabIndex={0} role="region" aria-label={tm('rows_title')}>
            <table data-testid="import-rows-table">
              <thead><tr><th scope="col">{tm('col_row')}</th><th scope="col">{tm('col_result')}</th><th scope="col">{tm('col_who')}</th></tr></thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.row}-${r.kind}`} class={r.kind === 'rejected' ? 'rejected' : undefined}>
                    <th scope="row">{r.row}</th><td>{r.text}</td><td>{r.who}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </section>
  )
}
