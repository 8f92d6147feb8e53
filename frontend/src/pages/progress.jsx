// My progress: this year's goal, new skills by year (chart and table), each module's status, the queue.
import * as api from '../api.js'
import { formatDate, t } from '../i18n.js'
import { useProgress } from '../lib/progress.js'
import { useAppState } from '../state.js'
import { BarChart, LoadStatus, useLoad } from '../ui.jsx'

export function Progress() {
  const s = useAppState()
  const progress = useProgress()
  const catalogue = useLoad(api.modules, [])
  if (!s.me) return <><h1 tabIndex={-1}>{t('progress_title')}</h1><p><a href="/signin?next=/progress">{t('sign_in_to_save')}</a></p></>
  const p = progress.data
  const titles = Object.fromEntries((catalogue.data || []).map((m) => [m.slug, m.title]))
  const most = Math.max(1, ...(p?.history || []).map((h) => h.new_skills))
  return (
    <>
      <h1 tabIndex={-1}>{t('progress_title')}</h1>
      <LoadStatus result={progress} />
      {p && (
        <>
          <section class={`goal ${p.goal.met ? 'met' : ''}`}>
            <h2>{t('goal_title', p.year)}</h2>
            <p class="goal-count" data-testid="goal">{t('goal_count', p.goal.new_skills, p.goal.target)}</p>
            <p>{p.goal.met ? t('goal_met') : t('goal_todo')}</p>
            <p><a class="more" href="/certificates">{t('cert_link')}</a></p>
          </section>
          <section aria-labelledby="years-title">
            <h2 id="years-title">{t('by_year')}</h2>
            <BarChart label={t('chart_years')} rows={p.history.map((h) => ({ label: String(h.year), value: h.new_skills / most, text: String(h.new_skills) }))} />
            <table>
              <thead><tr><th scope="col">{t('year')}</th><th scope="col">{t('new_skills')}</th></tr></thead>
              <tbody>{p.history.map((h) => <tr key={h.year}><td>{h.year}</td><td>{h.new_skills}</td></tr>)}</tbody>
            </table>
          </section>
          <section aria-labelledby="modules-title">
            <h2 id="modules-title">{t('modules_title')}</h2>
            <ul class="plain status-list">
              {p.modules.filter((m) => m.status !== 'not_started').map((m) => (
                <li key={m.slug}>
                  <a href={`/m/${m.slug}`}>{titles[m.slug] || m.slug}</a>{' '}
                  <span class={`badge ${m.status}`}>{t('status')[m.status]}</span>
                  {m.completed_at && <span class="muted"> {t('completed_on', formatDate(m.completed_at))}</span>}
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
      {s.pending.length > 0 && (
        <section aria-labelledby="waiting-title">
          <h2 id="waiting-title">{t('waiting', s.pending.length)}</h2>
          <ul class="plain">
            {s.pending.map((i) => <li key={i.event_id}>{titles[i.module] || i.module} – {i.kind === 'attempt' ? t('quiz') : i.lesson} ({formatDate(i.occurred_at)})</li>)}
          </ul>
        </section>
      )}
    </>
  )
}
