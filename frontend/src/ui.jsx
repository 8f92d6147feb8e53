// Small shared pieces: loading data, status lines, cards, the search box, bar charts.
import { useEffect, useState } from 'preact/hooks'
import { Offline } from './api.js'
import { t } from './i18n.js'
import { navigate, state } from './state.js'

/**
 * Runs `load` when `deps` change; gives {data, stale, error, loading, reload}. A load that answers with a copy
 * from the device and a `fresh` promise shows the copy at once and the network's answer when it comes; `stale`
 * is set only when that refresh failed.
 */
export function useLoad(load, deps) {
  const [result, setResult] = useState({ loading: true })
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let live = true
    setResult((r) => ({ ...r, loading: true, error: null }))
    load().then(
      (r) => {
        if (!live) return
        const data = r && 'data' in r ? r.data : r
        setResult({ data, stale: false, loading: false })
        r?.fresh?.then(
          (newer) => live && setResult({ data: newer, stale: false, loading: false }),
          (error) => live && setResult({ data, stale: error instanceof Offline, loading: false }),
        )
      },
      (error) => live && setResult({ error, loading: false }),
    )
    return () => { live = false }
  }, [...deps, tick, state.lang])
  return { ...result, reload: () => setTick((n) => n + 1) }
}

/** What to show while data loads or when it failed; null once there is data. Offline is a state, not an error. */
export function LoadStatus({ result }) {
  if (result.loading && result.data === undefined) return <p class="muted" role="status">{t('loading')}</p>
  if (result.error) {
    if (result.error instanceof Offline) {
      return (
        <div class="notice" role="status">
          <p>{t('not_available_offline')}</p>
          <button type="button" class="button secondary" onClick={result.reload}>{t('retry')}</button>
        </div>
      )
    }
    return (
      <div class="notice error" role="alert">
        <p>{result.error.message}</p>
        <button type="button" class="button secondary" onClick={result.reload}>{t('retry')}</button>
      </div>
    )
  }
  if (result.stale) return <p class="notice muted">{t('stale')}</p>
  return null
}

/** The page's heading while its data loads or when it cannot be shown: never "Loading…" once it failed. */
export function LoadingHeading({ result, what }) {
  if (!result.error) return <h1 tabIndex={-1} data-loading="">{t('loading')}</h1>
  return <h1 tabIndex={-1}>{result.error instanceof Offline ? t('not_saved_title', what) : t('cannot_open', what)}</h1>
}

export function ModuleCard({ module, status, due, overdue, unavailable }) {
  return (
    <li class={unavailable ? 'card unavailable' : 'card'}>
      <a class="card-link" href={`/m/${module.slug}`}>
        <span class="card-title">{module.title}</span>
      </a>
      {unavailable && <p class="badge offline-badge">{t('not_saved_badge')}</p>}
      <p class="card-summary">{module.summary}</p>
      <p class="meta">
        <span>{t('minutes', module.minutes)}</span>
        <span>{t('level')[module.level] || module.level}</span>
        {module.audience?.includes('civil_servant') && !module.audience.includes('citizen') && <span>{t('for_civil_servants')}</span>}
        {status && status !== 'not_started' && <span class={`badge ${status}`}>{t('status')[status]}</span>}
        {due && <span class={overdue ? 'badge overdue' : 'badge'}>{overdue ? `${t('overdue')} · ` : ''}{due}</span>}
      </p>
    </li>
  )
}

/**
 * Horizontal bar chart: the figures people compare, drawn; the same figures stay in a table beside it.
 * rows: [{label, value (0..1 of the bar), text}]
 */
export function BarChart({ label, rows }) {
  return (
    <figure class="chart" role="img" aria-label={`${label}: ${rows.map((r) => `${r.label} ${r.text}`).join(', ')}`}>
      {rows.map((r) => (
        <div class="bar-row" key={r.label}>
          <span class="bar-label" aria-hidden="true">{r.label}</span>
          <span class="bar-track" aria-hidden="true">
            <span class="bar" style={{ width: `${Math.max(0, Math.min(1, r.value)) * 100}%` }} />
          </span>
          <span class="bar-value" aria-hidden="true">{r.text}</span>
        </div>
      ))}
    </figure>
  )
}

/** Why a module cannot be shown: offline and not saved gets a way back to what is saved, never a raw error. */
export function NotSaved({ result }) {
  if (!(result.error instanceof Offline)) return <LoadStatus result={result} />
  return (
    <div class="notice" role="status">
      <p>{t('not_available_offline')}</p>
      <p>{t('not_saved_help')}</p>
      <p><a class="more" href="/">{t('see_saved')}</a></p>
    </div>
  )
}

/** The search box: leads to /search?q=… (the Topics page and the search page both show it). */
export function SearchForm({ initial = '' }) {
  const [text, setText] = useState(initial)
  function submit(event) {
    event.preventDefault()
    const q = text.trim()
    if (q) navigate(`/search?q=${encodeURIComponent(q)}`)
  }
  return (
    <form role="search" class="search-form" onSubmit={submit}>
      <label for="search-q">{t('search_label')}</label>
      <span class="search-row">
        <input id="search-q" type="search" name="q" value={text} onInput={(e) => setText(e.currentTarget.value)}
          autocomplete="off" enterkeyhint="search" minLength={2} maxLength={100} />
        <button type="submit" class="button">{t('search')}</button>
      </span>
    </form>
  )
}
