// The agency dashboard: figures over the whole subtree, each child unit (chart and table), each module,
// and the CSV export. The server decides what a manager may see; this page only shows it.
import { useEffect, useState } from 'preact/hooks'
import * as api from '../api.js'
import { percent, t, vietnamYear } from '../i18n.js'
import { navigate, useAppState } from '../state.js'
import { LoadStatus, useLoad } from '../ui.jsx'
import { RankedBars as BarChart } from '../charts.jsx'
import '../managers.css'
import { saveFile } from '../lib/download.js'
import { tm } from '../managers-text.js'
import { LaggingUnits } from '../components/lagging.jsx'

export function Admin({ code }) {
  const s = useAppState()
  const root = s.me?.manages?.code
  const current = code || root
  const year = Number(s.query.get('year')) || vietnamYear()
  const stats = useLoad(() => (current ? api.agencyStats(current, year) : Promise.resolve(null)), [current, year])
  const info = useLoad(() => (current ? api.agency(current) : Promise.resolve(null)), [current])
  const catalogue = useLoad(api.modules, [])
  const [error, setError] = useState(null)
  // Kept as state: a re-render while loading would otherwise put the select back before "Xem" is pressed.
  const [pickYear, setPickYear] = useState(year)
  useEffect(() => setPickYear(year), [year])
  if (!s.me?.manages) return <><h1 tabIndex={-1}>{t('admin_title')}</h1><p>{t('not_manager')}</p></>
  const st = stats.data
  const years = Array.from({ length: 4 }, (_, i) => vietnamYear() - i)
  const exportCsv = () => exportFile('csv')
  async function exportFile(format) {
    setError(null)
    try {
      saveFile(`hocso-${current}-${year}.${format}`, await api.agencyCsv(current, year, format))
    } catch (e) {
      setError(e instanceof api.Offline ? t('offline') : e.message)
    }
  }
  const parent = info.data?.parent_code
  const title = Object.fromEntries((catalogue.data || []).map((m) => [m.slug, m.title]))
  return (
    <>
      <h1 tabIndex={-1}>{st ? st.agency.name : t('admin_title')}</h1>
      {parent && current !== root && <p><a class="back" href={`${parent === root ? '/admin' : `/admin/${parent}`}?year=${year}`}>↑ {t('up')}</a></p>}
      {/* The year applies when chosen with the button, not on each arrow key through the list. */}
      <form class="toolbar" onSubmit={(e) => {
        e.preventDefault()
        navigate(`/admin${code ? `/${code}` : ''}?year=${new FormData(e.currentTarget).get('year')}`, { replace: true })
      }}>
        <label for="year">{t('year')}</label>
        <select id="year" name="year" value={pickYear} onChange={(e) => setPickYear(Number(e.currentTarget.value))}>
          {years.map((y) => <option key={y} value={y}>{y}</option>)}
        </select>
        <button type="submit" class="button secondary">{t('show')}</button>
        <button type="button" class="button secondary" onClick={exportCsv}>{t('export_csv')}</button>
        <button type="button" class="button secondary" onClick={() => exportFile('xlsx')}>{tm('export_xlsx')}</button>
      </form>
      <ul class="plain page-links">
        <li><a href={`/admin/${encodeURIComponent(current)}/members?year=${year}`}>{tm('behind_link')}</a></li>
        <li><a href={`/admin/${encodeURIComponent(current)}/requirements`}>{tm('req_link')}</a></li>
        <li><a href={`/admin/${encodeURIComponent(current)}/import`}>{tm('import_link')}</a></li>
      </ul>
      {error && <p class="notice error" role="alert">{error}</p>}
      <LoadStatus result={stats} />
      {st && (
        <>
          <ul class="figures" data-testid="figures">
            <li><span class="figure">{st.members}</span> {t('members')}</li>
            <li><span class="figure">{percent(st.goal_rate)}</span> {t('goal_rate')} ({st.goal_met})</li>
            <li><span class="figure">{percent(st.required_rate)}</span> {t('required_rate')}</li>
            <li><span class="figure">{st.overdue}</span> {t('overdue_count')}</li>
            <li><span class="figure">{st.assisted ?? 0}</span> {tm('assisted_count')}</li>
          </ul>
          <p class="muted" data-testid="required-note">{tm('required_note')}</p>
          <section aria-labelledby="children-title">
            <h2 id="children-title">{t('children_title')}</h2>
            {st.children.length === 0 ? <p>{t('no_children')}</p> : (
              <>
                <BarChart label={`${t('chart_children')} – ${t('goal_rate')}`}
                  rows={st.children.map((c) => ({ label: c.name, value: c.goal_rate || 0, text: percent(c.goal_rate) }))} />
                <div class="table-scroll">
                  <table data-testid="children">
                    <thead><tr><th scope="col">{t('name')}</th><th scope="col">{t('members')}</th><th scope="col">{t('goal_rate')}</th><th scope="col">{t('required_rate')}</th><th scope="col">{t('overdue_count')}</th></tr></thead>
                    <tbody>
                      {st.children.map((c) => (
                        <tr key={c.code}>
                          <th scope="row"><a href={`/admin/${c.code}?year=${year}`}>{c.name}</a></th>
                          <td>{c.members}</td><td>{percent(c.goal_rate)}</td><td>{percent(c.required_rate)}</td><td>{c.overdue}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </>
            )}
          </section>
          {st.children.length > 0 && <LaggingUnits code={current} year={year} />}
          {st.by_module.length > 0 && (
            <section aria-labelledby="modules-title">
              <h2 id="modules-title">{t('by_module_title')}</h2>
              <BarChart label={t('chart_modules')} rows={st.by_module.map((m) => ({ label: title[m.slug] || m.slug, value: m.rate || 0, text: percent(m.rate) }))} />
              <div class="table-scroll">
                <table>
                  <thead><tr><th scope="col">{t('module')}</th><th scope="col">{t('completed')}</th><th scope="col">{t('rate')}</th></tr></thead>
                  <tbody>{st.by_module.map((m) => <tr key={m.slug}><th scope="row">{title[m.slug] || m.slug}</th><td>{m.completed}</td><td>{percent(m.rate)}</td></tr>)}</tbody>
                </table>
              </div>
            </section>
          )}
        </>
      )}
    </>
  )
}
