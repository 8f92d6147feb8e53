// Home: this year's goal and what to learn next (required modules first, with due dates), saved modules.
import * as api from '../api.js'
import { formatDate, t, vietnamToday } from '../i18n.js'
import { useAppState } from '../state.js'
import { LoadStatus, ModuleCard, useLoad } from '../ui.jsx'

function Goal({ progress }) {
  const { goal, year } = progress
  return (
    <section class={`goal ${goal.met ? 'met' : ''}`} aria-labelledby="goal-title">
      <h2 id="goal-title">{t('goal_title', year)}</h2>
      <p class="goal-count" data-testid="goal">{t('goal_count', goal.new_skills, goal.target)}</p>
      <p>{goal.met ? t('goal_met') : t('goal_todo')}</p>
    </section>
  )
}

export function Home() {
  const s = useAppState()
  const catalogue = useLoad(api.modules, [])
  const progress = useLoad(() => (s.me ? api.progress() : Promise.resolve(null)), [s.me && s.me.id, s.lastSync])
  const saved = useLoad(api.savedModules, [])
  const list = catalogue.data || []
  const bySlug = Object.fromEntries(list.map((m) => [m.slug, m]))
  const p = progress.data
  const status = Object.fromEntries((p?.modules || []).map((m) => [m.slug, m.status]))
  const today = vietnamToday()
  const required = (p?.required || []).filter((r) => bySlug[r.slug])
  const inProgress = list.filter((m) => status[m.slug] === 'in_progress' && !required.some((r) => r.slug === m.slug))
  const suggested = list.filter((m) => !status[m.slug] || status[m.slug] === 'not_started')
    .filter((m) => !required.some((r) => r.slug === m.slug) && (s.me?.agency || m.audience.includes('citizen'))).slice(0, 4)
  return (
    <>
      {s.me ? <h1 tabIndex={-1}>{t('hello', s.me.full_name)}</h1> : (
        <section class="hero">
          <h1 tabIndex={-1}>{t('intro_title')}</h1>
          <p>{t('intro')}</p>
          <p class="actions">
            <a class="button" href="/learn">{t('start_learning')}</a>
            <a class="button secondary" href="/signup">{t('create_account')}</a>
          </p>
        </section>
      )}
      {p && <Goal progress={p} />}
      {required.length > 0 && (
        <section aria-labelledby="required-title">
          <h2 id="required-title">{t('required_title')}</h2>
          <ul class="cards">
            {required.map((r) => (
              <ModuleCard key={r.slug} module={bySlug[r.slug]} status={r.status} due={t('due', formatDate(r.due_date))}
                overdue={r.status !== 'completed' && r.due_date < today} />
            ))}
          </ul>
        </section>
      )}
      {inProgress.length > 0 && (
        <section aria-labelledby="continue-title">
          <h2 id="continue-title">{t('continue_title')}</h2>
          <ul class="cards">{inProgress.map((m) => <ModuleCard key={m.slug} module={m} status="in_progress" />)}</ul>
        </section>
      )}
      <section aria-labelledby="next-title">
        <h2 id="next-title">{t('next_title')}</h2>
        <LoadStatus result={catalogue} />
        <ul class="cards">{suggested.map((m) => <ModuleCard key={m.slug} module={m} />)}</ul>
        <p><a href="/learn">{t('all_modules')} →</a></p>
      </section>
      {saved.data && saved.data.length > 0 && (
        <section aria-labelledby="saved-title">
          <h2 id="saved-title">{t('saved_title')}</h2>
          <ul class="plain" data-testid="saved">
            {saved.data.map((m) => <li key={m.slug}><a href={`/m/${m.slug}`}>{m.title[s.lang] || m.title.vi}</a></li>)}
          </ul>
        </section>
      )}
    </>
  )
}
